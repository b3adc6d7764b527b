"""Fingerprint similarity (Morgan radius 2, 2048 bits = ECFP4) and SMARTS substructure search.

Example:
    >>> from rdkit import Chem
    >>> mols = [Chem.MolFromSmiles(s) for s in ("CCO", "CCCO", "c1ccccc1O")]
    >>> index = FingerprintIndex.from_mols(mols, keys=["ethanol", "propanol", "phenol"])
    >>> [(h.key, round(h.similarity, 3)) for h in index.top_k(Chem.MolFromSmiles("CCO"), k=2)]
    [('ethanol', 1.0), ('propanol', 0.556)]
    >>> substructure_search("[OX2H]c1ccccc1", mols)
    [2]
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import rdFingerprintGenerator

from matdiscover.science.chemistry.errors import InvalidSmarts

__all__ = [
    "FP_BITS",
    "FP_RADIUS",
    "FingerprintIndex",
    "SimilarityHit",
    "compile_smarts",
    "fingerprint",
    "fingerprint_bitstring",
    "substructure_search",
    "tanimoto",
]

FP_RADIUS = 2
FP_BITS = 2048
MAX_SMARTS_LENGTH = 1_000

K = TypeVar("K", bound=Hashable)

_GENERATOR: list[rdFingerprintGenerator.FingerprintGenerator64] = []


def _generator() -> rdFingerprintGenerator.FingerprintGenerator64:
    if not _GENERATOR:
        _GENERATOR.append(
            rdFingerprintGenerator.GetMorganGenerator(radius=FP_RADIUS, fpSize=FP_BITS)
        )
    return _GENERATOR[0]


def fingerprint(mol: Chem.Mol) -> DataStructs.ExplicitBitVect:
    """Morgan (ECFP4-like) bit fingerprint: radius 2, 2048 bits."""
    return _generator().GetFingerprint(mol)


def fingerprint_bitstring(mol: Chem.Mol) -> str:
    """The fingerprint as a string of 2048 ``0``/``1`` (e.g. for a pgvector ``bit(2048)``)."""
    return str(fingerprint(mol).ToBitString())


def tanimoto(a: Chem.Mol, b: Chem.Mol) -> float:
    """Tanimoto similarity of the two molecules' fingerprints (0-1).

    >>> from rdkit import Chem
    >>> tanimoto(Chem.MolFromSmiles("CCO"), Chem.MolFromSmiles("OCC"))
    1.0
    """
    return float(DataStructs.TanimotoSimilarity(fingerprint(a), fingerprint(b)))


@dataclass(frozen=True)
class SimilarityHit(Generic[K]):
    """One neighbour: its position in the index, its key and the Tanimoto similarity."""

    index: int
    key: K
    similarity: float


class FingerprintIndex(Generic[K]):
    """Fingerprints of a fixed set of molecules for bulk Tanimoto top-k queries."""

    def __init__(self, fingerprints: Sequence[DataStructs.ExplicitBitVect], keys: Sequence[K]):
        if len(fingerprints) != len(keys):
            raise ValueError("one key per fingerprint is needed")
        self._fps = list(fingerprints)
        self._keys = list(keys)

    @classmethod
    def from_mols(cls, mols: Iterable[Chem.Mol], *, keys: Sequence[K]) -> FingerprintIndex[K]:
        """Build the index from molecules (``keys[i]`` names ``mols[i]``)."""
        return cls([fingerprint(m) for m in mols], keys)

    def __len__(self) -> int:
        return len(self._fps)

    def similarities(self, query: Chem.Mol) -> list[float]:
        """Tanimoto similarity of ``query`` to every indexed molecule, in index order."""
        return list(DataStructs.BulkTanimotoSimilarity(fingerprint(query), self._fps))

    def top_k(
        self, query: Chem.Mol, *, k: int = 20, min_similarity: float = 0.0
    ) -> list[SimilarityHit[K]]:
        """The ``k`` most similar molecules (similarity >= ``min_similarity``), most similar
        first; ties keep index order."""
        if k <= 0:
            return []
        sims = self.similarities(query)
        best = heapq.nlargest(k, range(len(sims)), key=lambda i: (sims[i], -i))
        return [
            SimilarityHit(index=i, key=self._keys[i], similarity=float(sims[i]))
            for i in best
            if sims[i] >= min_similarity
        ]


def compile_smarts(pattern: str) -> Chem.Mol:
    """Parse a SMARTS pattern into a query molecule.

    Raises:
        InvalidSmarts: empty, too long (> 1,000 characters) or not parseable, with RDKit's
            reason.

    >>> compile_smarts("c1ccccc1[OH]").GetNumAtoms()
    7
    >>> compile_smarts("C(")
    Traceback (most recent call last):
    ...
    matdiscover.science.chemistry.errors.InvalidSmarts: not a valid SMARTS pattern: ...
    """
    text = pattern.strip()
    if not text:
        raise InvalidSmarts("the SMARTS pattern is empty")
    if len(text) > MAX_SMARTS_LENGTH:
        raise InvalidSmarts(
            f"the SMARTS pattern has {len(text):,} characters; at most {MAX_SMARTS_LENGTH:,}"
        )
    with rdBase.CaptureErrorLog() as log:
        query = Chem.MolFromSmarts(text)
    if query is None:
        reason = next((ln.split("]", 1)[-1].strip() for ln in log.messages.splitlines()), "")
        raise InvalidSmarts(f"not a valid SMARTS pattern: {reason[:200] or text[:80]}")
    return query


def substructure_search(
    pattern: str | Chem.Mol, mols: Iterable[Chem.Mol], *, limit: int | None = None
) -> list[int]:
    """Positions of the molecules containing ``pattern`` (a SMARTS string or query mol).

    Args:
        pattern: SMARTS, compiled with :func:`compile_smarts` when a string.
        mols: molecules to search.
        limit: stop after this many hits.
    """
    query = compile_smarts(pattern) if isinstance(pattern, str) else pattern
    hits: list[int] = []
    for i, mol in enumerate(mols):
        if mol is not None and mol.HasSubstructMatch(query):
            hits.append(i)
            if limit is not None and len(hits) >= limit:
                break
    return hits
