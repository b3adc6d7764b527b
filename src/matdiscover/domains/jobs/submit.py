"""Submitting a batch prediction job: the plan's job slots, the input, its chunks, the queue.

A job row, its chunk rows and their queue entries are written in one transaction, after
every quota check and before its files: a refused or rolled-back submission leaves no
file in the object store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matdiscover.domains import tasks
from matdiscover.domains.jobs.files import (
    chunk_input_key,
    delete_blobs,
    delete_blobs_on_rollback,
    input_key,
    to_parquet,
)
from matdiscover.domains.jobs.models import Job, JobChunk, JobStatus
from matdiscover.domains.jobs.routing import choose_queue
from matdiscover.domains.usage import service as usage
from matdiscover.errors import InputTooLarge, InvalidInput, RateLimited
from matdiscover.storage import ObjectStore

BATCH_KIND = "batch_prediction"
DEFAULT_CHUNK_ROWS = {"formulas": 2000, "structures": 25}
#: A job in one of these states holds one of the plan's concurrent-job slots.
ACTIVE_JOB_STATES = (JobStatus.queued, JobStatus.running, JobStatus.cancelling)
InputKind = Literal["formulas", "structures"]


def active_jobs(session: Session, organization_id: int) -> int:
    """How many of the organisation's jobs are queued, running or being cancelled."""
    return int(
        session.scalar(
            select(func.count(Job.id)).where(
                Job.organization_id == organization_id, Job.status.in_(ACTIVE_JOB_STATES)
            )
        )
        or 0
    )


def check_job_slot(
    session: Session, organization_id: int, overrides: dict[str, dict[str, int]] | None
) -> None:
    """Refuse a job while the plan's number of concurrent jobs are queued or running."""
    usage.lock_organization(session, organization_id)
    limits = usage.plan_limits(session, organization_id, overrides)
    running = active_jobs(session, organization_id)
    if running >= limits.concurrent_jobs:
        raise RateLimited(
            f"{running} job(s) already queued or running; your plan allows "
            f"{limits.concurrent_jobs} at once. Retry when one finishes",
            retry_after=30,
        )


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
    queue = choose_queue(session, kind)  # gpu for structures while a GPU worker is live
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
            "queue": queue,
            "columns": [c for c in frame.columns if c not in ("row_index", "content")],
            # the organisation's active versions at submission: every chunk uses these,
            # even if another version is promoted while the job runs
            "model_version_ids": organization_models(session, organization_id, props),
        },
        total=len(frame),
    )
    session.add(job)
    session.flush()
    key = input_key(job.id, filename)
    job.input_uri = store.url_for(key)
    blobs: list[tuple[str, pd.DataFrame | bytes]] = [(key, data)]
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
        chunk.queue_job_id = tasks.defer(
            session, tasks.BatchChunk(job_id=job.id, chunk_index=index), queue=queue
        )
    session.flush()
    written: list[str] = []
    try:
        for key, content in blobs:
            written.append(key)
            store.put(key, content if isinstance(content, bytes) else to_parquet(content))
    except BaseException:
        delete_blobs(store, written)
        raise
    delete_blobs_on_rollback(session, store, written)
    return job


def organization_models(
    session: Session, organization_id: int, props: Sequence[str]
) -> dict[str, int]:
    """Ids of the organisation's active composition-model versions among ``props``."""
    from matdiscover.domains.model_registry import service as registry

    active = registry.active_versions(session, organization_id=organization_id)
    return {p: row.id for p, row in active.items() if p in props and row.method == "composition"}
