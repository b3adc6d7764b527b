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

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal

from rdkit import Chem, rdBase

from matdiscover.errors import InputTooLarge
from matdiscover.science.chemistry.efficiency import Activity, normalise_relation
from matdiscover.science.chemistry.errors import InvalidActivity, InvalidMoleculeFile

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

InputFormat = Literal["smiles", "csv", "tsv", "sdf", "mol"]
IssueKind = Literal[
    "invalid_smiles",
    "valence",
    "kekulize",
    "sanitization",
    "empty_molecule",
    "too_many_atoms",
    "smiles_too_long",
    "line_too_long",
    "nul_byte",
    "missing_smiles",
    "broken_block",
    "bad_activity",
    "csv_injection",
    "duplicate",
    "encoding",
]


@dataclass(frozen=True)
class InputIssue:
    """A problem found while reading: ``row`` is ``None`` for the whole file."""

    row: int | None
    kind: IssueKind
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class MoleculeRow:
    """One molecule read from the input (sanitised by RDKit, not yet standardised).

    Attributes:
        row: line number (SMILES/CSV/TSV) or record number (SDF/MOL), 1-based.
        mol: the sanitised RDKit molecule, explicit hydrogens removed.
        smiles: the SMILES as given; for SDF/MOL the canonical SMILES of the record.
        name: molecule name (a ``name`` column, the SMILES line's second field, or the
            SDF title line), neutralised against spreadsheet formulas.
        identifier: an id column (``id``, ``molecule_chembl_id``...) or SD item ``ID``.
        activity: the activity of this row when the table has activity columns.
        fields: the remaining columns / SD data items, as text.
        duplicate_of: row of the first identical molecule (same canonical SMILES).
    """

    row: int
    mol: Chem.Mol
    smiles: str
    name: str | None = None
    identifier: str | None = None
    activity: Activity | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    duplicate_of: int | None = None


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


class _RowError(Exception):
    def __init__(self, kind: IssueKind, message: str) -> None:
        super().__init__(message)
        self.kind: IssueKind = kind
        self.message = message


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


def _first_rdkit_message(log: str) -> str:
    for line in log.splitlines():
        text = re.sub(r"^\[\d\d:\d\d:\d\d\]\s*", "", line).strip()
        if text:
            return text[:200]
    return ""


def _finish(mol: Chem.Mol, *, max_heavy_atoms: int) -> Chem.Mol:
    heavy = sum(1 for a in mol.GetAtoms() if a.GetAtomicNum() > 1)
    if mol.GetNumAtoms() == 0 or heavy == 0:
        raise _RowError("empty_molecule", "the molecule has no heavy atoms")
    if heavy > max_heavy_atoms:
        raise _RowError(
            "too_many_atoms", f"{heavy} heavy atoms; at most {max_heavy_atoms} are accepted"
        )
    try:
        with rdBase.BlockLogs():  # the exception carries the message
            Chem.SanitizeMol(mol)
    except Chem.AtomValenceException as exc:
        raise _RowError("valence", f"valence error: {str(exc)[:200]}") from None
    except Chem.KekulizeException as exc:
        raise _RowError("kekulize", f"aromaticity error: {str(exc)[:200]}") from None
    except Exception as exc:  # MolSanitizeException and rare RDKit runtime errors
        raise _RowError("sanitization", f"RDKit could not sanitise it: {str(exc)[:200]}") from None
    with rdBase.BlockLogs():
        return Chem.RemoveHs(mol)


def _mol_from_smiles(smiles: str, *, max_heavy_atoms: int, max_smiles_length: int) -> Chem.Mol:
    if len(smiles) > max_smiles_length:
        raise _RowError(
            "smiles_too_long",
            f"SMILES of {len(smiles):,} characters; at most {max_smiles_length:,} are accepted",
        )
    if "\x00" in smiles:
        raise _RowError("nul_byte", "the SMILES contains a NUL byte")
    with rdBase.CaptureErrorLog() as log:
        mol = Chem.MolFromSmiles(smiles, sanitize=False)
    if mol is None:
        detail = _first_rdkit_message(log.messages)
        raise _RowError("invalid_smiles", f"not a valid SMILES ({detail or 'parse error'})")
    return _finish(mol, max_heavy_atoms=max_heavy_atoms)


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

_SMILES_COLUMNS = ("smiles", "canonical_smiles", "smiles_string", "isomeric_smiles", "smi")
_NAME_COLUMNS = ("name", "molecule_name", "compound_name", "pref_name", "title")
_ID_COLUMNS = ("id", "compound_id", "molecule_chembl_id", "chembl_id", "identifier", "mol_id")
_VALUE_COLUMNS = ("standard_value", "activity_value", "value", "activity")
_UNIT_COLUMNS = ("standard_units", "units", "unit", "activity_units", "activity_unit")
_TYPE_COLUMNS = ("standard_type", "activity_type", "type")
_RELATION_COLUMNS = ("standard_relation", "relation")
_TARGET_COLUMNS = ("target_chembl_id", "target_id", "target")
_PCHEMBL_COLUMNS = ("pchembl_value", "pactivity")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _key(column: str) -> str:
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _neutralise(text: str) -> tuple[str, bool]:
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text, True
    return text, False


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


def _clean_lines(text: str, *, max_line_length: int, issues: list[InputIssue]) -> list[str]:
    """Split into lines; over-long and NUL-containing lines become row errors and blanks."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if len(line) > max_line_length:
            issues.append(
                InputIssue(
                    number,
                    "line_too_long",
                    f"line of {len(line):,} characters; at most {max_line_length:,} are accepted",
                )
            )
            lines[number - 1] = ""
        elif "\x00" in line:
            issues.append(InputIssue(number, "nul_byte", "the line contains a NUL byte"))
            lines[number - 1] = ""
    return lines


def _smiles_list(
    lines: list[str], issues: list[InputIssue], **limits: int
) -> Iterator[MoleculeRow]:
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        smiles = parts[0]
        if number == 1 and _key(smiles) in _SMILES_COLUMNS:
            continue  # a header line
        name: str | None = parts[1].strip() if len(parts) > 1 else None
        if name:
            name, neutralised = _neutralise(name)
            if neutralised:
                issues.append(_injection_warning(number))
        try:
            mol = _mol_from_smiles(smiles, **limits)
        except _RowError as exc:
            issues.append(InputIssue(number, exc.kind, exc.message))
            continue
        yield MoleculeRow(row=number, mol=mol, smiles=smiles, name=name or None)


def _injection_warning(row: int) -> InputIssue:
    return InputIssue(
        row,
        "csv_injection",
        "a text field starts like a spreadsheet formula; it was prefixed with an apostrophe",
        "warning",
    )


def _pick(columns: Mapping[str, str], choices: tuple[str, ...]) -> str | None:
    for choice in choices:
        if choice in columns:
            return columns[choice]
    return None


def _table(
    lines: list[str], delimiter: str, issues: list[InputIssue], **limits: int
) -> Iterator[MoleculeRow]:
    if not any(line.strip() for line in lines):
        raise InvalidMoleculeFile("the table is empty")
    header_index = next(i for i, line in enumerate(lines) if line.strip())
    header_line = lines[header_index]
    if delimiter == "," and header_line.count(";") > header_line.count(","):
        delimiter = ";"  # ChEMBL's CSV export
    reader = csv.reader(lines[header_index:], delimiter=delimiter)
    header = next(reader)
    keys = {_key(c): c for c in header}
    by_key = {k: i for i, k in enumerate(_key(c) for c in header)}
    known = {k: k for k in by_key}
    smiles_col = _pick(known, _SMILES_COLUMNS)
    if smiles_col is None:
        shown = ", ".join(repr(c[:40]) for c in header[:10])
        raise InvalidMoleculeFile(
            f"no SMILES column in the header ({shown}); name one 'smiles' or 'canonical_smiles'"
        )
    cols = {
        "name": _pick(known, _NAME_COLUMNS),
        "id": _pick(known, _ID_COLUMNS),
        "value": _pick(known, _VALUE_COLUMNS),
        "unit": _pick(known, _UNIT_COLUMNS),
        "type": _pick(known, _TYPE_COLUMNS),
        "relation": _pick(known, _RELATION_COLUMNS),
        "target": _pick(known, _TARGET_COLUMNS),
        "pchembl": _pick(known, _PCHEMBL_COLUMNS),
    }
    used = {smiles_col, *(c for c in cols.values() if c)}
    data_rows = 0
    for cells in reader:
        number = header_index + reader.line_num
        if not cells or not any(c.strip() for c in cells):
            continue
        data_rows += 1

        def cell(column: str | None, cells: list[str] = cells) -> str:
            if column is None:
                return ""
            i = by_key[column]
            return cells[i].strip() if i < len(cells) else ""

        smiles = cell(smiles_col)
        if not smiles:
            issues.append(InputIssue(number, "missing_smiles", "the SMILES cell is empty"))
            continue
        try:
            mol = _mol_from_smiles(smiles, **limits)
        except _RowError as exc:
            issues.append(InputIssue(number, exc.kind, exc.message))
            continue
        injected = False
        texts: dict[str, str] = {}
        for k, i in by_key.items():
            if k in used or i >= len(cells) or not cells[i].strip():
                continue
            texts[keys[k]], flag = _neutralise(cells[i].strip())
            injected |= flag
        name, flag_n = _neutralise(cell(cols["name"]))
        identifier, flag_i = _neutralise(cell(cols["id"]))
        if injected or flag_n or flag_i:
            issues.append(_injection_warning(number))
        activity = _activity(cell, cols, number, issues)
        yield MoleculeRow(
            row=number,
            mol=mol,
            smiles=smiles,
            name=name or None,
            identifier=identifier or None,
            activity=activity,
            fields=texts,
        )
    if data_rows == 0:
        raise InvalidMoleculeFile("the table has a header but no data rows")


def _activity(
    cell: Callable[[str | None], str],
    cols: Mapping[str, str | None],
    row: int,
    issues: list[InputIssue],
) -> Activity | None:
    raw_value = cell(cols["value"])
    raw_p = cell(cols["pchembl"])
    target = cell(cols["target"]) or None
    if target:
        target = _neutralise(target)[0]
    try:
        if raw_value:
            return Activity(
                value=float(raw_value),
                unit=cell(cols["unit"]),
                type=cell(cols["type"]) or None,
                relation=normalise_relation(cell(cols["relation"])),
                target=target,
            )
        if raw_p:
            return Activity(value=float(raw_p), type="pChEMBL", target=target)
    except ValueError:
        issues.append(
            InputIssue(
                row, "bad_activity", f"activity value {raw_value[:30]!r} is not a number", "warning"
            )
        )
    except InvalidActivity as exc:
        issues.append(InputIssue(row, "bad_activity", exc.message, "warning"))
    return None


_DATA_HEADER = re.compile(r"^>.*?<([^>]+)>")


def _sd_records(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (record number, first line number, block text) split at ``$$$$`` lines."""
    record, start = 0, 1
    block: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "$$$$":
            record += 1
            yield record, start, "\n".join(block)
            block, start = [], number + 1
        else:
            block.append(line)
    if any(line.strip() for line in block):
        yield record + 1, start, "\n".join(block)


def _molblock_problem(molblock: str) -> str:
    """A short reason why RDKit refused a V2000 MOL block (RDKit's own goes to its log)."""
    lines = molblock.splitlines()
    if len(lines) < 4:
        return "fewer than 4 header lines"
    counts = lines[3]
    if "V3000" in counts:
        return "V3000 block RDKit could not read"
    try:
        atoms, bonds = int(counts[0:3]), int(counts[3:6])
    except ValueError:
        return f"unreadable counts line {counts[:40]!r}"
    body = len(lines) - 4 - 1  # without header and the M  END line
    if body < atoms + bonds:
        return f"counts line declares {atoms} atoms and {bonds} bonds but the block is shorter"
    return "malformed atom or bond line"


def _sd_file(
    text: str,
    fmt: InputFormat,
    issues: list[InputIssue],
    *,
    max_heavy_atoms: int,
    max_line_length: int,
) -> Iterator[MoleculeRow]:
    records = list(_sd_records(text)) if fmt == "sdf" else [(1, 1, text)]
    if not records:
        raise InvalidMoleculeFile("the SDF file has no records")
    for record, start, block in records:
        end_at = block.find("M  END")
        if end_at < 0:
            issues.append(
                InputIssue(
                    record, "broken_block", f"record starting at line {start} has no 'M  END' line"
                )
            )
            continue
        if "\x00" in block:
            issues.append(InputIssue(record, "nul_byte", f"record at line {start} has a NUL byte"))
            continue
        if any(len(line) > max_line_length for line in block.splitlines()):
            issues.append(
                InputIssue(record, "line_too_long", f"record at line {start} has an over-long line")
            )
            continue
        molblock = block[: end_at + len("M  END")]
        with rdBase.BlockLogs():
            mol = Chem.MolFromMolBlock(molblock, sanitize=False, removeHs=False)
        if mol is None:
            detail = _molblock_problem(molblock)
            issues.append(
                InputIssue(
                    record,
                    "broken_block",
                    f"record starting at line {start} is not a valid MOL block"
                    + (f" ({detail})" if detail else ""),
                )
            )
            continue
        try:
            mol = _finish(mol, max_heavy_atoms=max_heavy_atoms)
        except _RowError as exc:
            issues.append(InputIssue(record, exc.kind, f"record at line {start}: {exc.message}"))
            continue
        items: dict[str, str] = {}
        current: str | None = None
        for line in block[end_at:].splitlines()[1:]:
            match = _DATA_HEADER.match(line)
            if match:
                current = match.group(1).strip()
                items[current] = ""
            elif current is not None and line.strip():
                items[current] = (items[current] + "\n" + line).strip()
            elif not line.strip():
                current = None
        injected = False
        for k in list(items):
            items[k], flag = _neutralise(items[k])
            injected |= flag
        title, flag_t = _neutralise(block.splitlines()[0].strip() if block else "")
        lowered = {_key(k): v for k, v in items.items()}
        name = _pick(lowered, _NAME_COLUMNS) or title or None
        identifier = _pick(lowered, _ID_COLUMNS)
        if injected or flag_t:
            issues.append(_injection_warning(record))
        yield MoleculeRow(
            row=record,
            mol=mol,
            smiles=Chem.MolToSmiles(mol),
            name=name,
            identifier=identifier,
            fields=items,
        )


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
