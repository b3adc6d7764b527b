"""Read molecules from SMILES lists, CSV/TSV tables, SDF and MOL files.

:func:`read_molecules` never raises because of a bad row: each bad row becomes an
:class:`InputIssue` (row number, kind, message) and the good rows are returned. Only a
problem with the whole file raises: over the size limit (:class:`InputTooLarge`), binary or
undecodable content, no molecule rows at all, or a table without a SMILES column
(:class:`InvalidMoleculeFile`).

Row numbers are 1-based physical line numbers for SMILES lists and tables (the header is
line 1) and 1-based record numbers for SDF. Text is decoded as UTF-8 (with or without a
byte-order mark), UTF-16 when it starts with a UTF-16 byte-order mark, else latin-1; any
encoding but UTF-8 is flagged (``encoding_fallback``) with a file-level warning.

Names and other text fields that a spreadsheet would run as a formula (``=cmd|...``,
``+``, ``-``, ``@``) are neutralised with a leading apostrophe and reported as a warning.

Example:
    >>> text = "smiles,name,standard_value,standard_units,standard_type\\n"
    >>> text += "CCO,ethanol,1.5,uM,Ki\\nC1CC,broken,,,\\nCC(=O)O,=HYPERLINK(1),,,\\n"
    >>> result = read_molecules(text.encode(), filename="list.csv")
    >>> [(m.row, m.name) for m in result.molecules]
    [(2, 'ethanol'), (4, "'=HYPERLINK(1)")]
    >>> [(e.row, e.kind) for e in result.errors]
    [(3, 'invalid_smiles')]
    >>> result.molecules[0].activity.value, result.molecules[0].activity.unit
    (1.5, 'uM')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from rdkit import Chem

from matdiscover.errors import InputTooLarge
from matdiscover.science.chemistry._readers import _clean_lines, _sd_file, _smiles_list, _table
from matdiscover.science.chemistry._rows import (
    _SMILES_COLUMNS,
    InputFormat,
    InputIssue,
    IssueKind,
    MoleculeRow,
    _key,
    _mol_from_smiles,
    _RowError,
)
from matdiscover.science.chemistry.errors import InvalidMoleculeFile

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_HEAVY_ATOMS",
    "DEFAULT_MAX_LINE_LENGTH",
    "DEFAULT_MAX_SMILES_LENGTH",
    "InputFormat",
    "InputIssue",
    "IssueKind",
    "MoleculeInput",
    "MoleculeRow",
    "parse_smiles",
    "read_molecules",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_HEAVY_ATOMS = 200
DEFAULT_MAX_SMILES_LENGTH = 2_000
DEFAULT_MAX_LINE_LENGTH = 20_000


@dataclass(frozen=True)
class MoleculeInput:
    """The outcome of :func:`read_molecules`: good rows and every issue, in row order."""

    format: InputFormat
    encoding: str
    encoding_fallback: bool
    molecules: tuple[MoleculeRow, ...]
    issues: tuple[InputIssue, ...]

    @property
    def errors(self) -> list[InputIssue]:
        """Issues that dropped a row."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[InputIssue]:
        """Issues that kept the row (or concern the whole file)."""
        return [i for i in self.issues if i.severity == "warning"]


# ---------------------------------------------------------------- decoding

_MAGIC = {
    b"\x1f\x8b": "gzip-compressed",
    b"PK\x03\x04": "a ZIP archive",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"BZh": "bzip2-compressed",
    b"\xfd7zXZ": "xz-compressed",
    b"\x7fELF": "an executable",
}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) or raise InvalidMoleculeFile for binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InvalidMoleculeFile("the file starts as UTF-16 but does not decode") from None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InvalidMoleculeFile(
                f"the file is {what}, not a SMILES, CSV/TSV, SDF or MOL text file"
            )
    sample = data[:65536]
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    if sample.count(b"\x00") > max(8, len(sample) // 100) or controls > max(16, len(sample) // 20):
        raise InvalidMoleculeFile(
            "the file is binary (control bytes), not a SMILES, CSV/TSV, SDF or MOL text file"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


# ---------------------------------------------------------------- one molecule


def parse_smiles(
    smiles: str,
    *,
    max_heavy_atoms: int = DEFAULT_MAX_HEAVY_ATOMS,
    max_smiles_length: int = DEFAULT_MAX_SMILES_LENGTH,
) -> Chem.Mol:
    """Parse and sanitise one SMILES with the same checks as :func:`read_molecules`.

    Raises:
        InvalidMolecule: with the same message a row error would carry.

    >>> parse_smiles("c1ccccc1O").GetNumAtoms()
    7
    >>> parse_smiles("C(C)(C)(C)(C)C")
    Traceback (most recent call last):
    ...
    matdiscover.science.chemistry.errors.InvalidMolecule: valence error: Explicit valence ...
    """
    from matdiscover.science.chemistry.errors import InvalidMolecule

    try:
        return _mol_from_smiles(
            smiles.strip(), max_heavy_atoms=max_heavy_atoms, max_smiles_length=max_smiles_length
        )
    except _RowError as exc:
        raise InvalidMolecule(exc.message) from None


# ---------------------------------------------------------------- formats


def _guess_format(text: str, filename: str | None) -> InputFormat:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    by_suffix: dict[str, InputFormat] = {
        ".smi": "smiles",
        ".smiles": "smiles",
        ".txt": "smiles",
        ".csv": "csv",
        ".tsv": "tsv",
        ".tab": "tsv",
        ".sdf": "sdf",
        ".sd": "sdf",
        ".mol": "mol",
    }
    if suffix in by_suffix:
        return by_suffix[suffix]
    head = text[:20000]
    if "M  END" in head or "\n$$$$" in head:
        return "sdf"
    first = head.split("\n", 1)[0]
    keys = [_key(c) for c in re.split(r"[,;\t]", first)]
    if any(k in _SMILES_COLUMNS for k in keys):
        return "tsv" if "\t" in first else "csv"
    return "smiles"


# ---------------------------------------------------------------- entry point


def read_molecules(
    data: bytes | str,
    *,
    filename: str | None = None,
    format: InputFormat | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_heavy_atoms: int = DEFAULT_MAX_HEAVY_ATOMS,
    max_smiles_length: int = DEFAULT_MAX_SMILES_LENGTH,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
) -> MoleculeInput:
    """Read every molecule of a SMILES list, CSV/TSV table, SDF or MOL file.

    Args:
        data: the file content (bytes are decoded, see the module docstring).
        filename: used to pick the format from the suffix (``.smi``, ``.csv``, ``.tsv``,
            ``.sdf``, ``.mol``); otherwise the content decides.
        format: force a format.
        max_bytes: file size limit (default 10 MB).
        max_heavy_atoms: larger molecules are row errors (default 200).
        max_smiles_length: longer SMILES are row errors before parsing (default 2,000).
        max_line_length: longer lines are row errors (default 20,000 characters).

    Raises:
        InputTooLarge: more than ``max_bytes``.
        InvalidMoleculeFile: empty, binary or undecodable content, no SMILES column, a
            header without rows, or no record at all.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise InputTooLarge(f"the file has {len(raw):,} bytes; at most {max_bytes:,} are accepted")
    if not raw.strip():
        raise InvalidMoleculeFile("the file is empty")
    text, encoding = _decode(raw)
    issues: list[InputIssue] = []
    fallback = encoding not in ("utf-8", "utf-8-sig")
    if fallback:
        issues.append(
            InputIssue(
                None, "encoding", f"the file is not UTF-8; it was read as {encoding}", "warning"
            )
        )
    fmt = format or _guess_format(text, filename)
    limits = {"max_heavy_atoms": max_heavy_atoms, "max_smiles_length": max_smiles_length}
    rows: Iterator[MoleculeRow]
    if fmt in ("sdf", "mol"):
        rows = _sd_file(
            text, fmt, issues, max_heavy_atoms=max_heavy_atoms, max_line_length=max_line_length
        )
    else:
        lines = _clean_lines(text, max_line_length=max_line_length, issues=issues)
        if fmt == "smiles":
            rows = _smiles_list(lines, issues, **limits)
        else:
            rows = _table(lines, "\t" if fmt == "tsv" else ",", issues, **limits)
    molecules: list[MoleculeRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        key = Chem.MolToSmiles(row.mol)
        first = seen.setdefault(key, row.row)
        if first != row.row:
            issues.append(
                InputIssue(row.row, "duplicate", f"the same molecule as row {first}", "warning")
            )
            row = MoleculeRow(**{**row.__dict__, "duplicate_of": first})
        molecules.append(row)
    issues.sort(key=lambda i: i.row or 0)
    if not molecules and not issues:
        raise InvalidMoleculeFile("the file contains no molecules")
    return MoleculeInput(
        format=fmt,
        encoding=encoding,
        encoding_fallback=fallback,
        molecules=tuple(molecules),
        issues=tuple(issues),
    )
