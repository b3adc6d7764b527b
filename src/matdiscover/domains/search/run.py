"""Running a search: one sorted page of matches, its total and the next cursor.

:func:`search` is the one entry point of REST (``GET /materials``), the CLI
(``matdiscover search``, ``matdiscover materials list``) and the web UI: it resolves
formula patterns (:mod:`.formulas`), builds the select (:mod:`.sql`), fetches a page
with keyset pagination and counts the matches (:mod:`.paging`).

Sorting is always total, ``(key, id)``; rows without a value for the sort key come last
in both directions. A first page that holds every match is counted exactly for free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from matdiscover.domains.materials.schemas import reference_fields
from matdiscover.domains.materials.service import Material
from matdiscover.domains.search.formulas import resolve_formulas
from matdiscover.domains.search.paging import count_matches, cursor_value, keyset_page
from matdiscover.domains.search.schemas import MaterialHit, MaterialQuery, SortKey
from matdiscover.domains.search.sql import build_select, sort_expression

#: Up to this many resolved formulas, a first page also counts its matches (window count).
WINDOW_COUNT_FORMULAS = 1_000


@dataclass
class SearchResult:
    rows: list[tuple[Material, Any]]
    total: int
    total_is_estimate: bool
    next_cursor: str | None


def search(
    session: Session,
    query: MaterialQuery,
    *,
    organization_id: int,
    sort: SortKey = "id",
    descending: bool = False,
    limit: int = 50,
    cursor: str | None = None,
    count: bool = True,
) -> SearchResult:
    """One page of matches, sorted by ``(sort, id)``, with the total and next cursor.

    Rows without a value for ``sort`` come after all rows with one, in id order; the
    cursor remembers which of the two phases the next page starts in.
    """
    # psycopg prepares repeated statements; PostgreSQL's generic plan for a prepared
    # statement ignores the parameter values (a range of 1 row or 1 M rows look alike)
    # and picks terrible plans for selective filters. Plan each search for its values.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    key, nullable = sort_expression(sort, query, organization_id=organization_id)
    formulas = resolve_formulas(session, query)
    base = build_select(query, organization_id=organization_id, formulas=formulas)
    # A first page matched through a short formula list fetches and sorts every match
    # anyway (index probes per formula): count them in the same pass.
    window_count = (
        count
        and cursor is None
        and not nullable
        and formulas is not None
        and len(formulas) <= WINDOW_COUNT_FORMULAS
    )
    page = keyset_page(
        session,
        base,
        key=key,
        nullable=nullable,
        id_column=Material.id,
        descending=descending,
        limit=limit,
        cursor=cursor,
        window_count=window_count,
        decode_value=lambda v: cursor_value(sort, v),
    )
    rows, next_cursor, counted = page.rows, page.next_cursor, page.counted
    if cursor is None and next_cursor is None:
        total, estimated = len(rows), False  # everything fits on the first page
    elif counted is not None:
        total, estimated = counted, False
    elif count:
        total, estimated = count_matches(session, base)
    else:
        total, estimated = len(rows), False
    return SearchResult(
        rows=rows, total=total, total_is_estimate=estimated, next_cursor=next_cursor
    )


def to_hit(row: Material, sort_value: Any) -> MaterialHit:
    """The API view of one search row (``sort_value`` as JSON: datetimes in ISO 8601)."""
    attrs = {c.key: getattr(row, c.key) for c in Material.__mapper__.column_attrs}
    if isinstance(sort_value, datetime):
        sort_value = sort_value.isoformat()
    return MaterialHit.model_validate({**attrs, **reference_fields(row), "sort_value": sort_value})


__all__ = [
    "WINDOW_COUNT_FORMULAS",
    "SearchResult",
    "search",
    "to_hit",
]
