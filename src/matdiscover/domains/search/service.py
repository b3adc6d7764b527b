"""Materials search, the public interface of the search domain.

Other domains, the CLI and the router use these names (the modules behind them are this
domain's own): :func:`search` runs a :class:`MaterialQuery` (one page, its total and
the next cursor), :func:`search_page` returns that page as the API's
:class:`MaterialSearchPage`, and the value sources (:func:`reference_value`,
:func:`predicted_value`, :func:`property_value`) give a material's property value as SQL.

Example (a session and an organisation id from the caller)::

    params = MaterialSearchParams(elements=["Fe", "O"], sort="band_gap", limit=10)
    page = search_page(session, params, organization_id=1)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matdiscover.domains.materials.service import Material
from matdiscover.domains.search.formulas import (
    composition,
    element_conditions,
    matching_formulas,
    normalise_elements,
    wildcard_like,
)
from matdiscover.domains.search.paging import (
    COUNT_TIMEOUT_MS,
    EXACT_COUNT_LIMIT,
    count_matches,
    decode_cursor,
    encode_cursor,
    estimate_rows,
    keyset_page,
)
from matdiscover.domains.search.run import SearchResult, search, to_hit
from matdiscover.domains.search.schemas import (
    SEARCH_PROPERTIES,
    STABLE_E_HULL,
    MaterialHit,
    MaterialQuery,
    MaterialSearchPage,
    MaterialSearchParams,
    PropertySource,
    SortKey,
)
from matdiscover.domains.search.sql import build_select
from matdiscover.domains.search.values import predicted_value, property_value, reference_value


def search_page(
    session: Session, params: MaterialSearchParams, *, organization_id: int
) -> MaterialSearchPage:
    """One page of :func:`search` (filters, sorting and paging as in ``GET /materials``)
    as the API's :class:`MaterialSearchPage`."""
    result = search(
        session,
        params.filters(),
        organization_id=organization_id,
        sort=params.sort,
        descending=params.order == "desc",
        limit=params.limit,
        cursor=params.cursor,
    )
    return MaterialSearchPage(
        items=[to_hit(m, v) for m, v in result.rows],
        total=result.total,
        total_is_estimate=result.total_is_estimate,
        next_cursor=result.next_cursor,
    )


def own_predicted_values(
    session: Session, prop: str, *, organization_id: int, within: list[str], limit: int
) -> list[tuple[int, str, float]]:
    """``(material id, formula, value)`` of the organisation's own materials whose elements
    are all in ``within`` and that have a latest predicted ``prop``, newest first."""
    value = predicted_value(prop, organization_id).label("value")
    rows = session.execute(
        select(Material.id, Material.formula, value)
        .where(
            Material.organization_id == organization_id,
            Material.elements.contained_by(within),
            value.is_not(None),
        )
        .order_by(Material.id.desc())
        .limit(limit)
    ).all()
    return [(int(r[0]), str(r[1]), float(r[2])) for r in rows]


def stored_value(session: Session, material_id: int, prop: str) -> float | None:
    """The value of ``prop`` stored with a material (a reference entry's), if any."""
    return session.scalar(select(reference_value(prop)).where(Material.id == material_id))


def latest_predicted_value(
    session: Session, material_id: int, prop: str, *, organization_id: int
) -> float | None:
    """The organisation's (or a shared) latest prediction of ``prop`` for a material."""
    return session.scalar(
        select(predicted_value(prop, organization_id)).where(Material.id == material_id)
    )


__all__ = [
    "COUNT_TIMEOUT_MS",
    "EXACT_COUNT_LIMIT",
    "SEARCH_PROPERTIES",
    "STABLE_E_HULL",
    "MaterialHit",
    "MaterialQuery",
    "MaterialSearchPage",
    "MaterialSearchParams",
    "PropertySource",
    "SearchResult",
    "SortKey",
    "build_select",
    "composition",
    "element_conditions",
    "count_matches",
    "decode_cursor",
    "encode_cursor",
    "estimate_rows",
    "keyset_page",
    "latest_predicted_value",
    "matching_formulas",
    "normalise_elements",
    "own_predicted_values",
    "predicted_value",
    "property_value",
    "reference_value",
    "search",
    "search_page",
    "stored_value",
    "to_hit",
    "wildcard_like",
]
