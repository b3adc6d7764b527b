"""The Prometheus metrics of the API and worker processes, and the registry they are
exposed from.

Metric objects are created unregistered (``registry=None``) and added to the registry
that :func:`build_registry` makes for a process, so the API and a worker each expose
only their own series. The names are a contract with the dashboards and alert rules
(``deploy/grafana``, ``deploy/prometheus``): do not rename them.

Multiprocess mode: when ``PROMETHEUS_MULTIPROC_DIR`` is set (before this module is
imported, as prometheus_client requires), every process writes its values to files in
that directory and :func:`build_registry` collects all of them with
:class:`prometheus_client.multiprocess.MultiProcessCollector`, so several API processes
behind one port report sums, not one process's share.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = [
    "API_METRICS",
    "WORKER_METRICS",
    "build_registry",
    "multiprocess_dir",
    "touch_chunks",
    "touch_tasks",
]

#: Request latency buckets, seconds (5 ms ... 30 s).
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Batch chunk buckets, seconds (a chunk is hundreds to thousands of rows).
CHUNK_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
#: Model load buckets, seconds (composition ensembles ~1 s, structure potentials ~20 s).
LOAD_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
#: Prediction call buckets, seconds (one material, or one chunk of a batch).
PREDICTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# --- API process ---------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "matdiscover_http_requests_total",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
    registry=None,
)
HTTP_DURATION = Histogram(
    "matdiscover_http_request_duration_seconds",
    "Time from request start to the end of the response body, seconds.",
    ["method", "route"],
    buckets=HTTP_BUCKETS,
    registry=None,
)
HTTP_IN_FLIGHT = Gauge(
    "matdiscover_http_requests_in_flight",
    "HTTP requests being served right now.",
    registry=None,
    multiprocess_mode="livesum",
)
HTTP_ERRORS = Counter(
    "matdiscover_http_errors_total",
    "HTTP responses with status >= 400, by route template and status code.",
    ["route", "status"],
    registry=None,
)
API_METRICS: tuple[Collector, ...] = (HTTP_REQUESTS, HTTP_DURATION, HTTP_IN_FLIGHT, HTTP_ERRORS)

# --- worker process ------------------------------------------------------------------

JOBS_STARTED = Counter(
    "matdiscover_worker_jobs_started_total",
    "Queue jobs this worker started, by task.",
    ["task"],
    registry=None,
)
JOBS_FINISHED = Counter(
    "matdiscover_worker_jobs_finished_total",
    "Queue jobs that returned normally, by task.",
    ["task"],
    registry=None,
)
JOBS_FAILED = Counter(
    "matdiscover_worker_jobs_failed_total",
    "Queue jobs that raised (the queue marks them failed or retries them), by task.",
    ["task"],
    registry=None,
)
CHUNKS_STARTED = Counter(
    "matdiscover_worker_chunks_started_total",
    "Batch chunks started (chunks skipped as already done or cancelled are not counted).",
    ["task"],
    registry=None,
)
CHUNKS_FINISHED = Counter(
    "matdiscover_worker_chunks_finished_total",
    "Batch chunks whose results were stored.",
    ["task"],
    registry=None,
)
CHUNKS_FAILED = Counter(
    "matdiscover_worker_chunks_failed_total",
    "Batch chunks that failed as a whole (row errors do not fail a chunk).",
    ["task"],
    registry=None,
)
CHUNK_DURATION = Histogram(
    "matdiscover_worker_chunk_duration_seconds",
    "Time to compute and store one batch chunk, seconds.",
    ["task"],
    buckets=CHUNK_BUCKETS,
    registry=None,
)
ROWS = Counter(
    "matdiscover_worker_rows_total",
    "Input rows processed by finished chunks (rows with errors included).",
    ["task"],
    registry=None,
)
ROWS_PER_SECOND = Gauge(
    "matdiscover_worker_rows_per_second",
    "Rows per second of the last finished chunk.",
    ["task"],
    registry=None,
    multiprocess_mode="mostrecent",
)
STALLED_RECOVERIES = Counter(
    "matdiscover_worker_stalled_job_recoveries_total",
    "Jobs of dead workers re-queued by the stalled-job recovery.",
    registry=None,
)
MODEL_LOAD = Histogram(
    "matdiscover_worker_model_load_seconds",
    "Time to load a model into this process (first use), seconds.",
    ["model"],
    buckets=LOAD_BUCKETS,
    registry=None,
)
PREDICTION_LATENCY = Histogram(
    "matdiscover_worker_prediction_latency_seconds",
    "Time of one prediction call (one material, or all rows of one batch chunk), seconds.",
    ["model"],
    buckets=PREDICTION_BUCKETS,
    registry=None,
)
WORKER_METRICS: tuple[Collector, ...] = (
    JOBS_STARTED,
    JOBS_FINISHED,
    JOBS_FAILED,
    CHUNKS_STARTED,
    CHUNKS_FINISHED,
    CHUNKS_FAILED,
    CHUNK_DURATION,
    ROWS,
    ROWS_PER_SECOND,
    STALLED_RECOVERIES,
    MODEL_LOAD,
    PREDICTION_LATENCY,
)


def multiprocess_dir() -> str | None:
    """``PROMETHEUS_MULTIPROC_DIR`` when set (prometheus_client's own variable)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def build_registry(
    metrics: Iterable[Collector], *, collectors: Iterable[Collector] = ()
) -> CollectorRegistry:
    """A registry exposing ``metrics`` (this process's, or in multiprocess mode every
    process's values from ``PROMETHEUS_MULTIPROC_DIR``) and the scrape-time
    ``collectors`` (queue depth, database health: computed once per scrape, never
    aggregated over processes)."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        for metric in metrics:
            registry.register(metric)
    for collector in collectors:
        registry.register(collector)
    return registry


def touch_tasks(tasks: Iterable[str]) -> None:
    """Create the per-task job series at 0, so a task that never failed still shows
    ``..._jobs_failed_total{task=...} 0`` (alerts and rates need the series to exist)."""
    for task in tasks:
        for counter in (JOBS_STARTED, JOBS_FINISHED, JOBS_FAILED):
            counter.labels(task=task)


def touch_chunks(task: str) -> None:
    """Create the chunk series of a batch task at 0."""
    for counter in (CHUNKS_STARTED, CHUNKS_FINISHED, CHUNKS_FAILED, ROWS):
        counter.labels(task=task)
