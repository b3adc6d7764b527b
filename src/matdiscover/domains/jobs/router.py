"""HTTP endpoints of the jobs domain: batch prediction jobs and the workers running them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep, StoreDep, scoped_session
from matdiscover.api.responses import error_responses
from matdiscover.domains.jobs import liveness, service
from matdiscover.domains.jobs.models import Job, JobStatus, WorkerProcess
from matdiscover.domains.jobs.schemas import JobErrorRow, JobErrors, JobPage, JobRead, WorkerRead
from matdiscover.domains.usage import service as usage
from matdiscover.errors import Conflict, InputTooLarge

router = APIRouter(tags=["jobs"])

#: One Server-Sent Event of ``GET /jobs/{id}/events``.
_SSE_EVENT: dict[str, object] = {
    "type": "object",
    "properties": {
        "event": {"enum": ["progress", "end"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "progress: the job (JobRead); end: {status}",
        },
    },
    "required": ["event", "data"],
}


@router.post(
    "/jobs/batch-predictions",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(400, 402, 413, 422),
)
def submit_batch_predictions(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[
        UploadFile,
        File(description="CSV/TSV/Parquet with a 'formula' column, or a .zip of structure files"),
    ],
    properties: Annotated[
        list[str] | None,
        Form(description="Properties to predict (repeat the field or comma-separate); default all"),
    ] = None,
    store_results: Annotated[
        bool, Form(alias="store", description="Also store rows as searchable materials")
    ] = False,
) -> JobRead:
    """Submit a batch prediction job; returns at once with the job to poll or stream."""
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise InputTooLarge(
            f"the file exceeds the limit of {settings.max_upload_bytes // (1024 * 1024)} MB"
        )
    props = [p.strip() for item in properties or [] for p in item.split(",") if p.strip()]
    service.check_job_slot(session, caller.organization_id, settings.plan_limits)

    def check_quota(rows: int) -> None:  # before any file of the job is stored
        usage.check_batch_rows(session, caller.organization_id, rows, settings.plan_limits)
        usage.charge_predictions(
            session,
            caller.organization_id,
            rows,
            settings.plan_limits,
            user_id=caller.user_id,
            what=f"batch of {rows:,} rows",
        )

    job = service.submit_batch(
        session,
        store,
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        data=data,
        filename=file.filename or "input.csv",
        properties=props or None,
        store_results=store_results,
        max_rows=settings.max_batch_rows,
        limits=settings.parse_limits(),
        check=check_quota,
    )
    return service.to_read(session, job)


@router.get("/jobs", response_model=JobPage, responses=error_responses(422))
def list_jobs(
    session: SessionDep,
    caller: CallerDep,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JobPage:
    """Your jobs, newest first, optionally filtered by status."""
    rows, total = service.list_jobs(
        session, organization_id=caller.organization_id, status=status, limit=limit, offset=offset
    )
    return JobPage(items=[service.to_read(session, j) for j in rows], total=total)


@router.get("/jobs/{job_id}", response_model=JobRead, responses=error_responses(404, 422))
def get_job(job_id: int, session: SessionDep, caller: CallerDep) -> JobRead:
    """Status and progress: processed/total, rows per second, ETA, error count."""
    return service.to_read(
        session, service.get_job(session, job_id, organization_id=caller.organization_id)
    )


@router.get(
    "/jobs/{job_id}/events",
    responses={
        200: {
            "description": "An event stream: `progress` events (a JobRead), then `end`",
            "content": {"text/event-stream": {"schema": _SSE_EVENT}},
        },
        **error_responses(404, 422),
    },
    response_class=StreamingResponse,
)
async def job_events(job_id: int, request: Request, caller: CallerDep) -> StreamingResponse:
    """Server-Sent Events: a ``progress`` event whenever the job changes, ``end`` when it ends."""

    def snapshot() -> JobRead:
        with scoped_session(request, caller) as session:
            job = service.get_job(session, job_id, organization_id=caller.organization_id)
            return service.to_read(session, job)

    first = await run_in_threadpool(snapshot)  # 404 before the stream starts

    async def stream() -> AsyncIterator[bytes]:
        last: str | None = None
        state = first
        quiet = 0.0
        while True:
            payload = state.model_dump_json()
            if payload != last:
                yield f"event: progress\ndata: {payload}\n\n".encode()
                last, quiet = payload, 0.0
            elif quiet >= 15:
                yield b": keep-alive\n\n"
                quiet = 0.0
            if state.status in service.TERMINAL:
                yield f"event: end\ndata: {json.dumps({'status': state.status.value})}\n\n".encode()
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.5)
            quiet += 0.5
            state = await run_in_threadpool(snapshot)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/jobs/{job_id}/results",
    responses={
        200: {
            "description": "The results table",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        },
        **error_responses(404, 409, 422),
    },
    response_class=Response,
)
def job_results(
    job_id: int,
    session: SessionDep,
    caller: CallerDep,
    store: StoreDep,
    format: Literal["csv", "parquet"] = "csv",
) -> Response:
    """The results file: one row per valid input row, in input order (``row_index``)."""
    job = service.get_job(session, job_id, organization_id=caller.organization_id)
    if job.result_uri is None:
        raise Conflict(f"job {job_id} has no results yet (status {job.status.value})")
    data = store.get(service.result_key(job_id, format))
    media = "text/csv" if format == "csv" else "application/vnd.apache.parquet"
    return Response(
        content=data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="job-{job_id}-results.{format}"'},
    )


@router.get(
    "/jobs/{job_id}/errors", response_model=JobErrors, responses=error_responses(404, 409, 422)
)
def job_errors(
    job_id: int,
    session: SessionDep,
    caller: CallerDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobErrors:
    """Rows that could not be predicted, with row number and reason."""
    job = service.get_job(session, job_id, organization_id=caller.organization_id)
    if job.result_uri is None:
        rows = service.collect_errors(session, store, job)
    else:
        frame = service.read_parquet_bytes(store.get(service.errors_key(job_id)))
        rows = [
            JobErrorRow(row=int(r.row), input=str(r.input), error=str(r.error))
            for r in frame.itertuples(index=False)
        ]
    return JobErrors(job_id=job_id, total=len(rows), items=rows[offset : offset + limit])


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobRead, responses=error_responses(404, 409, 422)
)
def cancel_job(job_id: int, session: SessionDep, caller: CallerDep) -> JobRead:
    """Stop scheduling new chunks; running chunks finish, then the job is ``cancelled``."""
    job = service.cancel_job(session, job_id, organization_id=caller.organization_id)
    return service.to_read(session, job)


@router.post(
    "/jobs/{job_id}/retry", response_model=JobRead, responses=error_responses(404, 409, 422)
)
def retry_job(job_id: int, session: SessionDep, caller: CallerDep) -> JobRead:
    """Re-run only the failed or cancelled chunks of an ended job."""
    job = service.retry_job(session, job_id, organization_id=caller.organization_id)
    return service.to_read(session, job)


@router.get("/workers", response_model=list[WorkerRead], responses=error_responses(422))
def list_workers(session: SessionDep, include_dead: bool = False) -> list[WorkerRead]:
    """Worker processes with host, pid, queues, last heartbeat and current job (the job and
    task only when the job is your organisation's; otherwise the worker shows as busy).

    A worker is alive while its heartbeat is fresh (3 missed heartbeats, 15 s, mean dead)
    and, on the server's own host, its process runs; ``include_dead`` lists the others."""
    now = datetime.now(UTC)
    rows = session.scalars(select(WorkerProcess).order_by(WorkerProcess.id)).all()
    running = [w.current_job_id for w in rows if w.current_job_id is not None]
    # the session is tenant-scoped: only this organisation's jobs come back
    own_jobs = set(session.scalars(select(Job.id).where(Job.id.in_(running)))) if running else set()
    out = []
    for w in rows:
        age = (now - w.last_heartbeat).total_seconds()
        alive = liveness.is_alive(w, now=now)
        if alive or include_dead:
            out.append(
                WorkerRead(
                    id=w.id,
                    host=w.host,
                    pid=w.pid,
                    queues=[str(q) for q in w.queues],
                    concurrency=w.concurrency,
                    started_at=w.created_at,
                    last_heartbeat=w.last_heartbeat,
                    seconds_since_heartbeat=round(age, 1),
                    alive=alive,
                    current_task=(
                        w.current_task
                        if w.current_job_id is None or w.current_job_id in own_jobs
                        else "busy (another organisation's job)"
                    ),
                    current_job_id=w.current_job_id if w.current_job_id in own_jobs else None,
                )
            )
    return out
