"""Formula and element resolution: turning what the user typed into SQL conditions.

Two kinds of formula filter:

* exact ones (``formula=Fe2O3``, ``reduced_formula``, ``chemical_system``) become plain
  conditions on ``materials`` (:func:`formula_condition`, :func:`chemsys_condition`);
* patterns (fuzzy ``q``/``formula`` with typos, ``*`` wildcards) are matched over the
  few distinct formulas in ``material_formulas`` (:func:`formula_patterns`) and, when
  that list is short, resolved to the formulas themselves (:func:`resolve_formulas`),
  which gives the planner real values instead of pg_trgm's rough estimates.

Malformed input (unknown element symbols, invalid formulas or patterns) raises
:class:`~matdiscover.errors.InvalidInput` (a 400 in the API).

Example:
    >>> normalise_elements(["fe,o", "Li"])
    ['Fe', 'O', 'Li']
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from matdiscover.domains.materials.service import Material, MaterialFormula
from matdiscover.domains.search.schemas import ElementFilters, MaterialQuery
from matdiscover.errors import InvalidInput

#: Distinct formulas a fuzzy/wildcard pattern may match and still be passed as a list.
MAX_RESOLVED_FORMULAS = 5_000


def normalise_elements(symbols: list[str] | None) -> list[str] | None:
    """``["fe,o", "Li"]`` → ``["Fe", "O", "Li"]``; raises on unknown symbols."""
    if not symbols:
        return None
    from pymatgen.core.periodic_table import Element

    out = []
    for raw in symbols:
        for sym in raw.replace(",", " ").replace("-", " ").split():
            sym = sym.strip().capitalize()
            if not Element.is_valid_symbol(sym):
                raise InvalidInput(f"unknown element symbol {sym!r}")
            out.append(sym)
    return out or None


def composition(formula: str) -> Any:
    """The pymatgen ``Composition`` of ``formula``; raises InvalidInput if it is none."""
    from pymatgen.core import Composition, Element

    try:
        comp = Composition(formula)
        if comp.num_atoms <= 0 or not all(isinstance(el, Element) for el in comp.elements):
            raise ValueError("empty or not elements")
        return comp
    except Exception as exc:
        raise InvalidInput(f"invalid formula {formula!r}") from exc


def _fuzzy_pattern(text_: str) -> ColumnElement[bool]:
    """``reduced_formula % text`` on ``material_formulas`` (pg_trgm similarity ≥
    ``pg_trgm.similarity_threshold``, 0.3 by default)."""
    return MaterialFormula.reduced_formula.op("%")(text_.replace(" ", ""))


def wildcard_like(formula: str) -> str | None:
    """The LIKE pattern of a ``*`` formula pattern (``Li*O4`` → ``Li%O4``), else None."""
    compact = formula.replace(" ", "")
    if "*" not in compact:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.*()]+", compact):
        raise InvalidInput(f"invalid formula pattern {formula!r}")
    return compact.replace("*", "%")


def formula_patterns(query: MaterialQuery) -> list[ColumnElement[bool]]:
    """Conditions on ``material_formulas.reduced_formula`` (fuzzy ``q``/``formula``,
    ``*`` wildcards): matched over the distinct formulas, then joined back to materials."""
    out: list[ColumnElement[bool]] = []
    if query.formula:
        like = wildcard_like(query.formula)
        if like is not None:
            out.append(MaterialFormula.reduced_formula.like(like))
        elif query.fuzzy:
            out.append(_fuzzy_pattern(query.formula))
    if query.q:
        out.append(_fuzzy_pattern(query.q))
    return out


def resolve_formulas(session: Session, query: MaterialQuery) -> list[str] | None:
    """The distinct formulas matching the query's :func:`formula_patterns`, or ``None``
    when it has none or more than :data:`MAX_RESOLVED_FORMULAS` match.

    Passing the list to ``build_select`` as ``reduced_formula = ANY(list)`` gives the
    planner the real values: pg_trgm's estimates for ``%`` and ``LIKE`` are rough guesses,
    and a guess of "many" makes it walk the whole table in id order.
    """
    patterns = formula_patterns(query)
    if not patterns:
        return None
    found = session.scalars(
        select(MaterialFormula.reduced_formula).where(*patterns).limit(MAX_RESOLVED_FORMULAS + 1)
    ).all()
    return list(found) if len(found) <= MAX_RESOLVED_FORMULAS else None


def matching_formulas(
    session: Session, *, q: str | None, formula: str | None, limit: int
) -> list[str]:
    """Up to ``limit`` distinct formulas matching the fuzzy text ``q`` and/or the ``*``
    pattern ``formula`` (as in :func:`formula_patterns`), over ``material_formulas``."""
    patterns = formula_patterns(MaterialQuery(q=q, formula=formula))
    if not patterns:
        return []
    return list(
        session.scalars(select(MaterialFormula.reduced_formula).where(*patterns).limit(limit)).all()
    )


def formula_condition(formula: str) -> ColumnElement[bool]:
    """An exact cell or reduced formula (``*`` patterns are :func:`formula_patterns`)."""
    comp = composition(formula)
    compact = formula.replace(" ", "")
    if comp.reduced_formula == compact:
        return or_(
            Material.reduced_formula == comp.reduced_formula, Material.formula == comp.formula
        )
    return Material.formula == comp.formula


def chemsys_condition(
    chemsys: str, *, elements: Any = None, chemical_system: Any = None
) -> ColumnElement[bool]:
    """``Li-Fe-O``: exactly these elements; ``Li-Fe-*``: at least these (on the given
    ``elements`` array and ``chemical_system`` columns; materials' by default)."""
    elements = Material.elements if elements is None else elements
    chemical_system = Material.chemical_system if chemical_system is None else chemical_system
    parts = [p.strip() for p in chemsys.split("-") if p.strip()]
    at_least = "*" in parts
    els = normalise_elements([p for p in parts if p != "*"]) or []
    if not els:
        raise InvalidInput(f"invalid chemical system {chemsys!r}")
    if at_least:
        return elements.contains(sorted(set(els)))
    return chemical_system == "-".join(sorted(set(els)))


def element_conditions(
    query: ElementFilters, *, elements: Any, chemical_system: Any, nelements: Any
) -> list[ColumnElement[bool]]:
    """The element filters of ``query`` (all of, any of, none of, chemical system, number
    of elements) on the given columns of a table."""
    out: list[ColumnElement[bool]] = []
    if els := normalise_elements(query.elements):
        out.append(elements.contains(sorted(set(els))))
    if els := normalise_elements(query.elements_any):
        out.append(elements.overlap(sorted(set(els))))
    if els := normalise_elements(query.elements_exclude):
        out.append(~elements.overlap(sorted(set(els))))
    if query.chemical_system:
        out.append(
            chemsys_condition(
                query.chemical_system, elements=elements, chemical_system=chemical_system
            )
        )
    if query.nelements is not None:
        out.append(nelements == query.nelements)
    if query.nelements_min is not None:
        out.append(nelements >= query.nelements_min)
    if query.nelements_max is not None:
        out.append(nelements <= query.nelements_max)
    return out


__all__ = [
    "MAX_RESOLVED_FORMULAS",
    "chemsys_condition",
    "composition",
    "element_conditions",
    "formula_condition",
    "formula_patterns",
    "matching_formulas",
    "normalise_elements",
    "resolve_formulas",
    "wildcard_like",
]
