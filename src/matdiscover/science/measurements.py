"""Reading files of measured property values (CSV, TSV, XLSX).

One row per measurement. Column names are matched case-insensitively, ignoring spaces,
hyphens and dots (``Material ID`` = ``material_id``); the accepted names:

===============  ================================================================
column           aliases and meaning
===============  ================================================================
``material_id``  ``material``: id of one of your uploaded materials
``formula``      ``composition``, ``compound``: a chemical formula
``sample_id``    ``sample``, ``sample_name``: your own sample label
``property``     ``quantity``: a catalogue key or display name (``band_gap``,
                 ``Band gap``, ``bandgap``)
``value``        ``measured_value``, ``measurement``: a number
``unit``         ``units``: any unit of the property's dimension (empty = the
                 catalogue unit)
``uncertainty``  ``error``, ``sigma``, ``std``: one standard uncertainty, same unit
``method``       ``technique``
``temperature``  ``T``: condition, a number in K or a number with a unit
                 (``25 degC``, ``300 K``)
``conditions.X`` any other condition, kept as given (number or text)
``date``         ``measured_at``, ``measured_on``: ISO date (``2026-03-14``)
``notes``        ``note``, ``comment``, ``comments``
===============  ================================================================

At least one of ``material_id``, ``formula`` and ``sample_id`` is needed, plus
``property`` and ``value``. Values are converted with ``pint`` to the catalogue unit:
eV (band gap; meV, J...), eV/atom (formation energy, energy above hull; meV/atom, and
kJ/mol or kcal/mol read as per mole of atoms), GPa (moduli; MPa, kbar, Pa, psi) and K
(Debye temperature; degC, degF). Other columns are ignored (reported in
:attr:`ParsedMeasurements.ignored_columns`).

Text must be UTF-8 (with or without BOM) or UTF-16 with a BOM. Problems with the whole
file (encoding, size, no header, required column missing, a corrupt XLSX) raise
:class:`~matdiscover.errors.InvalidInput` / ``InputTooLarge``; problems with rows are
collected, every one of them, as :class:`RowError` (row numbers as a spreadsheet shows
them: the header is row 1, the first measurement row 2).

Example:
    >>> parsed = parse_measurements(
    ...     b"formula,property,value,unit\\nGaAs,band gap,1420,meV\\nSi,band_gap,x,eV\\n",
    ...     "gaps.csv")
    >>> [(r.formula, r.property, r.value, r.unit) for r in parsed.rows]
    [('GaAs', 'band_gap', 1.42, 'eV')]
    >>> parsed.errors[0]
    RowError(row=3, column='value', message="not a number: 'x'")
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from matdiscover.errors import InputTooLarge, InvalidComposition, InvalidInput
from matdiscover.science.properties import CATALOGUE, PropertyName

__all__ = [
    "MAX_ROWS",
    "MeasurementRow",
    "ParsedMeasurements",
    "RowError",
    "chemical_family",
    "neutralise_cell",
    "parse_measurements",
    "resolve_property",
]

MAX_ROWS = 100_000
#: an .xlsx may not unpack to more than this many times the file size (zip bombs)
MAX_XLSX_RATIO = 100
MAX_TEXT = 2000

_ALIASES: dict[str, tuple[str, ...]] = {
    "material_id": ("material_id", "material", "materialid"),
    "formula": ("formula", "composition", "compound", "reduced_formula"),
    "sample_id": ("sample_id", "sample", "sample_name", "sampleid"),
    "property": ("property", "quantity"),
    "value": ("value", "measured_value", "measurement", "measured"),
    "unit": ("unit", "units"),
    "uncertainty": ("uncertainty", "error", "sigma", "std", "stderr"),
    "method": ("method", "technique"),
    "temperature": ("temperature", "t", "temp"),
    "date": ("date", "measured_at", "measured_on"),
    "notes": ("notes", "note", "comment", "comments"),
}
_COLUMN_OF = {alias: column for column, names in _ALIASES.items() for alias in names}
IDENTIFIERS = ("material_id", "formula", "sample_id")

_PROPERTY_ALIASES = {
    "bandgap": PropertyName.band_gap,
    "gap": PropertyName.band_gap,
    "eg": PropertyName.band_gap,
    "ehull": PropertyName.energy_above_hull,
    "e_above_hull": PropertyName.energy_above_hull,
    "debye": PropertyName.debye_temperature,
}
# the pint dimensionality each catalogue unit stands for
_TARGET = {"eV": "eV", "eV/atom": "eV", "GPa": "GPa", "K": "K"}


@dataclass(frozen=True)
class RowError:
    """One problem in one row: ``column`` is ``None`` for the row as a whole."""

    row: int
    column: str | None
    message: str


@dataclass(frozen=True)
class MeasurementRow:
    """A valid measurement, converted to the catalogue unit of its property."""

    row: int
    material_id: int | None
    formula: str | None  # reduced formula
    sample_id: str | None
    property: str
    value: float
    unit: str
    uncertainty: float | None
    method: str | None
    conditions: dict[str, Any]
    measured_at: datetime | None
    notes: str | None


@dataclass
class ParsedMeasurements:
    rows: list[MeasurementRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", name.strip().lower()).strip("_")


def resolve_property(text: str) -> str | None:
    """The catalogue key for a key, display name or alias (``None`` if unknown).

    >>> resolve_property("Band gap"), resolve_property("BULK_MODULUS"), resolve_property("x")
    ('band_gap', 'bulk_modulus', None)
    """
    key = _key(text)
    for name, info in CATALOGUE.items():
        if key in (name.value, _key(info.display_name)):
            return name.value
    alias = _PROPERTY_ALIASES.get(key)
    return alias.value if alias else None


def neutralise_cell(text: str) -> str:
    """A text cell made safe for spreadsheets: cells starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return get a leading ``'`` (no formula runs when opened).

    >>> neutralise_cell("=cmd|' /C calc'!A0"), neutralise_cell("NaCl")
    ("'=cmd|' /C calc'!A0", 'NaCl')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


#: anion element -> family, checked from the most electronegative anion down
_FAMILIES = (
    ("F", "halides"),
    ("O", "oxides"),
    ("Cl", "halides"),
    ("N", "nitrides"),
    ("Br", "halides"),
    ("I", "halides"),
    ("S", "chalcogenides"),
    ("Se", "chalcogenides"),
    ("Te", "chalcogenides"),
    ("C", "carbides"),
    ("P", "pnictides"),
    ("As", "pnictides"),
    ("Sb", "pnictides"),
    ("H", "hydrides"),
)


def chemical_family(formula: str) -> str:
    """The chemical family of a compound by its most electronegative anion: halides,
    oxides, nitrides, chalcogenides, carbides, pnictides, hydrides; compounds without
    these are intermetallics, a single element is ``elements``.

    >>> chemical_family("Fe2O3"), chemical_family("GaN"), chemical_family("NaCl")
    ('oxides', 'nitrides', 'halides')
    >>> chemical_family("CdTe"), chemical_family("Ni3Al"), chemical_family("Si")
    ('chalcogenides', 'intermetallics', 'elements')
    """
    symbols = set(re.findall(r"[A-Z][a-z]?", formula))
    if len(symbols) <= 1:
        return "elements"
    for symbol, family in _FAMILIES:
        if symbol in symbols:
            return family
    return "intermetallics"


# ------------------------------------------------------------------------ decoding


def _decode(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{filename}: not {encoding.upper()} text (byte {exc.start} cannot be decoded); "
            "save the file as UTF-8 (CSV UTF-8 in Excel) or UTF-16 with a BOM"
        ) from None
    if "\x00" in text:
        raise InvalidInput(f"{filename}: contains NUL characters; this is not a text table")
    return text


def _text_rows(data: bytes, filename: str) -> Iterator[list[Any]]:
    text = _decode(data, filename)
    first = text.split("\n", 1)[0]
    tsv = filename.lower().endswith((".tsv", ".tab")) or ("\t" in first and "," not in first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tsv else ",")
    try:
        yield from reader
    except csv.Error as exc:
        raise InvalidInput(f"{filename}: not a readable table: {exc}") from None


def _xlsx_rows(data: bytes, filename: str) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_RATIO * max(len(data), 1):
                raise InvalidInput(f"{filename}: unpacks to {unpacked:,} bytes; refused")
            bad = archive.testzip()
        if bad is not None:
            raise InvalidInput(f"{filename}: corrupt .xlsx (member {bad!r} is damaged)")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except InvalidInput:
        raise
    except Exception as exc:
        raise InvalidInput(
            f"{filename}: not a valid .xlsx workbook ({type(exc).__name__}); "
            "save it again from your spreadsheet program or export it as CSV"
        ) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    except Exception as exc:
        raise InvalidInput(f"{filename}: cannot read the first sheet ({exc})") from None
    finally:
        book.close()


def _rows_of(data: bytes, filename: str) -> Iterator[list[Any]]:
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data, filename)
    if name.endswith((".xls", ".ods", ".parquet")):
        raise InvalidInput(f"{filename}: unsupported format; use .csv, .tsv or .xlsx")
    return _text_rows(data, filename)


# ------------------------------------------------------------------------ units


@lru_cache(maxsize=1)
def _registry() -> Any:
    import pint

    return pint.UnitRegistry()


@lru_cache(maxsize=256)
def _converter(unit: str, target: str) -> tuple[float, float] | str:
    """``(scale, offset)`` with ``value_target = scale * value + offset``, or an error."""
    ureg = _registry()
    text = unit.strip().replace("°", "deg").replace("Å", "angstrom")
    per_atom = target == "eV/atom"
    if per_atom:
        text = re.sub(r"\s*(/|per)\s*atom$", "", text, flags=re.IGNORECASE)
    try:
        units = ureg.Unit(text)
    except Exception:
        return f"unknown unit {unit!r}"
    goal = ureg.Unit(_TARGET[target])
    try:
        if per_atom and units.dimensionality == (ureg.J / ureg.mol).dimensionality:
            # kJ/mol of atoms -> energy per atom
            per = (ureg.Quantity(1.0, units) / ureg.avogadro_constant).to(goal).magnitude
            return float(per), 0.0
        zero = ureg.Quantity(0.0, units).to(goal).magnitude
        one = ureg.Quantity(1.0, units).to(goal).magnitude
    except Exception:
        return f"unit {unit!r} is not a unit of {target} (wrong dimension)"
    return float(one - zero), float(zero)


def _number(cell: Any) -> float | str:
    if isinstance(cell, bool):
        return f"not a number: {cell!r}"
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        text = str(cell).strip()
        try:
            number = float(text)
        except ValueError:
            return f"not a number: {text[:40]!r}"
    if not math.isfinite(number):
        return f"not a finite number: {cell!r}"
    return number


def _temperature(cell: Any) -> float | str:
    number = _number(cell)
    if isinstance(number, float):
        return number
    match = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(.+?)\s*", str(cell))
    if not match:
        return f"not a temperature: {str(cell)[:40]!r} (use a number in K or '25 degC')"
    value = _number(match.group(1))
    if isinstance(value, str):
        return value
    conv = _converter(match.group(2), "K")
    if isinstance(conv, str):
        return conv
    return conv[0] * value + conv[1]


def _date(cell: Any) -> datetime | str:
    if isinstance(cell, datetime):
        return cell if cell.tzinfo else cell.replace(tzinfo=UTC)
    if isinstance(cell, date):
        return datetime(cell.year, cell.month, cell.day, tzinfo=UTC)
    text = str(cell).strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return f"not a date: {text[:40]!r} (use YYYY-MM-DD)"
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _formula(text: str) -> str | None | RowError:
    from matdiscover.science.predict import parse_formula

    try:
        return str(parse_formula(text).reduced_formula)
    except (InvalidComposition, InvalidInput) as exc:
        return RowError(0, "formula", exc.message)


# ------------------------------------------------------------------------ rows


def _header(cells: list[Any]) -> tuple[dict[str, int], dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    conditions: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        raw = "" if cell is None else str(cell).strip()
        key = _key(raw)
        if key.startswith("conditions_") and len(key) > len("conditions_"):
            conditions[key[len("conditions_") :]] = index
        elif key in _COLUMN_OF and _COLUMN_OF[key] not in columns:
            columns[_COLUMN_OF[key]] = index
        elif raw:
            ignored.append(raw[:100])
    return columns, conditions, ignored


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_measurements(
    data: bytes, filename: str, *, max_bytes: int = 10 * 1024 * 1024, max_rows: int = MAX_ROWS
) -> ParsedMeasurements:
    """Parse a measurements file: valid rows and every row error (see the module doc).

    Raises:
        InputTooLarge: more than ``max_bytes`` bytes or ``max_rows`` rows.
        InvalidInput: the file as a whole cannot be read (encoding, no header, a required
            column missing, a corrupt workbook).
    """
    if len(data) > max_bytes:
        raise InputTooLarge(
            f"{filename}: {len(data):,} bytes; measurement files are limited to "
            f"{max_bytes // (1024 * 1024)} MB"
        )
    if not data.strip():
        raise InvalidInput(f"{filename}: the file is empty")
    rows = _rows_of(data, filename)
    header = next((r for r in rows if not all(_blank(c) for c in r)), None)
    if header is None:
        raise InvalidInput(f"{filename}: the file is empty")
    columns, condition_columns, ignored = _header(header)
    missing = [c for c in ("property", "value") if c not in columns]
    if not any(c in columns for c in IDENTIFIERS):
        missing.insert(0, "material_id, formula or sample_id")
    if missing:
        raise InvalidInput(
            f"{filename}: missing column(s): {', '.join(missing)}; the header row has "
            f"{[str(c) for c in header if not _blank(c)][:20]}"
        )
    out = ParsedMeasurements(ignored_columns=ignored)
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows):
        number = offset + 2
        if all(_blank(c) for c in cells):
            continue
        if len(out.rows) + len({e.row for e in out.errors}) >= max_rows:
            raise InputTooLarge(f"{filename}: more than {max_rows:,} rows")
        errors: list[RowError] = []
        row = _row(number, cells, columns, condition_columns, errors)
        if row is not None and not errors:
            key = json.dumps(
                [
                    row.material_id,
                    row.formula,
                    row.sample_id,
                    row.property,
                    row.conditions,
                    row.value,
                ],
                sort_keys=True,
                default=str,
            )
            if key in seen:
                errors.append(RowError(number, None, f"duplicate of row {seen[key]}"))
            else:
                seen[key] = number
        if errors:
            out.errors.extend(errors)
        elif row is not None:
            out.rows.append(row)
    if not out.rows and not out.errors:
        raise InvalidInput(f"{filename}: no measurement rows under the header")
    return out


def _cell(cells: list[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    cell = cells[index]
    return None if _blank(cell) else cell


def _text(cell: Any) -> str | None:
    return None if cell is None else str(cell).strip()[:MAX_TEXT]


def _row(
    number: int,
    cells: list[Any],
    columns: dict[str, int],
    condition_columns: dict[str, int],
    errors: list[RowError],
) -> MeasurementRow | None:
    def get(name: str) -> Any:
        return _cell(cells, columns.get(name))

    def fail(column: str | None, message: str) -> None:
        errors.append(RowError(number, column, message))

    material_id: int | None = None
    if (raw_id := get("material_id")) is not None:
        as_number = _number(raw_id)
        if isinstance(as_number, str) or as_number != int(as_number) or as_number < 1:
            fail("material_id", f"not a material id: {str(raw_id)[:40]!r}")
        else:
            material_id = int(as_number)
    formula: str | None = None
    if (raw_formula := get("formula")) is not None:
        parsed = _formula(str(raw_formula))
        if isinstance(parsed, RowError):
            fail("formula", parsed.message)
        else:
            formula = parsed
    sample_id = _text(get("sample_id"))
    if sample_id is not None:
        sample_id = sample_id[:200]
    if raw_id is None and raw_formula is None and sample_id is None:
        fail(None, "no material_id, formula or sample_id")

    prop: str | None = None
    if (raw_prop := get("property")) is None:
        fail("property", "missing property")
    elif (prop := resolve_property(str(raw_prop))) is None:
        known = ", ".join(p.value for p in PropertyName)
        fail("property", f"unknown property {str(raw_prop)[:40]!r}; known: {known}")
    target = CATALOGUE[PropertyName(prop)].unit if prop else None

    conv: tuple[float, float] | None = None
    raw_unit = _text(get("unit"))
    if target is not None:
        found = _converter(raw_unit, target) if raw_unit else (1.0, 0.0)
        if isinstance(found, str):
            fail("unit", f"{found} (property {prop} is stored in {target})")
        else:
            conv = found

    value: float | None = None
    if (raw_value := get("value")) is None:
        fail("value", "missing value")
    elif isinstance(parsed_value := _number(raw_value), str):
        fail("value", parsed_value)
    elif conv is not None:
        value = conv[0] * parsed_value + conv[1]

    uncertainty: float | None = None
    if (raw_unc := get("uncertainty")) is not None:
        unc = _number(raw_unc)
        if isinstance(unc, str):
            fail("uncertainty", unc)
        elif unc < 0:
            fail("uncertainty", f"negative uncertainty {unc}")
        elif conv is not None:
            uncertainty = abs(conv[0]) * unc

    conditions: dict[str, Any] = {}
    if (raw_t := get("temperature")) is not None:
        temp = _temperature(raw_t)
        if isinstance(temp, str):
            fail("temperature", temp)
        elif temp < 0:
            fail("temperature", f"below absolute zero: {temp} K")
        else:
            conditions["temperature"] = temp
    for name, index in condition_columns.items():
        cell = _cell(cells, index)
        if cell is not None:
            as_number = _number(cell)
            conditions[name[:64]] = as_number if isinstance(as_number, float) else _text(cell)

    measured_at: datetime | None = None
    if (raw_date := get("date")) is not None:
        when = _date(raw_date)
        if isinstance(when, str):
            fail("date", when)
        else:
            measured_at = when

    if errors or prop is None or value is None or target is None:
        return None
    return MeasurementRow(
        row=number,
        material_id=material_id,
        formula=formula,
        sample_id=sample_id,
        property=prop,
        value=value,
        unit=target,
        uncertainty=uncertainty,
        method=_text(get("method")),
        conditions=conditions,
        measured_at=measured_at,
        notes=_text(get("notes")),
    )
