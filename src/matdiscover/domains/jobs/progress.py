"""A job's progress, reported by the worker: chunks start, complete or fail; the last one
queues the reduce step, which assembles the results files.

Crash-safety rules:
* a chunk is marked done together with the job counters (and, for a job submitted with
  ``store``, its materials and predictions) in one transaction, only if it was not done
  before: a chunk run twice counts and stores its rows once;
* the last chunk to finish enqueues the reduce step in that same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matdiscover.domains import tasks
from matdiscover.domains.jobs.files import (
    chunk_result_key,
    errors_key,
    read_parquet_bytes,
    result_key,
    to_parquet,
)
from matdiscover.domains.jobs.models import Job, JobChunk, JobStatus
from matdiscover.domains.jobs.storing import store_batch_rows
from matdiscover.storage import ObjectStore

TERMINAL = (JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ChunkWork:
    """What a worker needs to compute one chunk (its rows are in the chunk's input file)."""

    job_id: int
    index: int
    input_kind: str
    properties: Sequence[str]
    organization_id: int = 0
    #: the organisation's model versions to use instead of the shipped ones, by property
    model_version_ids: Mapping[str, int] = field(default_factory=dict)


def chunk_counts(session: Session, job_id: int) -> dict[JobStatus, int]:
    rows = session.execute(
        select(JobChunk.status, func.count())
        .where(JobChunk.job_id == job_id)
        .group_by(JobChunk.status)
    ).all()
    return {status: int(n) for status, n in rows}


def start_chunk(session: Session, job_id: int, index: int) -> ChunkWork | None:
    """Mark a chunk running; ``None`` if it must not run (done, or job cancelled)."""
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    chunk = session.scalar(
        select(JobChunk).where(JobChunk.job_id == job_id, JobChunk.index == index)
    )
    if job is None or chunk is None:
        return None
    if chunk.status == JobStatus.succeeded:
        return None
    if job.status in (JobStatus.cancelling, JobStatus.cancelled):
        chunk.status = JobStatus.cancelled
        settle_cancel(session, job)
        return None
    chunk.status = JobStatus.running
    chunk.attempts += 1
    chunk.started_at = now()
    if job.status == JobStatus.queued:
        job.status = JobStatus.running
        job.started_at = job.started_at or now()
    session.flush()
    return ChunkWork(
        job_id=job_id,
        index=index,
        input_kind=str(job.params["input_kind"]),
        properties=list(job.params["properties"]),
        organization_id=job.organization_id,
        model_version_ids={
            str(k): int(v) for k, v in (job.params.get("model_version_ids") or {}).items()
        },
    )


def settle_cancel(session: Session, job: Job) -> None:
    """A cancelling job with no running chunk left is cancelled."""
    running = session.scalar(
        select(func.count()).where(JobChunk.job_id == job.id, JobChunk.status == JobStatus.running)
    )
    if job.status == JobStatus.cancelling and not running:
        job.status = JobStatus.cancelled
        job.finished_at = now()


def complete_chunk(
    session: Session, store: ObjectStore, job_id: int, index: int, *, results: pd.DataFrame
) -> bool:
    """Record a chunk's ``results`` (one row per input row, an ``error`` column), exactly once.

    Writes the chunk's results file, then, in the session's transaction and only if the
    chunk was not done before: marks it done, counts its rows and errors into the job,
    stores its valid rows as materials with predictions if the job was submitted with
    ``store``, and enqueues the reduce step after the last chunk. Returns whether this
    call completed the chunk.
    """
    uri = store.put(chunk_result_key(job_id, index), to_parquet(results))
    processed = len(results)
    errors = int(results["error"].notna().sum())
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None:
        return False
    done = session.execute(
        update(JobChunk)
        .where(
            JobChunk.job_id == job_id,
            JobChunk.index == index,
            JobChunk.status != JobStatus.succeeded,
        )
        .values(
            status=JobStatus.succeeded,
            processed=processed,
            error_count=errors,
            result_uri=uri,
            finished_at=now(),
            error=None,
        )
        .returning(JobChunk.id)
    ).first()
    if done is None:
        return False
    job.processed += processed
    job.error_count += errors
    if job.params.get("store"):
        store_batch_rows(session, job, results, properties=job.params["properties"])
    _after_chunk_settled(session, job)
    session.flush()
    return True


def fail_chunk(session: Session, job_id: int, index: int, *, error: str) -> None:
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    chunk = session.scalar(
        select(JobChunk).where(JobChunk.job_id == job_id, JobChunk.index == index)
    )
    if job is None or chunk is None or chunk.status == JobStatus.succeeded:
        return
    chunk.status = JobStatus.failed
    chunk.error = error[:2000]
    chunk.finished_at = now()
    _after_chunk_settled(session, job)
    session.flush()


def _after_chunk_settled(session: Session, job: Job) -> None:
    counts = chunk_counts(session, job.id)
    pending = counts.get(JobStatus.queued, 0) + counts.get(JobStatus.running, 0)
    if pending:
        return
    if job.status in (JobStatus.cancelling, JobStatus.cancelled):
        settle_cancel(session, job)
        return
    failed = counts.get(JobStatus.failed, 0)
    if failed:
        job.status = JobStatus.failed
        job.error = f"{failed} chunk(s) failed; POST /api/v1/jobs/{job.id}/retry re-runs them"
        job.finished_at = now()
        return
    tasks.defer(session, tasks.BatchReduce(job_id=job.id), queueing_lock=f"reduce-{job.id}")


def assemble_results(session: Session, store: ObjectStore, job_id: int) -> Job | None:
    """Reduce: concatenate chunk results in input order; write CSV, Parquet and errors."""
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None or job.status in TERMINAL:
        return job
    chunks = session.scalars(
        select(JobChunk).where(JobChunk.job_id == job_id).order_by(JobChunk.index)
    ).all()
    if any(c.status != JobStatus.succeeded for c in chunks):
        return job
    frames = [read_parquet_bytes(store.get(chunk_result_key(job_id, c.index))) for c in chunks]
    results = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(results) != job.total or (
        len(results) and not results["row_index"].is_monotonic_increasing
    ):
        job.status = JobStatus.failed
        job.error = f"internal: assembled {len(results)} rows for {job.total} inputs"
        job.finished_at = now()
        return job
    ok = results[results["error"].isna()]
    bad = results[results["error"].notna()]
    store.put(result_key(job_id, "parquet"), to_parquet(ok))
    store.put(result_key(job_id, "csv"), ok.to_csv(index=False).encode())
    input_col = (
        "formula"
        if "formula" in bad.columns and job.params.get("input_kind") == "formulas"
        else "filename"
    )
    err = pd.DataFrame(
        {
            "row": bad["row_index"].astype(int),
            "input": bad.get(input_col, pd.Series([""] * len(bad))).astype(str),
            "error": bad["error"].astype(str),
        }
    )
    store.put(errors_key(job_id), to_parquet(err))
    job.result_uri = store.url_for(result_key(job_id, "parquet"))
    job.status = JobStatus.succeeded
    job.finished_at = now()
    session.flush()
    return job
