"""Number formatting of the CLI's Rich tables, with the web UI's rules.

The UI's ``frontend/src/format/number.ts`` and this module share one test table
(``frontend/src/format/cases.json``):

- a value with an uncertainty: σ to two significant figures and the value rounded to σ's
  last digit (``0.020 ± 0.059``, ``1.18 ± 0.38``, ``12300 ± 1200``);
- plain notation for ordinary magnitudes (1e-4 ≤ |x| < 1e6): ``0.000833``, ``105780``;
  ``1.2 × 10⁻⁵`` outside that range, never ``8.33e-04``;
- a table column uses the same decimals in every row (:func:`column_formatter`).

JSON output (``--json``) and CSV/Parquet exports keep full precision.

>>> format_with_sigma(0.0199, 0.0593)
'0.020 ± 0.059'
>>> format_number(8.33e-4)
'0.000833'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

PLAIN_MIN = 1e-4
PLAIN_MAX = 1e6
DASH = "—"
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

__all__ = [
    "column_formatter",
    "format_interval",
    "format_number",
    "format_value",
    "format_with_sigma",
]


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _exponent(x: float) -> int:
    return math.floor(math.log10(abs(x)) + 1e-12)


def _precision(x: float, sig: int) -> float:
    """``Number(x.toPrecision(sig))`` of JavaScript."""
    return float(f"{x:.{sig - 1}e}")


def _fixed(x: float, decimals: int) -> str:
    """``x.toFixed(decimals)`` of JavaScript (half away from zero on the decimal
    expansion of the double), never ``-0.00``."""
    d = Decimal(x).quantize(Decimal(1).scaleb(-max(decimals, 0)), rounding="ROUND_HALF_UP")
    s = f"{d:f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s


def _round_to(x: float, place: int) -> float:
    if place >= 0:  # Math.round of JavaScript: halves towards +inf
        f = 10**place
        return float(math.floor(x / f + 0.5) * f)
    return float(_fixed(x, -place))


def _scientific(x: float, sig: int) -> str:
    e = _exponent(_precision(x, sig))
    m = _precision(x / 10**e, sig)
    mant = f"{m:g}" if m != int(m) else str(int(m))
    return f"{mant} × 10{str(e).translate(_SUP)}"


def format_number(x: float | None, sig: int = 3) -> str:
    """A number on its own to ``sig`` significant figures, trailing zeros dropped."""
    if not _finite(x):
        return DASH
    assert x is not None
    if x == 0:
        return "0"
    if abs(x) < PLAIN_MIN or abs(x) >= PLAIN_MAX:
        return _scientific(x, sig)
    e = _exponent(_precision(x, sig))
    if e >= sig - 1:
        return _fixed(x, 0)
    s = _fixed(_precision(x, sig), sig - 1 - e)
    return s.rstrip("0").rstrip(".") if "." in s else s


def _measured(value: float, sigma: float) -> tuple[str, str, int | None, str]:
    s2 = _precision(sigma, 2)
    last = _exponent(s2) - 1
    if s2 < PLAIN_MIN or abs(value) >= PLAIN_MAX:
        e = _exponent(value if abs(value) >= s2 else s2)
        v, s, _, _ = _measured(value / 10**e, sigma / 10**e)
        return v, s, None, f" × 10{str(e).translate(_SUP)}"
    decimals = max(0, -last)
    return (
        _fixed(_round_to(value, last), decimals),
        _fixed(_round_to(s2, last), decimals),
        decimals,
        "",
    )


def format_with_sigma(value: float | None, sigma: float | None) -> str:
    """``0.020 ± 0.059``: σ to two significant figures, value rounded to σ's last digit."""
    if not _finite(value):
        return DASH
    assert value is not None
    if not _finite(sigma) or sigma is None or sigma <= 0:
        return format_number(value)
    v, s, _, power = _measured(value, sigma)
    return f"({v} ± {s}){power}" if power else f"{v} ± {s}"


def sigma_decimals(value: float, sigma: float | None) -> int | None:
    """Decimals :func:`format_with_sigma` uses (None without σ or in scientific notation)."""
    if not _finite(value) or not _finite(sigma) or sigma is None or sigma <= 0:
        return None
    return _measured(value, sigma)[2]


def format_interval(low: float, high: float, decimals: int | None = None) -> str:
    """``95 %: 0.10 to 1.90`` with σ's decimals (or 3 significant figures)."""

    def f(x: float) -> str:
        return format_number(x) if decimals is None else _fixed(_round_to(x, -decimals), decimals)

    return f"95 %: {f(low)} to {f(high)}"


def column_formatter(values: Sequence[float | None], sig: int = 3) -> Callable[[float | None], str]:
    """One formatter for a table column: the same decimals in every row, chosen so the
    median magnitude gets ``sig`` significant figures (0-6 decimals)."""
    mags = sorted(abs(v) for v in values if _finite(v) and v)
    if not mags:
        return lambda x: _fixed(x, 0) if _finite(x) and x is not None else DASH
    median = mags[len(mags) // 2]
    if median < PLAIN_MIN or median >= PLAIN_MAX:
        return lambda x: format_number(x, sig)
    decimals = max(0, min(6, sig - 1 - _exponent(median)))
    return lambda x: _fixed(x, decimals) if _finite(x) and x is not None else DASH


def format_value(v: Any) -> str:
    """Any table cell: floats with :func:`format_number`, others as text."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return format_number(v)
    return str(v)
