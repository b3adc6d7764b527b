"""Where a job's files live in the object store, and how they are written and cleaned up.

A chunk's results file is named after (job, chunk), so a retried chunk overwrites rather
than duplicates. Files written inside a transaction are deleted again if it rolls back.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)

_PENDING_BLOBS = "matdiscover.pending_blobs"


def job_prefix(job_id: int) -> str:
    return f"jobs/{job_id}"


def input_key(job_id: int, filename: str) -> str:
    return f"{job_prefix(job_id)}/input/{_safe(filename)}"


def chunk_input_key(job_id: int, index: int) -> str:
    return f"{job_prefix(job_id)}/chunks/{index:06d}.input.parquet"


def chunk_result_key(job_id: int, index: int) -> str:
    return f"{job_prefix(job_id)}/chunks/{index:06d}.result.parquet"


def result_key(job_id: int, fmt: str) -> str:
    return f"{job_prefix(job_id)}/results.{fmt}"


def errors_key(job_id: int) -> str:
    return f"{job_prefix(job_id)}/errors.parquet"


def to_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def read_parquet_bytes(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data))


def delete_blobs(store: ObjectStore, keys: Sequence[str]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except Exception:
            logger.warning("could not delete %s", key, exc_info=True)


def delete_blobs_on_rollback(session: Session, store: ObjectStore, keys: list[str]) -> None:
    """Delete ``keys`` if the session's transaction rolls back instead of committing."""
    pending: list[tuple[ObjectStore, list[str]]] | None = session.info.get(_PENDING_BLOBS)
    if pending is None:
        pending = session.info[_PENDING_BLOBS] = []

        @event.listens_for(session, "after_commit")
        def committed(s: Session) -> None:
            s.info.get(_PENDING_BLOBS, []).clear()

        @event.listens_for(session, "after_soft_rollback")
        def rolled_back(s: Session, previous: SessionTransaction) -> None:
            if previous.parent is not None:  # a savepoint, not the whole transaction
                return
            waiting = s.info.get(_PENDING_BLOBS, [])
            for blob_store, blob_keys in waiting:
                delete_blobs(blob_store, blob_keys)
            waiting.clear()

    pending.append((store, keys))


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return keep.strip("._")[:100] or "input"
