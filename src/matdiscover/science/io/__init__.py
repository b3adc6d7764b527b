"""Reading and writing crystal structure files (CIF, POSCAR/CONTCAR, extended XYZ, JSON).

Example:
    >>> from matdiscover.science.io import read_structures
    >>> poscar = b"Cs Cl\\n1.0\\n4.2 0 0\\n0 4.2 0\\n0 0 4.2\\nCs Cl\\n1 1\\nDirect\\n"
    >>> poscar += b"0 0 0\\n0.5 0.5 0.5\\n"
    >>> [s.label for s in read_structures(poscar, "POSCAR").structures]
    ['POSCAR']
"""

from matdiscover.science.io.archive import is_zip, safe_archive_members
from matdiscover.science.io.detect import detect_format
from matdiscover.science.io.isolated import read_structures_isolated
from matdiscover.science.io.reader import ParsedStructure, ReadResult, read_structures
from matdiscover.science.io.writers import write_structure
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.symmetry import SymmetryInfo

__all__ = [
    "ParseLimits",
    "ParsedStructure",
    "ReadResult",
    "SymmetryInfo",
    "detect_format",
    "is_zip",
    "read_structures",
    "read_structures_isolated",
    "safe_archive_members",
    "write_structure",
]
