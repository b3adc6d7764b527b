"""The CLI formatter against the UI formatter's test table (frontend/src/format/cases.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matdiscover.cli.format import (
    column_formatter,
    format_interval,
    format_number,
    format_with_sigma,
)

CASES = json.loads(
    (Path(__file__).parents[2] / "frontend" / "src" / "format" / "cases.json").read_text(
        encoding="utf-8"
    )
)


def test_table_has_at_least_30_cases() -> None:
    n = sum(len(CASES[k]) for k in ("number", "sigma", "interval", "column"))
    assert n >= 30


@pytest.mark.parametrize(("x", "want"), CASES["number"])
def test_format_number(x: float, want: str) -> None:
    assert format_number(x) == want


@pytest.mark.parametrize(("value", "sigma", "want"), CASES["sigma"])
def test_format_with_sigma(value: float, sigma: float | None, want: str) -> None:
    assert format_with_sigma(value, sigma) == want


@pytest.mark.parametrize(("low", "high", "decimals", "want"), CASES["interval"])
def test_format_interval(low: float, high: float, decimals: int, want: str) -> None:
    assert format_interval(low, high, decimals) == want


@pytest.mark.parametrize(("values", "want"), CASES["column"])
def test_column_formatter(values: list[float | None], want: list[str]) -> None:
    f = column_formatter(values)
    assert [f(v) for v in values] == want


@pytest.mark.parametrize("e", range(-4, 6))
def test_no_e_notation_for_ordinary_magnitudes(e: int) -> None:
    for m in (1, 1.06, 8.33, 9.999):
        assert "e" not in format_number(m * 10**e)
