"""Put a job on the queue inside the caller's database transaction.

Using procrastinate's own SQL function through the caller's session means the
job exists if and only if the caller's transaction commits: a crash can neither
lose the job nor leave a job pointing at rows that were rolled back.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_DEFER_SQL = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    ":queue, :task, :priority, :lock, :queueing_lock, CAST(:args AS jsonb), NULL::timestamptz"
    ")]::procrastinate_job_to_defer_v1[]))"
)


def defer_in_session(
    session: Session,
    task_name: str,
    args: dict[str, Any],
    *,
    queue: str = "default",
    priority: int = 0,
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> int:
    """Enqueue ``task_name(**args)`` in ``session``'s transaction; return the queue job id."""
    job_id = session.execute(
        _DEFER_SQL,
        {
            "queue": queue,
            "task": task_name,
            "priority": priority,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(args),
        },
    ).scalar_one()
    return int(job_id)
