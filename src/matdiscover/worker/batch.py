"""Batch-prediction task bodies: one chunk (map) and the final assembly (reduce).

The worker only computes: the jobs service says whether a chunk may run and records its
results (counting rows, storing materials for ``store`` jobs, queueing the reduce step).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs import service
from matdiscover.settings import get_settings
from matdiscover.storage import ObjectStore
from matdiscover.worker import registry
from matdiscover.worker.context import session_factory

logger = logging.getLogger(__name__)


def object_store() -> ObjectStore:
    return ObjectStore(get_settings().resolved_storage_url)


def compute_chunk(frame: pd.DataFrame, work: service.ChunkWork) -> pd.DataFrame:
    """Predictions for one chunk's rows, in the chunk's order, errors as a column."""
    from matdiscover.science import batch

    props = list(work.properties)
    if work.input_kind == "structures":
        settings = get_settings()
        res = batch.predict_structure_files(
            list(zip(frame["filename"], frame["content"], strict=True)),
            properties=props,
            limits=settings.parse_limits(),
            symprec=settings.symprec,
        )
        head = frame[["row_index", "filename"]].reset_index(drop=True)
        return pd.concat([head, res], axis=1)
    res = batch.predict_formula_table(frame["formula"].tolist(), properties=props)
    return pd.concat([frame.reset_index(drop=True), res], axis=1)


def run_chunk(job_id: int, chunk_index: int) -> dict[str, Any]:
    factory = session_factory()
    store = object_store()
    with session_scope(factory) as session:
        work = service.start_chunk(session, job_id, chunk_index)
    if work is None:
        return {"job_id": job_id, "chunk": chunk_index, "skipped": True}
    registry.set_current(f"batch chunk {chunk_index}", job_id)
    try:
        key = service.chunk_input_key(job_id, chunk_index)
        results = compute_chunk(service.read_parquet_bytes(store.get(key)), work)
        with session_scope(factory) as session:
            service.complete_chunk(session, store, job_id, chunk_index, results=results)
    except Exception as exc:
        logger.exception("chunk %s of job %s failed", chunk_index, job_id)
        with session_scope(factory) as session:
            service.fail_chunk(session, job_id, chunk_index, error=f"{type(exc).__name__}: {exc}")
        return {"job_id": job_id, "chunk": chunk_index, "error": str(exc)}
    finally:
        registry.set_current(None)
    errors = int(results["error"].notna().sum())
    return {"job_id": job_id, "chunk": chunk_index, "rows": len(results), "errors": errors}


def run_reduce(job_id: int) -> dict[str, Any]:
    registry.set_current("batch reduce", job_id)
    try:
        with session_scope(session_factory()) as session:
            job = service.assemble_results(session, object_store(), job_id)
            status = job.status.value if job else "missing"
    finally:
        registry.set_current(None)
    return {"job_id": job_id, "status": status}
