"""Paging: keyset cursors and the (exact or estimated) total of a search.

A cursor is the URL-safe base64 of ``[phase, sort value, last id]``: phase ``"v"``
pages through the rows with a value for the sort key, ``"n"`` through those without one
(they come last in both directions).

``total`` is exact up to :data:`EXACT_COUNT_LIMIT` matches when that count takes at most
:data:`COUNT_TIMEOUT_MS`; otherwise (more matches by the planner's estimate, a capped
count that overflows, or one that runs out of time) it is the planner's estimate and
flagged as such: an exact count of a million rows, or of a few thousand spread over
several large indexes, costs hundreds of milliseconds.

Example:
    >>> decode_cursor(encode_cursor(["v", 1.5, 42]))
    ('v', 1.5, 42)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.errors import QueryCanceled
from sqlalchemy import Select, func, literal, select, text, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matdiscover.errors import InvalidInput

#: Matches counted exactly; beyond this ``total`` is the planner's estimate.
EXACT_COUNT_LIMIT = 10_000
#: Time an exact count may take (ms) before ``total`` falls back to the estimate.
COUNT_TIMEOUT_MS = 30


def encode_cursor(values: list[Any]) -> str:
    """``[phase, value, last_id]`` as an opaque, URL-safe cursor."""
    raw = json.dumps(values, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, Any, int | None]:
    """``(phase, value, last_id)`` of a cursor; raises InvalidInput on a malformed one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        phase, value, last_id = values
        if phase not in ("v", "n") or not (last_id is None or isinstance(last_id, int)):
            raise ValueError(phase)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("invalid cursor") from exc
    return phase, value, last_id


def cursor_value(sort: str, value: Any) -> Any:
    """The decoded cursor value as the sort column's type (``created_at``: a datetime)."""
    if value is None:
        return None
    if sort == "created_at":
        return datetime.fromisoformat(str(value))
    return value


@dataclass
class KeysetPage:
    """One page of a keyset-paginated select: ``(row, sort value)`` pairs, the cursor of
    the next page, and the number of matches when the first page could count them."""

    rows: list[tuple[Any, Any]]
    next_cursor: str | None
    counted: int | None = None


def keyset_page(
    session: Session,
    base: Select[Any],
    *,
    key: Any,
    nullable: bool,
    id_column: Any,
    descending: bool,
    limit: int,
    cursor: str | None,
    order_key: Any | None = None,
    window_count: bool = False,
    decode_value: Callable[[Any], Any] = lambda v: v,
) -> KeysetPage:
    """One page of ``base`` (selecting one entity) sorted by ``(key, id)``, totally.

    Rows without a value for a ``nullable`` key come after all rows with one, in id
    order; the cursor remembers which of the two phases the next page starts in.
    ``order_key`` orders instead of ``key`` (same values, e.g. an expression no index
    covers); ``window_count`` counts the matches of a first page in the same pass;
    ``decode_value`` turns a cursor's JSON value back into the key's type.
    """
    phase, value, last_id = decode_cursor(cursor) if cursor else ("v", None, None)
    rows: list[tuple[Any, Any]] = []
    next_cursor: str | None = None
    counted: int | None = None
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if phase == "v":
        stmt = base.add_columns(key.label("sort_value"))
        if nullable:
            stmt = stmt.where(key.is_not(None))
        if last_id is not None:
            cmp = tuple_(key, id_column)
            bound = tuple_(literal(decode_value(value)), literal(last_id))
            stmt = stmt.where(cmp < bound if descending else cmp > bound)
        if window_count:
            stmt = stmt.add_columns(func.count().over().label("total"))
        ordering = key if order_key is None else order_key
        got = session.execute(
            stmt.order_by(direction(ordering), direction(id_column)).limit(limit + 1)
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
        stmt = base.add_columns(literal(None).label("sort_value")).where(key.is_(None))
        if last_id is not None:
            stmt = stmt.where(id_column < last_id if descending else id_column > last_id)
        got = session.execute(stmt.order_by(direction(id_column)).limit(remaining + 1)).all()
        extra = [(r[0], r[1]) for r in got]
        if len(extra) > remaining:
            extra = extra[:remaining]
            next_cursor = encode_cursor(["n", None, extra[-1][0].id])
        rows.extend(extra)
    return KeysetPage(rows=rows, next_cursor=next_cursor, counted=counted)


def estimate_rows(session: Session, stmt: Select[Any]) -> int:
    """The planner's estimate of the rows ``stmt`` selects (an ``EXPLAIN``, no execution)."""
    conn = session.connection()
    compiled = stmt.with_only_columns(literal(1)).compile(conn)
    plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    return max(1, int(plan[0]["Plan"].get("Plan Rows", 0)))  # the top node


def count_matches(
    session: Session, stmt: Select[Any], *, timeout_ms: int | None = None
) -> tuple[int, bool]:
    """(count, is_estimate) of the rows ``stmt`` selects.

    The planner's estimate when it expects more than :data:`EXACT_COUNT_LIMIT` rows; else
    an exact count capped at EXACT_COUNT_LIMIT + 1, given at most ``timeout_ms``
    (default :data:`COUNT_TIMEOUT_MS`) in a savepoint. A count that overflows the cap or
    runs out of time reports the estimate (at least the rows counted) as an estimate.
    """
    estimate = estimate_rows(session, stmt)
    if estimate > EXACT_COUNT_LIMIT:
        return estimate, True
    capped = stmt.with_only_columns(literal(1)).limit(EXACT_COUNT_LIMIT + 1).subquery()
    timeout = COUNT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    previous = session.scalar(text("SELECT current_setting('statement_timeout')"))
    try:
        with session.begin_nested():
            session.execute(
                text("SELECT set_config('statement_timeout', :t, true)"), {"t": f"{timeout}ms"}
            )
            n = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    except OperationalError as exc:
        if not isinstance(exc.orig, QueryCanceled):
            raise
        return estimate, True
    finally:
        session.execute(text("SELECT set_config('statement_timeout', :t, true)"), {"t": previous})
    if n <= EXACT_COUNT_LIMIT:
        return n, False
    return max(estimate, n), True


__all__ = [
    "COUNT_TIMEOUT_MS",
    "EXACT_COUNT_LIMIT",
    "count_matches",
    "cursor_value",
    "decode_cursor",
    "encode_cursor",
    "estimate_rows",
    "keyset_page",
    "KeysetPage",
]
