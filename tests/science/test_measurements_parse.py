"""Parsing measurement files (no database): columns and aliases, unit conversion with
pint, encodings, every row error collected, chemical families, cell neutralisation."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.science.measurements import (
    chemical_family,
    neutralise_cell,
    parse_measurements,
    resolve_property,
)


def _one(text: str) -> tuple[float, str, float | None]:
    parsed = parse_measurements(text.encode(), "m.csv")
    assert parsed.errors == []
    row = parsed.rows[0]
    return row.value, row.unit, row.uncertainty


@pytest.mark.parametrize(
    ("prop", "value", "unit", "expected", "target"),
    [
        ("band_gap", "1420", "meV", 1.42, "eV"),
        ("band gap", "1.42", "", 1.42, "eV"),
        ("formation energy", "-100", "meV/atom", -0.1, "eV/atom"),
        ("formation_energy", "-96.485332", "kJ/mol", -1.0, "eV/atom"),  # per mole of atoms
        ("formation_energy", "-23.060548", "kcal/mol", -1.0, "eV/atom"),
        ("Bulk modulus", "160000", "MPa", 160.0, "GPa"),
        ("shear_modulus", "10", "kbar", 1.0, "GPa"),
        ("Debye temperature", "25", "°C", 298.15, "K"),
        ("debye_temperature", "32", "degF", 273.15, "K"),
        ("energy above hull", "25", "meV / atom", 0.025, "eV/atom"),
    ],
)
def test_units_convert_to_the_catalogue_unit(
    prop: str, value: str, unit: str, expected: float, target: str
) -> None:
    got, got_unit, _ = _one(f"sample,property,value,unit\ns,{prop},{value},{unit}\n")
    assert got == pytest.approx(expected, rel=1e-5) and got_unit == target


def test_uncertainty_scales_without_the_offset() -> None:
    _, _, unc = _one("sample,property,value,unit,uncertainty\ns,debye_temperature,25,degC,2\n")
    assert unc == pytest.approx(2.0)
    _, _, unc = _one("sample,property,value,unit,error\ns,band_gap,1500,meV,30\n")
    assert unc == pytest.approx(0.03)


def test_aliases_conditions_dates_and_ignored_columns() -> None:
    data = (
        "Sample Name,Quantity,Measured Value,Units,Technique,T,conditions.pressure,"
        "Measured On,Comment,Colour\n"
        "S1,Eg,1.1,eV,UV-vis,25 degC,1 atm,2026-03-14,ok,red\n"
    )
    parsed = parse_measurements(data.encode(), "m.csv")
    row = parsed.rows[0]
    assert (row.sample_id, row.property, row.method, row.notes) == (
        "S1",
        "band_gap",
        "UV-vis",
        "ok",
    )
    assert row.conditions == {"temperature": pytest.approx(298.15), "pressure": "1 atm"}
    assert row.measured_at == datetime(2026, 3, 14, tzinfo=UTC)
    assert parsed.ignored_columns == ["Colour"]


@pytest.mark.parametrize(
    "encoded",
    [
        b"formula,property,value\nGaAs,band_gap,1.4\n",
        "\ufeffformula,property,value\nGaAs,band_gap,1.4\n".encode(),
        "formula,property,value\nGaAs,band_gap,1.4\n".encode("utf-16"),  # with BOM
        b"formula\tproperty\tvalue\r\nGaAs\tband_gap\t1.4\r\n",
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "tsv-crlf"],
)
def test_accepted_encodings_and_delimiters(encoded: bytes) -> None:
    parsed = parse_measurements(encoded, "m.txt")
    assert [(r.formula, r.value) for r in parsed.rows] == [("GaAs", 1.4)]


def test_xlsx_with_numbers_and_dates() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["formula", "property", "value", "date"])
    sheet.append(["Si", "band_gap", 1.12, datetime(2025, 1, 2)])
    sheet.append([None, None, None, None])
    sheet.append(["GaAs", "band_gap", "x", None])
    out = io.BytesIO()
    book.save(out)
    parsed = parse_measurements(out.getvalue(), "m.xlsx")
    assert [(r.row, r.formula, r.value) for r in parsed.rows] == [(2, "Si", 1.12)]
    assert parsed.rows[0].measured_at == datetime(2025, 1, 2, tzinfo=UTC)
    assert [(e.row, e.column) for e in parsed.errors] == [(4, "value")]


def test_every_row_error_is_collected_not_just_the_first() -> None:
    data = (
        "formula,property,value,unit,uncertainty,date\n"
        "GaAs,band_gap,1,eV,,\n"
        ",band_gap,1,eV,,\n"  # no identifier
        "GaAs,mass,1,eV,,\n"  # unknown property
        "GaAs,band_gap,inf,eV,,\n"
        "GaAs,band_gap,1,parsec,,\n"  # wrong dimension
        "GaAs,band_gap,1,flurbs,,\n"  # unknown unit
        "GaAs,band_gap,2,eV,-1,\n"
        "GaAs,band_gap,3,eV,,31/02/2026\n"
        "Qq2,band_gap,1,eV,,\n"
        "GaAs,band_gap,1,eV,,\n"  # duplicate of row 2
    )
    parsed = parse_measurements(data.encode(), "m.csv")
    assert [(e.row, e.column) for e in parsed.errors] == [
        (3, None),
        (4, "property"),
        (5, "value"),
        (6, "unit"),
        (7, "unit"),
        (8, "uncertainty"),
        (9, "date"),
        (10, "formula"),
        (11, None),
    ]
    assert "duplicate of row 2" in parsed.errors[-1].message
    assert "wrong dimension" in parsed.errors[3].message
    assert "unknown unit" in parsed.errors[4].message
    assert len(parsed.rows) == 1


def test_file_level_problems_raise() -> None:
    with pytest.raises(InvalidInput, match="UTF-8"):
        parse_measurements("formula,property,value\nCé,band_gap,1\n".encode("latin-1"), "m.csv")
    with pytest.raises(InvalidInput, match="missing column"):
        parse_measurements(b"formula,property\nGaAs,band_gap\n", "m.csv")
    with pytest.raises(InvalidInput, match="empty"):
        parse_measurements(b"  \n\n", "m.csv")
    with pytest.raises(InputTooLarge):
        parse_measurements(b"formula,property,value\n" + b"x" * 2048, "m.csv", max_bytes=1024)
    rows = b"formula,property,value\n" + b"GaAs,band_gap,1\n" * 11
    with pytest.raises(InputTooLarge, match="more than 10 rows"):
        parse_measurements(rows, "m.csv", max_rows=10)


def test_properties_families_and_neutralised_cells() -> None:
    assert resolve_property("Debye Temperature") == "debye_temperature"
    assert resolve_property("bandgap") == "band_gap"
    assert resolve_property("density") is None
    assert [chemical_family(f) for f in ("CsPbI3", "TiO2", "Si3N4", "ZnSe", "SiC", "NiTi")] == [
        "halides",
        "oxides",
        "nitrides",
        "chalcogenides",
        "carbides",
        "intermetallics",
    ]
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("Fe2O3") == "Fe2O3"
