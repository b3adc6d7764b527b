"""GPU routing (``domains/jobs/routing.py``): structure batches go to the ``gpu`` queue while
a worker claiming it is live, else to ``default``; composition batches always to ``default``.
Real worker processes on the real queue."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from matdiscover.domains.jobs.models import WorkerProcess
from matdiscover.domains.jobs.routing import gpu_worker_live
from matdiscover.settings import Settings
from tests.platform.test_batch_jobs import make_csv, results_frame, submit, wait_for

pytestmark = pytest.mark.slow


def structures_zip() -> bytes:
    """Three rock-salt CIFs (one chunk of the structure path)."""
    from pymatgen.core import Lattice, Structure

    from matdiscover.science.io import write_structure

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for a, (x, y) in [(5.64, ("Na", "Cl")), (6.29, ("K", "Cl")), (4.21, ("Mg", "O"))]:
            s = Structure.from_spacegroup(
                "Fm-3m", Lattice.cubic(a), [x, y], [[0, 0, 0], [0.5, 0.5, 0.5]]
            )
            zf.writestr(f"{x}{y}.cif", write_structure(s, "cif"))
    return buf.getvalue()


def queue_rows(engine: Engine, job_id: int) -> list[tuple[str, str, str, int | None]]:
    """(task, queue, status, procrastinate worker id) of the job's chunk and reduce entries."""
    with engine.connect() as conn:
        return [
            (r.task_name, r.queue_name, r.status, r.worker_id)
            for r in conn.execute(
                text(
                    "SELECT task_name, queue_name, status::text AS status, worker_id "
                    "FROM procrastinate_jobs WHERE (args->>'job_id')::bigint = :id ORDER BY id"
                ),
                {"id": job_id},
            )
        ]


def procrastinate_workers(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT id FROM procrastinate_workers")).scalars())


class QueueWorkers:
    """``matdiscover worker --queue Q`` processes; each remembers its procrastinate worker id."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.engine = engine
        self.env = {
            **os.environ,
            "MATDISCOVER_DATABASE_URL": str(settings.database_url),
            "MATDISCOVER_DATA_DIR": str(settings.data_dir),
            "MATDISCOVER_STRUCTURE_MODEL": "chgnet",  # the fastest structure tier
        }
        self.log_dir = Path(str(settings.data_dir)).parent
        self.procs: list[subprocess.Popen[bytes]] = []
        self.queue_worker_ids: dict[str, int] = {}

    def start(self, queue: str) -> None:
        """Start a worker on ``queue`` only and wait until it is registered in both
        registries (ours for routing, procrastinate's for who ran what)."""
        before = procrastinate_workers(self.engine)
        with open(self.log_dir / f"worker-{queue}.log", "wb") as fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", "matdiscover.cli.main", "worker", "--queue", queue],
                env=self.env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            new = procrastinate_workers(self.engine) - before
            with self.engine.connect() as conn:
                registered = conn.execute(
                    text("SELECT 1 FROM worker_processes WHERE pid = :pid"), {"pid": proc.pid}
                ).first()
            if len(new) == 1 and registered:
                self.queue_worker_ids[queue] = new.pop()
                return
            assert proc.poll() is None, self.tail(queue)
            time.sleep(0.3)
        raise AssertionError(f"worker on {queue} did not register\n{self.tail(queue)}")

    def tail(self, queue: str) -> str:
        return (self.log_dir / f"worker-{queue}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture()
def queue_workers(settings: Settings, engine: Engine) -> Iterator[QueueWorkers]:
    w = QueueWorkers(settings, engine)
    yield w
    w.stop()


def register(session: Session, queues: list[str], *, age_s: float = 0.0) -> None:
    """A registry row for this (live) test process, as a worker would write it."""
    session.add(
        WorkerProcess(
            host=os.uname().nodename,
            pid=os.getpid(),
            queues=queues,
            concurrency=1,
            last_heartbeat=datetime.now(UTC) - timedelta(seconds=age_s),
        )
    )
    session.flush()


def test_only_a_live_worker_claiming_gpu_counts(session: Session) -> None:
    assert not gpu_worker_live(session)
    register(session, ["default"])
    assert not gpu_worker_live(session), "a CPU worker is not a GPU worker"
    register(session, ["default", "gpu"])
    assert not gpu_worker_live(session), "a worker on every queue is a general worker"
    register(session, ["gpu"], age_s=60)
    assert not gpu_worker_live(session), "a silent GPU worker is dead"
    register(session, ["gpu"])
    assert gpu_worker_live(session)


def test_structure_batch_goes_to_the_live_gpu_worker(
    client: TestClient, engine: Engine, queue_workers: QueueWorkers
) -> None:
    cifs = structures_zip()
    # no GPU worker: the structure batch is CPU work
    before = submit(client, cifs, name="before.zip", properties="formation_energy")
    assert before["params"]["input_kind"] == "structures"
    assert before["params"]["queue"] == "default"
    assert [q for _, q, _, _ in queue_rows(engine, before["id"])] == ["default"]
    client.post(f"/api/v1/jobs/{before['id']}/cancel").raise_for_status()

    queue_workers.start("gpu")
    queue_workers.start("default")  # runs the reduce step (and composition work)
    gpu_id, cpu_id = (
        queue_workers.queue_worker_ids["gpu"],
        queue_workers.queue_worker_ids["default"],
    )
    listed = {tuple(w["queues"]) for w in client.get("/api/v1/workers").json()}
    assert listed == {("gpu",), ("default",)}

    job = submit(client, cifs, name="after.zip", properties="formation_energy")
    assert job["params"]["queue"] == "gpu"
    formulas, _ = make_csv(300, bad_every=50)
    comp = submit(client, formulas, name="comp.csv", properties="band_gap")
    assert comp["params"]["queue"] == "default", "composition work never goes to the GPU"

    for j in (job, comp):
        done = wait_for(
            client, j["id"], lambda x: x["status"] in ("succeeded", "failed"), timeout=240
        )
        assert done["status"] == "succeeded", (done, queue_workers.tail("gpu"))

    rows = queue_rows(engine, job["id"])
    chunks = [r for r in rows if r[0] == "matdiscover.batch_chunk"]
    assert chunks and all(q == "gpu" and s == "succeeded" for _, q, s, _ in chunks), rows
    assert {w for *_, w in chunks} == {gpu_id}, f"chunks run by {rows}, gpu worker {gpu_id}"
    reduce = [r for r in rows if r[0] == "matdiscover.batch_reduce"]
    assert [(q, w) for _, q, _, w in reduce] == [("default", cpu_id)]

    comp_rows = queue_rows(engine, comp["id"])
    assert comp_rows and {(q, w) for _, q, _, w in comp_rows} == {("default", cpu_id)}
    res = results_frame(client, job["id"])
    assert sorted(res["formula"]) == ["KCl", "MgO", "NaCl"]
    assert (res["method"] == "structure").all() and res["formation_energy"].lt(-1).all()
