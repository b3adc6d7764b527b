"""Batch-prediction task bodies: one chunk (map) and the final assembly (reduce)."""

from __future__ import annotations

import io
import logging
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs import service
from matdiscover.domains.jobs.models import Job
from matdiscover.settings import get_settings
from matdiscover.storage import ObjectStore
from matdiscover.worker import registry
from matdiscover.worker.context import session_factory

logger = logging.getLogger(__name__)


def object_store() -> ObjectStore:
    return ObjectStore(get_settings().resolved_storage_url)


def compute_chunk(frame: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Predictions for one chunk's rows, in the chunk's order, errors as a column."""
    from matdiscover.science import batch

    props = params["properties"]
    if params["input_kind"] == "structures":
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


def _store_rows(results: pd.DataFrame, params: dict[str, Any]) -> Any:
    """Callback storing valid rows as materials + predictions in the completion transaction."""

    def store(session: Session, job: Job) -> None:
        from matdiscover.domains.jobs.storing import store_batch_rows

        store_batch_rows(session, job, results, properties=params["properties"])

    return store


def run_chunk(job_id: int, chunk_index: int) -> dict[str, Any]:
    factory = session_factory()
    store = object_store()
    with session_scope(factory) as session:
        chunk = service.start_chunk(session, job_id, chunk_index)
        job = session.get(Job, job_id)
        params = dict(job.params) if job else {}
    if chunk is None:
        return {"job_id": job_id, "chunk": chunk_index, "skipped": True}
    registry.set_current(f"batch chunk {chunk_index}", job_id)
    try:
        frame = pd.read_parquet(io.BytesIO(store.get(service.chunk_input_key(job_id, chunk_index))))
        results = compute_chunk(frame, params)
        buf = io.BytesIO()
        results.to_parquet(buf, index=False, compression="zstd")
        uri = store.put(service.chunk_result_key(job_id, chunk_index), buf.getvalue())
        errors = int(results["error"].notna().sum())
        with session_scope(factory) as session:
            service.complete_chunk(
                session,
                job_id,
                chunk_index,
                processed=len(results),
                errors=errors,
                result_uri=uri,
                on_first_completion=_store_rows(results, params) if params.get("store") else None,
            )
    except Exception as exc:
        logger.exception("chunk %s of job %s failed", chunk_index, job_id)
        with session_scope(factory) as session:
            service.fail_chunk(session, job_id, chunk_index, error=f"{type(exc).__name__}: {exc}")
        return {"job_id": job_id, "chunk": chunk_index, "error": str(exc)}
    finally:
        registry.set_current(None)
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
