"""Batch-prediction task bodies: one chunk (map) and the final assembly (reduce).

The worker only computes: the jobs service says whether a chunk may run and records its
results (counting rows, storing materials for ``store`` jobs, queueing the reduce step).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd

from matdiscover.db.engine import session_scope
from matdiscover.domains import tasks as contract
from matdiscover.domains.jobs import service
from matdiscover.observability import metrics
from matdiscover.observability.models import ensure_loaded, timed_prediction
from matdiscover.settings import get_settings
from matdiscover.storage import ObjectStore
from matdiscover.worker import registry
from matdiscover.worker.context import session_factory

logger = logging.getLogger(__name__)


def object_store() -> ObjectStore:
    return ObjectStore(get_settings().resolved_storage_url)


#: The task label of chunk metrics.
CHUNK_TASK = contract.BatchChunk.TASK


def chunk_models(work: service.ChunkWork) -> dict[str, Callable[[], object]]:
    """The models a chunk uses, by metrics label, with the science core's (cached)
    loaders: the composition model of each property (``energy_above_hull``: the hull
    route over the formation-energy model) and CHGNet for structure properties of
    structure files (the batch structure path)."""
    from matdiscover.science.models.composition import load_composition_model, load_hull_route
    from matdiscover.science.predict import STRUCTURE_PROPERTIES

    models: dict[str, Callable[[], object]] = {}
    for prop in work.properties:
        if prop == "energy_above_hull":
            models["composition/formation_energy"] = partial(
                load_composition_model, "formation_energy"
            )
            models["composition/energy_above_hull"] = load_hull_route
        else:
            models[f"composition/{prop}"] = partial(load_composition_model, prop)
    if work.input_kind == "structures" and set(work.properties) & set(STRUCTURE_PROPERTIES):
        from matdiscover.science.models.chgnet_path import load_chgnet

        models["chgnet"] = load_chgnet
    return models


def organization_models(work: service.ChunkWork) -> dict[str, Any]:
    """The organisation's model versions the job was submitted with, loaded (cached per
    process), by property."""
    if not work.model_version_ids:
        return {}
    from matdiscover.domains.model_registry import service as registry

    settings = get_settings()
    out: dict[str, Any] = {}
    with session_scope(session_factory()) as session:
        for prop, version_id in work.model_version_ids.items():
            row = registry.get(session, version_id, organization_id=work.organization_id)
            out[prop] = registry.load_model(
                row, object_store(), cache_dir=settings.resolved_data_dir / "model-cache"
            )
    return out


def compute_chunk(frame: pd.DataFrame, work: service.ChunkWork) -> pd.DataFrame:
    """Predictions for one chunk's rows, in the chunk's order, errors as a column; the
    organisation's active model versions at submission replace the shipped ones.

    Model loads (first use in this process) and the prediction call are timed for the
    worker's metrics; the prediction is labelled ``chgnet`` when structure files use the
    structure path, else ``composition``.
    """
    from matdiscover.science import batch

    props = list(work.properties)
    models = chunk_models(work)
    for name, load in models.items():
        ensure_loaded(name, load)
    own = organization_models(work)
    if work.input_kind == "structures":
        settings = get_settings()
        with timed_prediction("chgnet" if "chgnet" in models else "composition"):
            res = batch.predict_structure_files(
                list(zip(frame["filename"], frame["content"], strict=True)),
                properties=props,
                limits=settings.parse_limits(),
                symprec=settings.symprec,
                models=own,
            )
        head = frame[["row_index", "filename"]].reset_index(drop=True)
        return pd.concat([head, res], axis=1)
    with timed_prediction("composition"):
        res = batch.predict_formula_table(frame["formula"].tolist(), properties=props, models=own)
    return pd.concat([frame.reset_index(drop=True), res], axis=1)


def run_chunk(job_id: int, chunk_index: int) -> dict[str, Any]:
    factory = session_factory()
    store = object_store()
    with session_scope(factory) as session:
        work = service.start_chunk(session, job_id, chunk_index)
    if work is None:
        return {"job_id": job_id, "chunk": chunk_index, "skipped": True}
    registry.set_current(f"batch chunk {chunk_index}", job_id)
    metrics.CHUNKS_STARTED.labels(task=CHUNK_TASK).inc()
    started = time.perf_counter()
    try:
        key = service.chunk_input_key(job_id, chunk_index)
        results = compute_chunk(service.read_parquet_bytes(store.get(key)), work)
        with session_scope(factory) as session:
            service.complete_chunk(session, store, job_id, chunk_index, results=results)
    except Exception as exc:
        metrics.CHUNKS_FAILED.labels(task=CHUNK_TASK).inc()
        logger.exception("chunk %s of job %s failed", chunk_index, job_id)
        with session_scope(factory) as session:
            service.fail_chunk(session, job_id, chunk_index, error=f"{type(exc).__name__}: {exc}")
        return {"job_id": job_id, "chunk": chunk_index, "error": str(exc)}
    finally:
        registry.set_current(None)
    record_chunk(rows=len(results), seconds=time.perf_counter() - started)
    errors = int(results["error"].notna().sum())
    return {"job_id": job_id, "chunk": chunk_index, "rows": len(results), "errors": errors}


def record_chunk(*, rows: int, seconds: float) -> None:
    """Metrics of a finished chunk: count, duration, rows and rows per second."""
    metrics.CHUNKS_FINISHED.labels(task=CHUNK_TASK).inc()
    metrics.CHUNK_DURATION.labels(task=CHUNK_TASK).observe(seconds)
    metrics.ROWS.labels(task=CHUNK_TASK).inc(rows)
    if seconds > 0:
        metrics.ROWS_PER_SECOND.labels(task=CHUNK_TASK).set(rows / seconds)


def run_reduce(job_id: int) -> dict[str, Any]:
    registry.set_current("batch reduce", job_id)
    try:
        with session_scope(session_factory()) as session:
            job = service.assemble_results(session, object_store(), job_id)
            status = job.status.value if job else "missing"
    finally:
        registry.set_current(None)
    return {"job_id": job_id, "status": status}
