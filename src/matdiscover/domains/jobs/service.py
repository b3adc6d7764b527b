"""Jobs service: batch prediction jobs split into chunks (map) and assembled (reduce).

This module is the domain's public interface (the API, the CLI, the worker and other
domains import only it): reading and controlling jobs is here; submitting is in
:mod:`.submit`, a job's progress as reported by the worker in :mod:`.progress`, where its
files live in :mod:`.files`, and the queue's task contract in :mod:`.tasks`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains import tasks
from matdiscover.domains.jobs.files import chunk_input_key as chunk_input_key
from matdiscover.domains.jobs.files import chunk_result_key as chunk_result_key
from matdiscover.domains.jobs.files import delete_blobs_on_rollback as delete_blobs_on_rollback
from matdiscover.domains.jobs.files import errors_key as errors_key
from matdiscover.domains.jobs.files import read_parquet_bytes as read_parquet_bytes
from matdiscover.domains.jobs.files import result_key as result_key
from matdiscover.domains.jobs.models import Job, JobChunk, JobStatus
from matdiscover.domains.jobs.progress import TERMINAL as TERMINAL
from matdiscover.domains.jobs.progress import ChunkWork as ChunkWork
from matdiscover.domains.jobs.progress import assemble_results as assemble_results
from matdiscover.domains.jobs.progress import chunk_counts as chunk_counts
from matdiscover.domains.jobs.progress import complete_chunk as complete_chunk
from matdiscover.domains.jobs.progress import fail_chunk as fail_chunk
from matdiscover.domains.jobs.progress import now
from matdiscover.domains.jobs.progress import start_chunk as start_chunk
from matdiscover.domains.jobs.routing import choose_queue
from matdiscover.domains.jobs.schemas import JobErrorRow, JobRead
from matdiscover.domains.jobs.submit import ACTIVE_JOB_STATES as ACTIVE_JOB_STATES
from matdiscover.domains.jobs.submit import active_jobs as active_jobs
from matdiscover.domains.jobs.submit import check_job_slot as check_job_slot
from matdiscover.domains.jobs.submit import submit_batch as submit_batch
from matdiscover.errors import Conflict
from matdiscover.storage import ObjectStore

# ------------------------------------------------------------------ read


def get_job(session: Session, job_id: int, *, organization_id: int) -> Job:
    statement = select(Job).where(Job.id == job_id, Job.organization_id == organization_id)
    return one_or_not_found(session, job_id, statement, f"job {job_id} not found")


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


def collect_errors(session: Session, store: ObjectStore, job: Job) -> list[Any]:
    """Error rows of the chunks finished so far (before the job's errors file exists)."""
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


# ------------------------------------------------------------------ control


def _lock_job(session: Session, job_id: int, *, organization_id: int) -> Job:
    """The organisation's job, row-locked for a state change (404 if not visible)."""
    statement = (
        select(Job)
        .where(Job.id == job_id, Job.organization_id == organization_id)
        .with_for_update()
    )
    return one_or_not_found(session, job_id, statement, f"job {job_id} not found")


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
    # routed again: the GPU worker live at submission may be gone (domains/jobs/routing.py)
    queue = choose_queue(session, str(job.params.get("input_kind", "formulas")))
    job.params = {**job.params, "queue": queue}
    for chunk in chunks:
        chunk.status = JobStatus.queued
        chunk.error = None
        chunk.queue_job_id = tasks.defer(
            session, tasks.BatchChunk(job_id=job.id, chunk_index=chunk.index), queue=queue
        )
    job.status = JobStatus.running if job.processed else JobStatus.queued
    job.error = None
    job.finished_at = None
    session.flush()
    return job
