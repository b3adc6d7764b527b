"""Structure analysis: validation, symmetry, fingerprints and matching.

Example:
    >>> from pymatgen.core import Lattice, Structure
    >>> from matdiscover.science.structures import analyze_symmetry, canonical_hash
    >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    >>> analyze_symmetry(s).space_group_number
    221
"""

from matdiscover.science.structures.hashing import canonical_hash
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.matching import same_crystal, same_structure_type
from matdiscover.science.structures.symmetry import (
    SymmetryInfo,
    analyze_symmetry,
    conventional_cell,
    primitive_cell,
)
from matdiscover.science.structures.validation import validate_structure

__all__ = [
    "ParseLimits",
    "SymmetryInfo",
    "analyze_symmetry",
    "canonical_hash",
    "conventional_cell",
    "primitive_cell",
    "same_crystal",
    "same_structure_type",
    "validate_structure",
]
