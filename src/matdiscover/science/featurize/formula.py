"""A small, fast, cached chemical-formula parser.

Handles element symbols with integer or decimal amounts (``Fe0.62C0.0009``), nested
groups in ``()``, ``[]`` or ``{}`` with multipliers (``Zr3(Cu2Ge)2``), and hydrate or
adduct notation with ``·``, ``•``, ``∙`` or ``*`` separators and an optional leading
multiplier (``CuSO4·5H2O``). A ``.`` is always read as a decimal point, so write hydrates
with ``·``. About 10x faster than :class:`pymatgen.core.Composition` and memoised.

Example:
    >>> parse_formula("Zr3(Cu2Ge)2")
    {'Zr': 3.0, 'Cu': 4.0, 'Ge': 2.0}
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from matdiscover.errors import InvalidComposition

__all__ = ["ELEMENTS", "MAX_AMOUNT", "MIN_AMOUNT", "parse_formula", "reduced_formula_key"]

_SYMBOLS = """
H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se
Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy
Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf
Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og
"""
ELEMENTS: tuple[str, ...] = tuple(_SYMBOLS.split())
_KNOWN = frozenset(ELEMENTS)
_TOKEN = re.compile(
    r"(?P<el>[A-Z][a-z]*)|(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])|(?P<sep>[·•∙*])|(?P<ws>\s+)|(?P<bad>.)"
)
_CLOSE_FOR = {"(": ")", "[": "]", "{": "}"}
MAX_FORMULA_LENGTH = 512
MAX_AMOUNT = 1e6
"""Most atoms of one element per formula unit (and largest multiplier)."""
MIN_AMOUNT = 1e-8
"""Smallest non-zero amount; pymatgen would silently drop anything smaller."""


def _amount(formula: str, text: str, what: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value > MAX_AMOUNT:
        raise _fail(formula, f"{what} {text[:40]} is out of range (at most {MAX_AMOUNT:g})")
    return value


def _fail(formula: str, why: str) -> InvalidComposition:
    return InvalidComposition(f"invalid formula {formula!r}: {why}")


def _parse_part(formula: str, part: str) -> dict[str, float]:
    # Stack of (open bracket, accumulated amounts); the bottom frame has bracket "".
    stack: list[tuple[str, dict[str, float]]] = [("", {})]
    pending: dict[str, float] | None = None  # last element/group awaiting a multiplier

    def flush(mult: float) -> None:
        if pending is not None:
            cur = stack[-1][1]
            for el, amt in pending.items():
                cur[el] = cur.get(el, 0.0) + amt * mult

    for m in _TOKEN.finditer(part):
        kind = m.lastgroup
        text = m.group()
        if kind == "ws":
            continue
        if kind == "num":
            if pending is None:
                raise _fail(formula, f"number {text!r} does not follow an element or group")
            flush(_amount(formula, text, "amount"))
            pending = None
            continue
        flush(1.0)
        pending = None
        if kind == "el":
            if text not in _KNOWN:
                raise _fail(formula, f"unknown element symbol {text!r}")
            pending = {text: 1.0}
        elif kind == "open":
            stack.append((text, {}))
        elif kind == "close":
            opener, inner = stack.pop() if len(stack) > 1 else ("", {})
            if _CLOSE_FOR.get(opener) != text:
                raise _fail(formula, f"unbalanced {text!r}")
            pending = inner
        else:
            raise _fail(formula, f"unexpected character {text!r}")
    flush(1.0)
    if len(stack) != 1:
        raise _fail(formula, f"unclosed {stack[-1][0]!r}")
    return stack[0][1]


@lru_cache(maxsize=1 << 18)
def _parse_cached(formula: str) -> tuple[tuple[str, float], ...]:
    if not formula or not formula.strip():
        raise _fail(formula, "empty")
    if len(formula) > MAX_FORMULA_LENGTH:
        raise _fail(formula[:40] + "...", f"longer than {MAX_FORMULA_LENGTH} characters")
    total: dict[str, float] = {}
    for raw in re.split(r"[·•∙*]", formula):
        part = raw.strip()
        if not part:
            raise _fail(formula, "empty component around a hydrate separator")
        mult = 1.0
        lead = re.match(r"\d+(?:\.\d*)?|\.\d+", part)
        if lead is not None:
            mult = _amount(formula, lead.group(), "multiplier")
            part = part[lead.end() :]
        for el, amt in _parse_part(formula, part).items():
            total[el] = total.get(el, 0.0) + amt * mult
    if any(v < 0 for v in total.values()):
        raise _fail(formula, "negative amount")
    for el, amt in total.items():
        if not math.isfinite(amt) or amt > MAX_AMOUNT:
            raise _fail(formula, f"the amount of {el} is out of range (at most {MAX_AMOUNT:g})")
        if 0 < amt < MIN_AMOUNT:
            raise _fail(formula, f"the amount of {el} is out of range (at least {MIN_AMOUNT:g})")
    out = tuple((el, amt) for el, amt in total.items() if amt > 0)
    if not out:
        raise _fail(formula, "no atoms")
    return out


def parse_formula(formula: str) -> dict[str, float]:
    """Parse a chemical formula into element amounts (not normalised).

    Args:
        formula: e.g. ``"Fe2O3"``, ``"Ca(OH)2"``, ``"Fe0.5Ni0.5"``, ``"CuSO4·5H2O"``.

    Returns:
        Mapping element symbol -> amount (atoms per formula unit), in order of first
        appearance; elements with zero amount are dropped.

    Raises:
        InvalidComposition: empty, malformed, unknown element symbol (the message names it),
            or an amount out of range: more than ``MAX_AMOUNT`` atoms of an element, a
            multiplier above ``MAX_AMOUNT``, or a non-zero amount below ``MIN_AMOUNT``.
    """
    if not isinstance(formula, str):
        raise InvalidComposition(f"invalid formula {formula!r}: not a string")
    return dict(_parse_cached(formula))


def reduced_formula_key(formula: str) -> str:
    """A canonical key for the reduced composition, used to group polymorphs.

    Elements are sorted alphabetically and amounts normalised to atomic fractions
    rounded to 6 decimals, so ``"Fe4O6"`` and ``"Fe2O3"`` share a key.
    """
    amounts = _parse_cached(formula)
    total = sum(a for _, a in amounts)
    return "".join(f"{el}{a / total:.6f}" for el, a in sorted(amounts))
