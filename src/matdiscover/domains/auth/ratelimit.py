"""Fixed-window rate limits kept in PostgreSQL, so every API process shares them.

A bucket is a string such as ``login-ip:203.0.113.9``. Counting runs in its own short
transaction on the engine, so a hit is recorded even when the request then fails.
"""

from __future__ import annotations

import math

from sqlalchemy import Engine, text

from matdiscover.errors import RateLimited

_HIT = text(
    """
    INSERT INTO rate_limit_windows AS w (bucket, window_start, hits)
    VALUES (:bucket, to_timestamp(floor(extract(epoch FROM now()) / :window) * :window), 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = w.hits + 1
    RETURNING hits,
              extract(epoch FROM (w.window_start + make_interval(secs => :window) - now()))
    """
)
# hits in the current and the previous window: a lock-out cannot be dodged by spreading
# attempts across a window boundary. Also returns the current window's own hits and the
# seconds left in it, from which the true wait follows (see ``_wait_s``).
_PEEK = text(
    """
    SELECT coalesce(sum(hits), 0),
           coalesce(sum(hits) FILTER (
               WHERE window_start = to_timestamp(floor(extract(epoch FROM now()) / :window)
                                                 * :window)), 0),
           :window - mod(extract(epoch FROM now()), :window)
    FROM rate_limit_windows
    WHERE bucket = :bucket
      AND window_start >= to_timestamp(floor(extract(epoch FROM now()) / :window) * :window)
                          - make_interval(secs => :window)
    """
)
# windows older than a day are of no use; dropped whenever a new window opens
_PRUNE = text("DELETE FROM rate_limit_windows WHERE window_start < now() - interval '1 day'")


def hit(engine: Engine, bucket: str, *, limit: int, window_s: int = 60, what: str) -> None:
    """Count one hit; raise :class:`RateLimited` when the window already holds ``limit``."""
    with engine.begin() as conn:
        hits, remaining = conn.execute(_HIT, {"bucket": bucket[:200], "window": window_s}).one()
        if hits == 1:
            conn.execute(_PRUNE)
    if hits > limit:
        raise RateLimited(
            f"too many {what}: at most {limit} per {window_s} s; retry later",
            retry_after=math.ceil(float(remaining)),
        )


def _wait_s(current_hits: int, remaining: float, *, limit: int, window_s: int) -> int:
    """Seconds until a bucket counted over this and the previous window drops below
    ``limit``: when the current window ends its hits become the previous window's, so if
    they alone reach the limit the wait is one more whole window.

    >>> _wait_s(4, 12.5, limit=10, window_s=60)
    13
    >>> _wait_s(10, 12.5, limit=10, window_s=60)
    73
    """
    wait = remaining + (window_s if current_hits >= limit else 0)
    return max(1, math.ceil(wait))


def check(engine: Engine, bucket: str, *, limit: int, window_s: int = 60, what: str) -> None:
    """Raise :class:`RateLimited` if the bucket holds ``limit`` hits in this or the previous
    window, without counting a hit. ``Retry-After`` is the time until it no longer does."""
    with engine.connect() as conn:
        hits, current, remaining = conn.execute(
            _PEEK, {"bucket": bucket[:200], "window": window_s}
        ).one()
    if hits >= limit:
        raise RateLimited(
            f"too many {what}: at most {limit} per {window_s} s; retry later",
            retry_after=_wait_s(int(current), float(remaining), limit=limit, window_s=window_s),
        )
