"""Imported only by the parser fork server: one tiny parse fills pymatgen's lazy caches.

Importing this module parses a two-atom CIF, POSCAR, XYZ and JSON once, so that every
forked child starts with element tables, spglib and the CIF machinery already warm.
It has no other effect and is not part of the public API.
"""

from __future__ import annotations

import logging

from matdiscover.science.io.reader import read_structures
from matdiscover.science.io.writers import write_structure
from matdiscover.science.structures.matching import same_crystal

_POSCAR = b"Cs Cl\n1.0\n4.2 0 0\n0 4.2 0\n0 0 4.2\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n"
_XYZ = b'2\nLattice="4.2 0 0 0 4.2 0 0 0 4.2" pbc="T T T"\nCs 0 0 0\nCl 2.1 2.1 2.1\n'


def warm_up() -> None:
    """Parse and write a small structure in every supported format."""
    structure = read_structures(_POSCAR, "POSCAR").structures[0].structure
    read_structures(write_structure(structure, "cif").encode(), "warm.cif")
    read_structures(write_structure(structure, "json").encode(), "warm.json")
    read_structures(_XYZ, "warm.xyz")
    same_crystal(structure, structure)


try:
    warm_up()
except Exception:  # never break the fork server: children are merely slower
    logging.getLogger(__name__).exception("warm-up parse failed")
