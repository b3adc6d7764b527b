"""Substructure screening with RDKit pattern fingerprints (a speed-up that never changes
a result).

RDKit's ``PatternFingerprint`` is its substructure screen (``SubstructLibrary`` uses it):
when a query matches a molecule, every bit set in the query's pattern fingerprint is also set
in the molecule's. A query with a bit the molecule lacks cannot match, so it is skipped
without running the matcher; every other query is still matched by RDKit as before. Query
atoms and bonds that the fingerprint cannot express set no bits, so such queries are never
skipped (the screen only ever errs towards running the matcher).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rdkit import Chem, DataStructs

FP_SIZE = 2048

Bits = npt.NDArray[np.uint64]


def pattern_bits(mol: Chem.Mol) -> Bits:
    """The pattern fingerprint of ``mol`` packed into 64-bit words."""
    fp = Chem.PatternFingerprint(mol, fpSize=FP_SIZE)
    dense = np.zeros(FP_SIZE, dtype=np.uint8)
    DataStructs.ConvertToNumpyArray(fp, dense)
    return np.packbits(dense).view(np.uint64)


class QueryScreen:
    """Pattern fingerprints of a fixed list of query molecules (``None``: never skipped)."""

    def __init__(self, queries: Sequence[Chem.Mol | None]) -> None:
        rows = [
            pattern_bits(q) if q is not None else np.zeros(FP_SIZE // 64, dtype=np.uint64)
            for q in queries
        ]
        self._bits = np.stack(rows) if rows else np.zeros((0, FP_SIZE // 64), dtype=np.uint64)

    def candidates(self, mol_bits: Bits) -> npt.NDArray[np.intp]:
        """Indices (ascending) of the queries that may match the molecule of ``mol_bits``."""
        missing = self._bits & ~mol_bits
        return np.flatnonzero(~missing.any(axis=1))
