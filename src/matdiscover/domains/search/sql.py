"""SQL building: a :class:`~.query.MaterialQuery` as a SQLAlchemy select, tenancy included.

:func:`build_select` gives ``SELECT materials.*, <extra columns>`` restricted to what
the caller may see (own rows plus, unless ``include_reference=False``, the shared
reference entries) and filtered by every criterion of the query; :func:`sort_expression`
gives the expression a sort key orders by. Running, sorting and paging are in
:mod:`.run`.

``is_stable`` means energy above hull ≤ :data:`~.query.STABLE_E_HULL` (1 meV/atom, the
tolerance of ``matdiscover.science.thermo``); entries without an energy above hull match
neither ``is_stable=true`` nor ``false``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from matdiscover.domains.materials.service import Material, MaterialFormula, visible_to
from matdiscover.domains.search.formulas import (
    composition,
    element_conditions,
    formula_condition,
    formula_patterns,
    wildcard_like,
)
from matdiscover.domains.search.schemas import (
    SEARCH_PROPERTIES,
    STABLE_E_HULL,
    MaterialQuery,
    SortKey,
)
from matdiscover.domains.search.values import property_value, range_condition
from matdiscover.errors import InvalidComposition, InvalidInput
from matdiscover.science.properties import PropertyName

E_HULL = PropertyName.energy_above_hull.value

_NULLABLE_COLUMNS = {"nsites", "space_group_number", "volume", "density"}


def build_select(
    query: MaterialQuery,
    *,
    organization_id: int,
    columns: tuple[Any, ...] = (),
    formulas: Sequence[str] | None = None,
) -> Select[Any]:
    """``SELECT materials.*, *columns`` filtered by ``query`` and the caller's tenancy.

    ``formulas``: the result of :func:`~.formulas.resolve_formulas` (else the formula
    patterns stay a subquery on ``material_formulas``, with the same result).
    """
    from matdiscover.science.embeddings import anonymous_pattern

    stmt = select(Material, *columns).where(
        visible_to(organization_id, include_reference=query.include_reference)
    )
    if patterns := formula_patterns(query):
        if formulas is not None:
            stmt = stmt.where(
                Material.reduced_formula == any_(literal(list(formulas), ARRAY(String)))
            )
        else:
            stmt = stmt.where(
                Material.reduced_formula.in_(
                    select(MaterialFormula.reduced_formula).where(*patterns)
                )
            )
    if query.formula and not query.fuzzy and wildcard_like(query.formula) is None:
        stmt = stmt.where(formula_condition(query.formula))
    if query.reduced_formula:
        stmt = stmt.where(
            Material.reduced_formula == composition(query.reduced_formula).reduced_formula
        )
    if query.anonymous_formula:
        try:
            anon = anonymous_pattern(query.anonymous_formula)
        except InvalidComposition as exc:
            raise InvalidInput(exc.message) from exc
        stmt = stmt.where(Material.anonymous_formula == anon)
    stmt = stmt.where(
        *element_conditions(
            query,
            elements=Material.elements,
            chemical_system=Material.chemical_system,
            nelements=Material.nelements,
        )
    )
    if query.space_group_number is not None:
        stmt = stmt.where(Material.space_group_number == query.space_group_number)
    if query.crystal_system:
        stmt = stmt.where(Material.crystal_system == query.crystal_system)
    if query.source:
        stmt = stmt.where(Material.source == query.source)
    if query.source_database:
        stmt = stmt.where(Material.source_database == query.source_database)
    for prop, (lo, hi) in query.ranges().items():
        stmt = stmt.where(range_condition(prop, lo, hi, query.property_source, organization_id))
    if query.is_stable is not None:
        lo, hi = (None, STABLE_E_HULL) if query.is_stable else (STABLE_E_HULL, None)
        cond = range_condition(E_HULL, lo, hi, query.property_source, organization_id)
        if not query.is_stable:
            cond = and_(
                cond,
                ~range_condition(
                    E_HULL, None, STABLE_E_HULL, query.property_source, organization_id
                ),
            )
        stmt = stmt.where(cond)
    return stmt


def sort_expression(
    sort: SortKey, query: MaterialQuery, *, organization_id: int
) -> tuple[ColumnElement[Any], bool]:
    """(expression, nullable) of a sort key."""
    if sort == "relevance":
        text_ = query.q or query.formula
        if not text_:
            raise InvalidInput("sort=relevance needs q= or formula= with fuzzy=true")
        return func.similarity(Material.reduced_formula, text_.replace(" ", "")), False
    if sort in SEARCH_PROPERTIES:
        return property_value(sort, query.property_source, organization_id), True
    return getattr(Material, sort), sort in _NULLABLE_COLUMNS


__all__ = ["build_select", "sort_expression"]
