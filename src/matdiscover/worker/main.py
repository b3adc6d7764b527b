"""Worker process entry point (``matdiscover worker``)."""

from __future__ import annotations

import logging
import os
import time

from matdiscover.cli.supervisor import STABLE_AFTER_S, restart_delay
from matdiscover.settings import Settings

logger = logging.getLogger(__name__)


def limit_threads() -> None:
    """One thread per ML process: thread pools fighting made CHGNet 5-30x slower here."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


#: A worker loop that fails this soon after the first start is a configuration problem.
FAIL_FAST_S = 5.0


def run_worker(settings: Settings, *, queues: list[str] | None, concurrency: int) -> None:
    """Run a worker until SIGINT/SIGTERM; in-flight jobs finish first.

    A worker that loses its database for longer than the stalled-job threshold has its
    jobs re-queued and its procrastinate worker row removed by the recovery; when the
    connection comes back, procrastinate's loop fails. The loop is started again with the
    supervisor's back-off (1 s, 2 s, 4 s ... 60 s) instead of the process exiting, so a
    remote ``matdiscover worker`` without a process manager keeps working after a network
    cut.
    """
    limit_threads()
    embedded = None
    url = settings.database_url
    if url is None:
        from matdiscover.db.embedded import start_embedded

        embedded = start_embedded(settings.resolved_data_dir)
        url = embedded.url
    from matdiscover.worker import context, registry
    from matdiscover.worker.queue import QUEUES, build_queue_app
    from matdiscover.worker.tasks import STALLED_AFTER_S

    context.configure(url)
    app = build_queue_app(url)
    logger.info("worker %s starting on queues %s", os.getpid(), queues or "all")
    stop_beat = registry.start(
        context.session_factory(), queues=list(queues or QUEUES), concurrency=concurrency
    )
    stop_metrics = None
    if settings.worker_metrics_port is not None:
        from matdiscover.observability.worker_server import start_worker_metrics

        stop_metrics = start_worker_metrics(
            url,
            host=settings.worker_metrics_host,
            port=settings.worker_metrics_port,
            queues=list(queues or QUEUES),
            all_queues=QUEUES,
        )
    failures = 0
    try:
        while True:
            started = time.monotonic()
            try:
                with app.open():
                    app.run_worker(
                        queues=queues,
                        concurrency=concurrency,
                        name=f"matdiscover-{os.uname().nodename}-{os.getpid()}",
                        install_signal_handlers=True,
                        update_heartbeat_interval=STALLED_AFTER_S / 4,
                        stalled_worker_timeout=STALLED_AFTER_S,
                    )
                break  # stopped by SIGINT/SIGTERM
            except Exception as exc:
                ran = time.monotonic() - started
                if failures == 0 and ran < FAIL_FAST_S:
                    raise  # a worker that cannot start at all (bad URL, no schema) says so
                failures = 1 if ran >= STABLE_AFTER_S else failures + 1
                delay = restart_delay(failures)
                logger.warning(
                    "worker loop stopped after %.0f s (%s: %s); starting it again in %.0f s",
                    ran,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                time.sleep(delay)
    finally:
        if stop_metrics is not None:
            stop_metrics()
        stop_beat.set()
        registry.unregister()
        if embedded is not None:
            embedded.stop()
