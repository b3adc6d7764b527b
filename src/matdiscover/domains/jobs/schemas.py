"""Pydantic schemas of the jobs domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from matdiscover.domains.jobs.models import JobStatus


class JobRead(BaseModel):
    id: int
    kind: str
    status: JobStatus
    total: int = Field(description="Rows (or structures) in the input")
    processed: int = Field(description="Rows handled so far, including rows with errors")
    error_count: int = Field(description="Rows that could not be predicted (see /errors)")
    progress: float = Field(description="processed / total, 0..1")
    rows_per_second: float | None
    eta_seconds: float | None
    chunks_total: int
    chunks_done: int
    chunks_failed: int
    params: dict[str, Any]
    error: str | None
    results_available: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobRead]
    total: int


class JobErrorRow(BaseModel):
    row: int = Field(description="0-based row index in the input (data rows, header excluded)")
    input: str
    error: str


class JobErrors(BaseModel):
    job_id: int
    total: int
    items: list[JobErrorRow]


class WorkerRead(BaseModel):
    id: int
    host: str
    pid: int
    queues: list[str]
    concurrency: int
    started_at: datetime
    last_heartbeat: datetime
    seconds_since_heartbeat: float
    alive: bool
    current_task: str | None
    current_job_id: int | None
