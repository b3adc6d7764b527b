"""The job queue with a real worker process on the same PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import Engine, text

from matdiscover.domains.tasks import QueueSelfTest
from matdiscover.worker.queue import build_queue_app

pytestmark = pytest.mark.slow


def test_worker_process_runs_a_queued_job(db_url: str, engine: Engine) -> None:
    env = {**os.environ, "MATDISCOVER_DATABASE_URL": db_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "matdiscover.cli.main", "worker", "--queue", "default"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        app = build_queue_app(db_url)
        with app.open():
            job_id = app.tasks[QueueSelfTest.TASK].defer(sent_at=time.time())
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                status = conn.execute(
                    text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
                ).scalar_one()
            if status in ("succeeded", "failed"):
                break
            time.sleep(0.2)
        assert status == "succeeded"
        with engine.connect() as conn:
            workers = conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one()
        assert workers == 1, "the worker registered itself (heartbeat row)"
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, out.decode(errors="replace")[-2000:]
