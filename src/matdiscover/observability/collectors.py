"""Scrape-time collectors: values read from PostgreSQL and the filesystem when Prometheus
scrapes, never cached and never summed over processes.

- :class:`QueueCollector` (API and workers): ``matdiscover_queue_depth{queue,priority}``
  and ``matdiscover_queue_oldest_job_age_seconds{queue}`` from ``procrastinate_jobs``.
- :class:`PlatformCollector` (API): ``matdiscover_database_up``,
  ``matdiscover_live_workers{queue}`` (the worker registry, ``worker_processes``) and
  ``matdiscover_storage_free_bytes``.
- :class:`InfoCollector`: a constant ``1`` with identifying labels (``build_info``,
  ``worker_info``).

Each collector opens its own small engine with a 2 s connect and statement timeout, so a
slow or unreachable database makes a scrape report ``database_up 0`` quickly instead of
hanging, and scrapes never take connections from the application's pool.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from matdiscover.domains.jobs.liveness import is_alive
from matdiscover.domains.jobs.models import WorkerProcess

__all__ = [
    "DB_TIMEOUT_S",
    "InfoCollector",
    "PlatformCollector",
    "QueueCollector",
    "free_bytes",
    "scrape_engine",
]

logger = logging.getLogger(__name__)

#: Connect and statement timeout of scrape-time queries, seconds.
DB_TIMEOUT_S = 2

# Jobs waiting to run, per queue and priority.
_DEPTH_SQL = text(
    "SELECT queue_name, priority, count(*) FROM procrastinate_jobs "
    "WHERE status = :status GROUP BY queue_name, priority"
)
# A 'todo' job has waited since it was (re)queued ('deferred', 'deferred_for_retry',
# 'retried' events) or, if scheduled for later, since its scheduled time; jobs scheduled
# in the future are not waiting yet.
_OLDEST_SQL = text(
    "SELECT j.queue_name, "
    "  EXTRACT(EPOCH FROM now() - min(GREATEST(q.at, j.scheduled_at))) "
    "FROM procrastinate_jobs j "
    "CROSS JOIN LATERAL ("
    "  SELECT coalesce(max(e.at), now()) AS at FROM procrastinate_events e "
    "  WHERE e.job_id = j.id AND e.type::text = ANY(:queued_events)"
    ") q "
    "WHERE j.status = :status AND (j.scheduled_at IS NULL OR j.scheduled_at <= now()) "
    "GROUP BY j.queue_name"
)
_QUEUED_EVENTS = ["deferred", "deferred_for_retry", "retried"]


def scrape_engine(url: str | URL) -> Engine:
    """A one-connection engine whose connects and statements give up after
    :data:`DB_TIMEOUT_S`."""
    return create_engine(
        url,
        pool_size=1,
        max_overflow=1,
        pool_timeout=DB_TIMEOUT_S,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": DB_TIMEOUT_S,
            "options": f"-c statement_timeout={DB_TIMEOUT_S * 1000}",
        },
    )


def free_bytes(path: Path) -> int:
    """Free bytes (available to this user) on the filesystem holding ``path`` (its
    nearest existing parent when it does not exist yet)."""
    path = path.expanduser().resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


class QueueCollector(Collector):
    """Queue depth per queue and priority, and the age of the oldest waiting job per
    queue; ``queues`` are always reported (depth and age 0 when empty)."""

    def __init__(self, engine: Engine, *, queues: Iterable[str]) -> None:
        self.engine = engine
        self.queues = tuple(queues)

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "matdiscover_queue_depth",
            "Queue jobs waiting to run (status 'todo'), by queue and priority.",
            labels=["queue", "priority"],
        )
        oldest = GaugeMetricFamily(
            "matdiscover_queue_oldest_job_age_seconds",
            "Seconds the oldest waiting job of a queue has waited (0 when none).",
            labels=["queue"],
        )
        try:
            with self.engine.connect() as conn:
                counts, ages = queue_state(conn)
        except SQLAlchemyError as exc:
            logger.warning("queue metrics unavailable: %s", exc.__class__.__name__)
            return  # database_up says why; no stale numbers
        for queue in self.queues:
            if not any(q == queue for q, _ in counts):
                counts[(queue, 0)] = 0
        for (queue, priority), n in sorted(counts.items()):
            depth.add_metric([queue, str(priority)], n)
        for queue in sorted(set(self.queues) | {q for q, _ in counts}):
            oldest.add_metric([queue], max(0.0, ages.get(queue, 0.0)))
        yield depth
        yield oldest


def queue_state(conn: Connection) -> tuple[dict[tuple[str, int], int], dict[str, float]]:
    """({(queue, priority): waiting jobs}, {queue: age of its oldest waiting job, s})."""
    counts = {(str(q), int(p)): int(n) for q, p, n in conn.execute(_DEPTH_SQL, {"status": "todo"})}
    ages = {
        str(q): float(age)
        for q, age in conn.execute(_OLDEST_SQL, {"status": "todo", "queued_events": _QUEUED_EVENTS})
        if age is not None
    }
    return counts, ages


class PlatformCollector(Collector):
    """Database reachability, live workers per queue and free storage bytes."""

    def __init__(self, engine: Engine, *, storage_path: Path, queues: Iterable[str]) -> None:
        self.engine = engine
        self.storage_path = storage_path
        self.queues = tuple(queues)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "matdiscover_database_up",
            f"1 if PostgreSQL answered SELECT 1 within {DB_TIMEOUT_S} s at scrape time.",
        )
        live = GaugeMetricFamily(
            "matdiscover_live_workers",
            "Workers with a fresh heartbeat in the worker registry, per queue they claim.",
            labels=["queue"],
        )
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                per_queue = live_workers(conn)
            up.add_metric([], 1)
            for queue in sorted(set(self.queues) | set(per_queue)):
                live.add_metric([queue], per_queue.get(queue, 0))
        except SQLAlchemyError as exc:
            logger.warning("database unreachable at scrape: %s", exc.__class__.__name__)
            up.add_metric([], 0)
        yield up
        if live.samples:
            yield live
        storage = GaugeMetricFamily(
            "matdiscover_storage_free_bytes",
            "Free bytes on the filesystem of the data directory / local object storage.",
        )
        try:
            storage.add_metric([], free_bytes(self.storage_path))
            yield storage
        except OSError as exc:
            logger.warning("cannot read free space of %s: %s", self.storage_path, exc)


def live_workers(conn: Connection, *, now: datetime | None = None) -> dict[str, int]:
    """How many live registered workers claim each queue."""
    now = now or datetime.now(UTC)
    w = WorkerProcess
    counts: dict[str, int] = {}
    for host, pid, queues, beat in conn.execute(select(w.host, w.pid, w.queues, w.last_heartbeat)):
        if is_alive(WorkerProcess(host=host, pid=pid, last_heartbeat=beat), now=now):
            for queue in queues or []:
                counts[str(queue)] = counts.get(str(queue), 0) + 1
    return counts


class InfoCollector(Collector):
    """``name{labels} 1``: which version or which worker this target is."""

    def __init__(self, name: str, documentation: str, labels: Mapping[str, str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labels = dict(labels)

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=list(self.labels))
        family.add_metric(list(self.labels.values()), 1)
        yield family
