"""Format readers of :func:`matdiscover.science.chemistry.inputs.read_molecules`: SMILES
lists, CSV/TSV tables (with ChEMBL activity columns) and SDF/MOL records. Each yields good
rows and appends an issue per bad row."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping

from rdkit import Chem, rdBase

from matdiscover.science.chemistry._rows import (
    _ID_COLUMNS,
    _NAME_COLUMNS,
    _PCHEMBL_COLUMNS,
    _RELATION_COLUMNS,
    _SMILES_COLUMNS,
    _TARGET_COLUMNS,
    _TYPE_COLUMNS,
    _UNIT_COLUMNS,
    _VALUE_COLUMNS,
    InputFormat,
    InputIssue,
    MoleculeRow,
    _finish,
    _injection_warning,
    _key,
    _mol_from_smiles,
    _neutralise,
    _pick,
    _RowError,
)
from matdiscover.science.chemistry.efficiency import Activity, normalise_relation
from matdiscover.science.chemistry.errors import InvalidActivity, InvalidMoleculeFile


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
