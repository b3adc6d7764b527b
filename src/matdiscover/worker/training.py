"""Training task body: the worker's side of :mod:`matdiscover.domains.training`."""

from __future__ import annotations

from typing import Any

from matdiscover.domains.training import run
from matdiscover.worker import registry
from matdiscover.worker.batch import object_store
from matdiscover.worker.context import session_factory


def train_model(job_id: int) -> dict[str, Any]:
    """Run (or resume from its checkpoint) one training job."""
    registry.set_current("model training", job_id)
    try:
        return run.run_training(session_factory(), object_store(), job_id)
    finally:
        registry.set_current(None)
