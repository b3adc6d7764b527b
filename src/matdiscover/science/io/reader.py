"""``read_structures``: bytes in, validated structures with symmetry and hashes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pymatgen.core import Structure

from matdiscover.errors import InputTooLarge, InvalidStructure, MatDiscoverError
from matdiscover.science.io.base import RawBlock, make_json_safe
from matdiscover.science.io.cif import read_cif
from matdiscover.science.io.detect import Format, detect_format
from matdiscover.science.io.jsonfmt import read_json
from matdiscover.science.io.poscar import read_poscar
from matdiscover.science.io.text import decode_text
from matdiscover.science.io.xyz import read_xyz
from matdiscover.science.structures.hashing import canonical_hash
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.symmetry import SymmetryInfo, analyze_symmetry
from matdiscover.science.structures.validation import validate_structure

_READERS = {"cif": read_cif, "poscar": read_poscar, "xyz": read_xyz, "json": read_json}
_MAX_ERRORS_IN_MESSAGE = 3


@dataclass
class ParsedStructure:
    """One validated structure read from a file.

    Attributes:
        structure: The pymatgen structure (cell as given in the file). Site properties are
            plain JSON-able values (magnetic moments as ``[mx, my, mz]`` in μB), so
            ``json.dumps(structure.as_dict())`` always works.
        filename: Sanitised base name given by the caller.
        label: ``filename``, or ``filename#block`` for multi-block CIFs, or
            ``filename#index`` (0-based) for multi-frame XYZ / JSON lists.
        source_format: The file format.
        symmetry: Space group found at the requested ``symprec`` (Å).
        is_ordered: False if any site is partially occupied.
        canonical_hash: Setting-independent hex SHA-256 (see ``canonical_hash``).
        warnings: Parser and validation warnings.
    """

    structure: Structure
    filename: str
    label: str
    source_format: Literal["cif", "poscar", "xyz", "json"]
    symmetry: SymmetryInfo
    is_ordered: bool
    canonical_hash: str
    warnings: list[str] = field(default_factory=list)

    @property
    def formula(self) -> str:
        """Full formula of the cell, e.g. ``"Na4 Cl4"``."""
        return str(self.structure.composition.formula)

    @property
    def reduced_formula(self) -> str:
        """Reduced formula, e.g. ``"NaCl"``."""
        return str(self.structure.composition.reduced_formula)

    @property
    def chemical_system(self) -> str:
        """Sorted element symbols joined by '-', e.g. ``"Cl-Na"``."""
        return "-".join(sorted(el.symbol for el in self.structure.composition.elements))

    @property
    def nsites(self) -> int:
        """Number of sites in the cell."""
        return len(self.structure)

    @property
    def nelements(self) -> int:
        """Number of distinct elements."""
        return len(self.structure.composition.elements)

    @property
    def volume(self) -> float:
        """Cell volume in Å^3."""
        return float(self.structure.volume)

    @property
    def density(self) -> float:
        """Mass density in g/cm^3."""
        return float(self.structure.density)

    @property
    def lattice_parameters(self) -> tuple[float, float, float, float, float, float]:
        """``(a, b, c, alpha, beta, gamma)`` with lengths in Å and angles in degrees."""
        a, b, c = self.structure.lattice.abc
        alpha, beta, gamma = self.structure.lattice.angles
        return (float(a), float(b), float(c), float(alpha), float(beta), float(gamma))


@dataclass
class ReadResult:
    """Outcome of reading one file.

    Attributes:
        structures: Structures that were read and validated.
        errors: ``(label, message)`` of blocks/frames that failed while others succeeded.
    """

    structures: list[ParsedStructure]
    errors: list[tuple[str, str]] = field(default_factory=list)


def _label(filename: str, name: str | None) -> str:
    return filename if name is None else f"{filename}#{name}"


def _finish(
    raw: RawBlock, fmt: Format, filename: str, symprec: float, limits: ParseLimits
) -> ParsedStructure:
    assert raw.structure is not None
    structure = raw.structure
    warnings = [*raw.warnings, *make_json_safe(structure), *validate_structure(structure, limits)]
    symmetry = analyze_symmetry(structure, symprec=symprec)
    if symmetry.space_group_number is None:
        warnings.append(f"Symmetry analysis failed at symprec={symprec} Å; space group unknown.")
    return ParsedStructure(
        structure=structure,
        filename=filename,
        label=_label(filename, raw.name),
        source_format=fmt,
        symmetry=symmetry,
        is_ordered=bool(structure.is_ordered),
        canonical_hash=canonical_hash(structure, symprec=symprec),
        warnings=warnings,
    )


def _raise_nothing_read(filename: str, errors: list[tuple[str, str, MatDiscoverError]]) -> None:
    if len(errors) == 1:
        label, message, exc = errors[0]
        raise type(exc)(f"{label}: {message}")
    shown = "; ".join(
        f"{label}: {message}" for label, message, _ in errors[:_MAX_ERRORS_IN_MESSAGE]
    )
    more = len(errors) - _MAX_ERRORS_IN_MESSAGE
    suffix = f"; and {more} more" if more > 0 else ""
    too_large = all(isinstance(exc, InputTooLarge) for _, _, exc in errors)
    cls = InputTooLarge if too_large else InvalidStructure
    raise cls(f"{filename}: no valid structure in {len(errors)} blocks: {shown}{suffix}")


def read_structures(
    data: bytes,
    filename: str,
    *,
    symprec: float = 0.1,
    limits: ParseLimits = ParseLimits(),
) -> ReadResult:
    """Read, validate and analyse every structure in an uploaded file.

    Args:
        data: File content (CIF, POSCAR/CONTCAR, extended XYZ or pymatgen JSON).
        filename: Sanitised name given by the caller, used as is in labels and messages;
            its base name decides the format (see :func:`detect_format`).
        symprec: Symmetry tolerance in Å.
        limits: Size and geometry limits.

    Returns:
        The structures and, for multi-block files, the blocks that failed.

    Raises:
        InputTooLarge: if the file exceeds ``limits.max_bytes`` or every structure
            exceeds a size limit.
        InvalidStructure: with a specific message if nothing valid could be read.

    Example:
        >>> poscar = b"Cs Cl\\n1.0\\n4.2 0 0\\n0 4.2 0\\n0 0 4.2\\nCs Cl\\n1 1\\nDirect\\n"
        >>> poscar += b"0 0 0\\n0.5 0.5 0.5\\n"
        >>> result = read_structures(poscar, "POSCAR")
        >>> result.structures[0].reduced_formula, result.structures[0].symmetry.space_group_symbol
        ('CsCl', 'Pm-3m')
    """
    name = filename.strip() or "upload"
    if len(data) > limits.max_bytes:
        raise InputTooLarge(
            f"{name}: the file is {len(data) / 2**20:.1f} MiB, more than the limit of "
            f"{limits.max_bytes / 2**20:.1f} MiB."
        )
    fmt = detect_format(name, data)
    text, decode_warnings = decode_text(data, name)
    try:
        blocks = _READERS[fmt](text, limits)
    except MatDiscoverError as exc:
        raise type(exc)(f"{name}: {exc.message}") from exc
    structures: list[ParsedStructure] = []
    errors: list[tuple[str, str, MatDiscoverError]] = []
    for raw in blocks:
        label = _label(name, raw.name)
        if raw.error is None:
            try:
                parsed = _finish(raw, fmt, name, symprec, limits)
            except MatDiscoverError as exc:
                raw.error = exc
            else:
                parsed.warnings[:0] = decode_warnings
                structures.append(parsed)
                continue
        assert raw.error is not None
        errors.append((label, raw.error.message, raw.error))
    if not structures:
        _raise_nothing_read(name, errors or [(name, "no structure found", InvalidStructure())])
    return ReadResult(structures, [(label, message) for label, message, _ in errors])
