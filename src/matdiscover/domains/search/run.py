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

from sqlalchemy import func, literal, text, tuple_
from sqlalchemy.orm import Session

from matdiscover.domains.materials.service import Material
from matdiscover.domains.search.formulas import resolve_formulas
from matdiscover.domains.search.paging import (
    count_matches,
    cursor_value,
    decode_cursor,
    encode_cursor,
)
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
    base = build_select(
        query,
        organization_id=organization_id,
        columns=(key.label("sort_value"),),
        formulas=formulas,
    )
    # A first page matched through a short formula list fetches and sorts every match
    # anyway (index probes per formula): count them in the same pass.
    window_count = (
        count
        and cursor is None
        and not nullable
        and formulas is not None
        and len(formulas) <= WINDOW_COUNT_FORMULAS
    )
    counted: int | None = None
    phase, value, last_id = decode_cursor(cursor) if cursor else ("v", None, None)
    rows: list[tuple[Material, Any]] = []
    next_cursor: str | None = None
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if phase == "v":
        stmt = base.where(key.is_not(None)) if nullable else base
        if last_id is not None:
            cmp = tuple_(key, Material.id)
            bound = tuple_(literal(cursor_value(sort, value)), literal(last_id))
            stmt = stmt.where(cmp < bound if descending else cmp > bound)
        if window_count:
            stmt = stmt.add_columns(func.count().over().label("total"))
        got = session.execute(
            stmt.order_by(direction(key), direction(Material.id)).limit(limit + 1)
        ).all()
        if window_count:
            counted = int(got[0][2]) if got else 0
        rows = [(r[0], r[1]) for r in got]
        if len(rows) > limit:
            rows = rows[:limit]
            last, v = rows[-1]
            v = v.isoformat() if isinstance(v, datetime) else v
            next_cursor = encode_cursor(["v", v, last.id])
        elif nullable:
            phase, last_id = "n", None
    if phase == "n" and next_cursor is None:
        remaining = limit - len(rows)
        stmt = base.where(key.is_(None))
        if last_id is not None:
            stmt = stmt.where(Material.id < last_id if descending else Material.id > last_id)
        got = session.execute(stmt.order_by(direction(Material.id)).limit(remaining + 1)).all()
        extra = [(r[0], r[1]) for r in got]
        if len(extra) > remaining:
            extra = extra[:remaining]
            after = extra[-1][0].id if extra else None
            next_cursor = encode_cursor(["n", None, after])
        rows.extend(extra)
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
    return MaterialHit.model_validate(
        {**attrs, "is_reference": row.organization_id is None, "sort_value": sort_value}
    )


__all__ = [
    "WINDOW_COUNT_FORMULAS",
    "SearchResult",
    "search",
    "to_hit",
]
