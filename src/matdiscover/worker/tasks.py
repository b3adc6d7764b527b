"""Task adapters: a payload in, a call into services/science, results persisted.

Feature issues add their tasks here (batch prediction chunks, reduce steps...).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

import procrastinate

logger = logging.getLogger(__name__)


def queue_self_test(*, sent_at: float) -> dict[str, Any]:
    """Round-trip check of the queue: which worker ran it, and how long after it was sent."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "latency_s": round(time.time() - sent_at, 3),
    }


def register(app: procrastinate.App) -> None:
    app.task(name="matdiscover.queue_self_test", queue="default", pass_context=False)(
        queue_self_test
    )
