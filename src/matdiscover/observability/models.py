"""Model load time and prediction latency, measured by the platform around the science
core's calls (the science core itself knows nothing of metrics).

The science core caches loaded models per process (``functools.lru_cache``), so the
first call of a loader in a process is the load; :func:`ensure_loaded` makes that first
call explicitly and records its duration once per model and process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from matdiscover.observability.metrics import MODEL_LOAD, PREDICTION_LATENCY

__all__ = ["ensure_loaded", "timed_prediction"]

_loaded: set[str] = set()
_lock = threading.Lock()


def ensure_loaded(model: str, load: Callable[[], object]) -> None:
    """Call ``load`` (a cached loader of the science core) the first time ``model`` is
    needed in this process and record how long it took as
    ``matdiscover_worker_model_load_seconds{model}``; later calls do nothing."""
    with _lock:
        if model in _loaded:
            return
        started = time.perf_counter()
        load()
        MODEL_LOAD.labels(model=model).observe(time.perf_counter() - started)
        _loaded.add(model)


@contextmanager
def timed_prediction(model: str) -> Iterator[None]:
    """Record the block's duration as ``matdiscover_worker_prediction_latency_seconds``
    (also when it raises: a failing model is slow or fast too)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        PREDICTION_LATENCY.labels(model=model).observe(time.perf_counter() - started)
