"""Jobs service: batch prediction jobs split into chunks (map) and assembled (reduce).

Crash-safety rules:
* a job row, its chunk rows and their queue entries are written in one transaction,
  after every quota check and before its files: a refused or rolled-back submission
  leaves no file in the object store;
* a chunk's results file is written under a key derived from (job, chunk), so a
  retried chunk overwrites rather than duplicates;
* a chunk is marked done together with the job counters (and, with ``store``, its
  materials and predictions) in one transaction, only if it was not done before;
* the last chunk to finish enqueues the reduce step in that same transaction.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import event, func, select, text, update
from sqlalchemy.orm import Session, SessionTransaction

from matdiscover.db.base import can_exist
from matdiscover.db.enqueue import defer_in_session
from matdiscover.domains.jobs.models import Job, JobChunk, JobStatus
from matdiscover.domains.jobs.schemas import JobRead
from matdiscover.errors import Conflict, InputTooLarge, InvalidInput, NotFound
from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)

BATCH_KIND = "batch_prediction"
CHUNK_TASK = "matdiscover.batch_chunk"
REDUCE_TASK = "matdiscover.batch_reduce"
TERMINAL = (JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled)
DEFAULT_CHUNK_ROWS = {"formulas": 2000, "structures": 25}
InputKind = Literal["formulas", "structures"]


def now() -> datetime:
    return datetime.now(UTC)


def job_prefix(job_id: int) -> str:
    return f"jobs/{job_id}"


def chunk_input_key(job_id: int, index: int) -> str:
    return f"{job_prefix(job_id)}/chunks/{index:06d}.input.parquet"


def chunk_result_key(job_id: int, index: int) -> str:
    return f"{job_prefix(job_id)}/chunks/{index:06d}.result.parquet"


def result_key(job_id: int, fmt: str) -> str:
    return f"{job_prefix(job_id)}/results.{fmt}"


def errors_key(job_id: int) -> str:
    return f"{job_prefix(job_id)}/errors.parquet"


def _to_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def read_parquet_bytes(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data))


# ------------------------------------------------------------------ submit


def load_batch_input(
    data: bytes, filename: str, *, max_rows: int, limits: Any
) -> tuple[InputKind, pd.DataFrame]:
    """The input as a frame: ``formula`` (+ carried columns) or ``filename`` + ``content``."""
    from matdiscover.science.io import is_zip, safe_archive_members
    from matdiscover.science.io.tables import read_composition_table

    if is_zip(data):
        members = safe_archive_members(data, limits=limits)
        if not members:
            raise InvalidInput(f"{filename}: the archive contains no structure files")
        if len(members) > max_rows:
            raise InputTooLarge(f"{filename}: more than {max_rows:,} files")
        frame = pd.DataFrame(
            {"filename": [m for m, _ in members], "content": [d for _, d in members]}
        )
        return "structures", frame
    frame = read_composition_table(data, filename, max_rows=max_rows)
    if frame.empty:
        raise InvalidInput(f"{filename}: the table has no rows")
    return "formulas", frame


def submit_batch(
    session: Session,
    store: ObjectStore,
    *,
    organization_id: int,
    user_id: int | None,
    data: bytes,
    filename: str,
    properties: Sequence[str] | None,
    store_results: bool,
    max_rows: int,
    limits: Any,
    chunk_rows: int | None = None,
    check: Callable[[int], None] | None = None,
) -> Job:
    """Validate the input's shape, split it into chunks and queue them (one transaction).

    ``check(rows)`` runs once the input is read and before anything is stored: quota
    checks raise there, so a refused job leaves no file behind. The input and chunk files
    are written after the rows and queue entries, and deleted again if writing fails or
    the transaction is rolled back.
    """
    from matdiscover.science.predict import check_properties

    props = check_properties(properties)
    kind, frame = load_batch_input(data, filename, max_rows=max_rows, limits=limits)
    if check is not None:
        check(len(frame))
    size = chunk_rows or DEFAULT_CHUNK_ROWS[kind]
    frame.insert(0, "row_index", range(len(frame)))
    job = Job(
        organization_id=organization_id,
        created_by_id=user_id,
        kind=BATCH_KIND,
        status=JobStatus.queued,
        params={
            "filename": filename,
            "input_kind": kind,
            "properties": props,
            "store": store_results,
            "chunk_rows": size,
            "columns": [c for c in frame.columns if c not in ("row_index", "content")],
        },
        total=len(frame),
    )
    session.add(job)
    session.flush()
    input_key = f"{job_prefix(job.id)}/input/{_safe(filename)}"
    job.input_uri = store.url_for(input_key)
    blobs: list[tuple[str, pd.DataFrame | bytes]] = [(input_key, data)]
    for index, start in enumerate(range(0, len(frame), size)):
        part = frame.iloc[start : start + size]
        blobs.append((chunk_input_key(job.id, index), part))
        chunk = JobChunk(
            job_id=job.id,
            index=index,
            status=JobStatus.queued,
            start_row=start,
            end_row=start + len(part),
        )
        session.add(chunk)
        session.flush()
        chunk.queue_job_id = defer_in_session(
            session,
            CHUNK_TASK,
            {"job_id": job.id, "chunk_index": index},
            queue="default",
        )
    session.flush()
    written: list[str] = []
    try:
        for key, content in blobs:
            written.append(key)
            store.put(key, content if isinstance(content, bytes) else _to_parquet(content))
    except BaseException:
        _delete_blobs(store, written)
        raise
    _delete_blobs_on_rollback(session, store, written)
    return job


def _delete_blobs(store: ObjectStore, keys: Sequence[str]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except Exception:
            logger.warning("could not delete %s", key, exc_info=True)


_PENDING_BLOBS = "matdiscover.pending_blobs"


def _delete_blobs_on_rollback(session: Session, store: ObjectStore, keys: list[str]) -> None:
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
                _delete_blobs(blob_store, blob_keys)
            waiting.clear()

    pending.append((store, keys))


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return keep.strip("._")[:100] or "input"


# ------------------------------------------------------------------ read


def get_job(session: Session, job_id: int, *, organization_id: int) -> Job:
    job = (
        session.scalar(select(Job).where(Job.id == job_id, Job.organization_id == organization_id))
        if can_exist(job_id)
        else None
    )
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def chunk_counts(session: Session, job_id: int) -> dict[JobStatus, int]:
    rows = session.execute(
        select(JobChunk.status, func.count())
        .where(JobChunk.job_id == job_id)
        .group_by(JobChunk.status)
    ).all()
    return {status: int(n) for status, n in rows}


def to_read(session: Session, job: Job) -> JobRead:
    counts = chunk_counts(session, job.id)
    rate = eta = None
    if job.started_at is not None and job.processed > 0:
        end = job.finished_at or now()
        elapsed = max((end - job.started_at).total_seconds(), 1e-3)
        rate = job.processed / elapsed
        eta = max(job.total - job.processed, 0) / rate if job.status not in TERMINAL else 0.0
    return JobRead(
        id=job.id,
        kind=job.kind,
        status=job.status,
        total=job.total,
        processed=job.processed,
        error_count=job.error_count,
        progress=(job.processed / job.total) if job.total else 1.0,
        rows_per_second=rate,
        eta_seconds=eta,
        chunks_total=sum(counts.values()),
        chunks_done=counts.get(JobStatus.succeeded, 0),
        chunks_failed=counts.get(JobStatus.failed, 0),
        params=job.params,
        error=job.error,
        results_available=job.result_uri is not None,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def list_jobs(
    session: Session,
    *,
    organization_id: int,
    status: JobStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Job], int]:
    stmt = select(Job).where(Job.organization_id == organization_id)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Job.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), int(total)


# ------------------------------------------------------------------ control


def _lock_job(session: Session, job_id: int, *, organization_id: int) -> Job:
    """The organisation's job, row-locked for a state change (404 if not visible)."""
    job = (
        session.scalar(
            select(Job)
            .where(Job.id == job_id, Job.organization_id == organization_id)
            .with_for_update()
        )
        if can_exist(job_id)
        else None
    )
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def cancel_job(session: Session, job_id: int, *, organization_id: int) -> Job:
    """Stop scheduling new chunks; running chunks finish, then the job is cancelled."""
    job = _lock_job(session, job_id, organization_id=organization_id)
    if job.status in TERMINAL:
        raise Conflict(f"job {job_id} has already ended ({job.status.value})")
    queued = session.scalars(
        select(JobChunk).where(JobChunk.job_id == job_id, JobChunk.status == JobStatus.queued)
    ).all()
    for chunk in queued:
        if chunk.queue_job_id is not None:
            session.execute(
                text("SELECT procrastinate_cancel_job_v1(:id, false, false)"),
                {"id": chunk.queue_job_id},
            )
        chunk.status = JobStatus.cancelled
    running = session.scalar(
        select(func.count()).where(JobChunk.job_id == job_id, JobChunk.status == JobStatus.running)
    )
    if running:
        job.status = JobStatus.cancelling
    else:
        job.status = JobStatus.cancelled
        job.finished_at = now()
    session.flush()
    return job


def retry_job(session: Session, job_id: int, *, organization_id: int) -> Job:
    """Re-run only the failed (or cancelled) chunks of an ended job."""
    job = _lock_job(session, job_id, organization_id=organization_id)
    if job.status not in (JobStatus.failed, JobStatus.cancelled):
        raise Conflict(
            f"only failed or cancelled jobs can be retried (this one is {job.status.value})"
        )
    chunks = session.scalars(
        select(JobChunk).where(
            JobChunk.job_id == job_id,
            JobChunk.status.in_([JobStatus.failed, JobStatus.cancelled]),
        )
    ).all()
    if not chunks:
        raise Conflict(f"job {job_id} has no failed chunks to retry")
    for chunk in chunks:
        chunk.status = JobStatus.queued
        chunk.error = None
        chunk.queue_job_id = defer_in_session(
            session, CHUNK_TASK, {"job_id": job.id, "chunk_index": chunk.index}
        )
    job.status = JobStatus.running if job.processed else JobStatus.queued
    job.error = None
    job.finished_at = None
    session.flush()
    return job


# ------------------------------------------------------------------ worker side


def start_chunk(session: Session, job_id: int, index: int) -> JobChunk | None:
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
        _settle_cancel(session, job)
        return None
    chunk.status = JobStatus.running
    chunk.attempts += 1
    chunk.started_at = now()
    if job.status == JobStatus.queued:
        job.status = JobStatus.running
        job.started_at = job.started_at or now()
    session.flush()
    return chunk


def _settle_cancel(session: Session, job: Job) -> None:
    running = session.scalar(
        select(func.count()).where(JobChunk.job_id == job.id, JobChunk.status == JobStatus.running)
    )
    if job.status == JobStatus.cancelling and not running:
        job.status = JobStatus.cancelled
        job.finished_at = now()


def complete_chunk(
    session: Session,
    job_id: int,
    index: int,
    *,
    processed: int,
    errors: int,
    result_uri: str,
    on_first_completion: Any = None,
) -> bool:
    """Mark a chunk done and count its rows, exactly once; enqueue reduce after the last.

    ``on_first_completion(session, job)`` runs inside the same transaction only when
    this call is the one that completes the chunk (used to store materials).
    Returns whether this call completed the chunk.
    """
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
            result_uri=result_uri,
            finished_at=now(),
            error=None,
        )
        .returning(JobChunk.id)
    ).first()
    if done is None:
        return False
    job.processed += processed
    job.error_count += errors
    if on_first_completion is not None:
        on_first_completion(session, job)
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
        _settle_cancel(session, job)
        return
    failed = counts.get(JobStatus.failed, 0)
    if failed:
        job.status = JobStatus.failed
        job.error = f"{failed} chunk(s) failed; POST /api/v1/jobs/{job.id}/retry re-runs them"
        job.finished_at = now()
        return
    defer_in_session(session, REDUCE_TASK, {"job_id": job.id}, queueing_lock=f"reduce-{job.id}")


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
    store.put(result_key(job_id, "parquet"), _to_parquet(ok))
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
    store.put(errors_key(job_id), _to_parquet(err))
    job.result_uri = store.url_for(result_key(job_id, "parquet"))
    job.status = JobStatus.succeeded
    job.finished_at = now()
    session.flush()
    return job


def collect_errors(session: Session, store: ObjectStore, job: Job) -> list[Any]:
    """Error rows of the chunks finished so far (before the job's errors file exists)."""
    from matdiscover.domains.jobs.schemas import JobErrorRow

    chunks = session.scalars(
        select(JobChunk)
        .where(JobChunk.job_id == job.id, JobChunk.status == JobStatus.succeeded)
        .order_by(JobChunk.index)
    ).all()
    out: list[JobErrorRow] = []
    col = "formula" if job.params.get("input_kind") == "formulas" else "filename"
    for c in chunks:
        frame = read_parquet_bytes(store.get(chunk_result_key(job.id, c.index)))
        bad = frame[frame["error"].notna()]
        out.extend(
            JobErrorRow(row=int(r["row_index"]), input=str(r.get(col, "")), error=str(r["error"]))
            for _, r in bad.iterrows()
        )
    return out
