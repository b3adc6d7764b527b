"""A worker's own ``/metrics`` endpoint (``MATDISCOVER_WORKER_METRICS_PORT``).

prometheus_client's HTTP server runs in a daemon thread of the worker process; it serves
the worker's job, chunk and model metrics, the queue depth (queried at scrape time) and
``matdiscover_worker_info{queues,host}``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence

from prometheus_client import start_http_server
from sqlalchemy import Engine

from matdiscover.observability.collectors import InfoCollector, QueueCollector, scrape_engine
from matdiscover.observability.metrics import WORKER_METRICS, build_registry

__all__ = ["start_worker_metrics"]

logger = logging.getLogger(__name__)


def start_worker_metrics(
    database_url: str, *, host: str, port: int, queues: Sequence[str], all_queues: Sequence[str]
) -> Callable[[], None]:
    """Serve this worker's metrics on ``host:port``; returns a function stopping the server.

    A port already in use (several workers started with the same setting on one host)
    is logged and the worker runs on without metrics rather than failing.
    """
    engine: Engine = scrape_engine(database_url)
    registry = build_registry(
        WORKER_METRICS,
        collectors=[
            InfoCollector(
                "matdiscover_worker_info",
                "This worker: the queues it claims (comma-separated) and its host.",
                {"queues": ",".join(queues), "host": socket.gethostname()},
            ),
            QueueCollector(engine, queues=all_queues),
        ],
    )
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        logger.warning("worker metrics not served on %s:%s: %s", host, port, exc)
        engine.dispose()
        return lambda: None
    logger.info("worker metrics on http://%s:%s/metrics", host, port)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)
        engine.dispose()

    return stop
