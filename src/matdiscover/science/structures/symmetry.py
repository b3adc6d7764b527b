"""Space-group analysis and standard cells (pymatgen ``SpacegroupAnalyzer`` over spglib)."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from matdiscover.errors import InvalidStructure

logger = logging.getLogger(__name__)

DEFAULT_SYMPREC = 0.1
"""Default symmetry tolerance of the science core, in Å."""


@dataclass(frozen=True)
class SymmetryInfo:
    """Space group of a structure as found at a given tolerance.

    Attributes:
        space_group_number: International Tables number (1-230), or ``None`` if the
            analysis failed.
        space_group_symbol: Hermann-Mauguin symbol such as ``"Fm-3m"``, or ``None``.
        crystal_system: ``"triclinic"`` ... ``"cubic"``, or ``None``.
        symprec: Distance tolerance used for the analysis, in Å.
    """

    space_group_number: int | None
    space_group_symbol: str | None
    crystal_system: str | None
    symprec: float


def _analyzer(structure: Structure, symprec: float) -> SpacegroupAnalyzer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SpacegroupAnalyzer(structure, symprec=symprec)


def analyze_symmetry(structure: Structure, *, symprec: float = DEFAULT_SYMPREC) -> SymmetryInfo:
    """Find the space group of ``structure``.

    Disordered structures are supported: sites with different species/occupancy
    dictionaries are treated as different atom types.

    Args:
        structure: The crystal.
        symprec: Distance tolerance in Å (spglib ``symprec``).

    Returns:
        The symmetry; if spglib fails, every field except ``symprec`` is ``None``
        (callers should surface that as a warning, it is not an error).

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> analyze_symmetry(s).space_group_symbol
        'Pm-3m'
    """
    try:
        sga = _analyzer(structure, symprec)
        return SymmetryInfo(
            space_group_number=int(sga.get_space_group_number()),
            space_group_symbol=str(sga.get_space_group_symbol()),
            crystal_system=str(sga.get_crystal_system()),
            symprec=symprec,
        )
    except Exception as exc:  # spglib raises assorted errors on odd input
        logger.debug("symmetry analysis failed: %s", exc)
        return SymmetryInfo(None, None, None, symprec)


def conventional_cell(structure: Structure, *, symprec: float = DEFAULT_SYMPREC) -> Structure:
    """The conventional standard cell of ``structure`` (pymatgen/Setyawan-Curtarolo
    convention), symmetry found within ``symprec`` Å; :class:`InvalidStructure` if not.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> prim = Structure(Lattice.from_parameters(3.99, 3.99, 3.99, 60, 60, 60),
        ...                  ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> len(conventional_cell(prim))
        8
    """
    try:
        return _analyzer(structure, symprec).get_conventional_standard_structure()
    except Exception as exc:
        raise InvalidStructure(f"Could not determine the conventional cell: {exc}") from exc


def primitive_cell(structure: Structure, *, symprec: float = DEFAULT_SYMPREC) -> Structure:
    """The primitive standard cell of ``structure`` (pymatgen/Setyawan-Curtarolo
    convention), symmetry found within ``symprec`` Å; :class:`InvalidStructure` if not.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> conv = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"],
        ...                                  [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> len(primitive_cell(conv))
        2
    """
    try:
        return _analyzer(structure, symprec).get_primitive_standard_structure()
    except Exception as exc:
        raise InvalidStructure(f"Could not determine the primitive cell: {exc}") from exc
