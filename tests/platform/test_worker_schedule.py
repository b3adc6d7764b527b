"""The stalled-job check really runs every 10 seconds (croniter reads a sixth field as seconds)."""

from __future__ import annotations

from datetime import datetime

from croniter import croniter

from matdiscover.domains.tasks import RECOVER_STALLED_JOBS
from matdiscover.worker.queue import build_queue_app


def test_stalled_job_recovery_is_scheduled_every_ten_seconds() -> None:
    app = build_queue_app("postgresql://unused@/unused")
    periodic = [
        p
        for p in app.periodic_registry.periodic_tasks.values()
        if p.task.name == RECOVER_STALLED_JOBS
    ]
    assert len(periodic) == 1
    task = periodic[0]
    it = croniter(task.cron, datetime(2026, 1, 1, 12, 3, 4))
    ticks = [it.get_next(datetime) for _ in range(4)]
    gaps = {(b - a).total_seconds() for a, b in zip(ticks, ticks[1:], strict=False)}
    assert gaps == {10.0}, f"recovery must run every 10 s, got ticks {ticks}"
    assert task.configure_kwargs.get("priority", 0) > 0
