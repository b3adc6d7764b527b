"""One queue contract (issue 11): task names and payloads declared once, enqueued through
one typed ``defer``, validated by the worker; a finished chunk's rows stored by the jobs
service itself, exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, text

from matdiscover.db.engine import make_session_factory
from matdiscover.domains import tasks
from matdiscover.domains.jobs import service as jobs
from matdiscover.storage import ObjectStore
from matdiscover.worker.queue import build_queue_app
from tests.platform.conftest import count_rows


def queued(engine: Engine) -> list[tuple[str, str, dict[str, Any]]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT task_name, queue_name, args FROM procrastinate_jobs ORDER BY id")
        ).all()
    return [(r.task_name, r.queue_name, r.args) for r in rows]


def test_the_worker_registers_exactly_the_contracts_tasks(db_url: str) -> None:
    app = build_queue_app(db_url)
    ours = {name for name in app.tasks if name.startswith("matdiscover.")}
    assert ours == {p.TASK for p in tasks.PAYLOADS} | {tasks.RECOVER_STALLED_JOBS}
    for payload in tasks.PAYLOADS:
        assert app.tasks[payload.TASK].queue == payload.QUEUE


def test_a_worker_task_validates_its_payload(db_url: str) -> None:
    app = build_queue_app(db_url)
    chunk = app.tasks[tasks.BatchChunk.TASK]
    with pytest.raises(ValidationError, match="chunk_index"):
        chunk(job_id=1)  # a missing argument fails at once, before any work
    with pytest.raises(ValidationError, match="chunk"):
        chunk(job_id=1, chunk=0)  # a misspelt one too (extra arguments are refused)
    with pytest.raises(ValidationError, match="sent_at"):
        app.tasks[tasks.QueueSelfTest.TASK](sent_at="yesterday")
    assert app.tasks[tasks.QueueSelfTest.TASK](sent_at=0.0)["latency_s"] > 0


def test_defer_enqueues_inside_the_callers_transaction(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        tasks.defer(session, tasks.BatchChunk(job_id=5, chunk_index=2))
        session.rollback()
    assert queued(engine) == [], "a rolled-back transaction leaves no task"
    with factory() as session:
        tasks.defer(session, tasks.BatchChunk(job_id=5, chunk_index=2))
        tasks.defer(session, tasks.PredictMaterial(material_id=3, organization_id=1))
        session.commit()
    assert queued(engine) == [
        ("matdiscover.batch_chunk", "default", {"job_id": 5, "chunk_index": 2}),
        # arguments left at their default are not written (the worker's model has them)
        ("matdiscover.predict_material", "default", {"material_id": 3, "organization_id": 1}),
    ]


def _results(chunk: pd.DataFrame) -> pd.DataFrame:
    """What a worker computes for a chunk: one row per input row, ``error`` for bad ones."""
    bad = chunk["formula"] == "Xx2O3"
    out = chunk.reset_index(drop=True).copy()
    out["error"] = [("unknown element Xx" if b else None) for b in bad]
    out["method"] = "composition"
    out["formation_energy"] = [None if b else -1.0 - i for i, b in enumerate(bad)]
    out["formation_energy_std"] = 0.1
    return out


@pytest.mark.parametrize("store_results", [True, False])
def test_complete_chunk_stores_a_store_jobs_rows_once(
    engine: Engine, tmp_path: Path, store_results: bool
) -> None:
    from matdiscover.domains.organizations.service import ensure_local_identity

    store = ObjectStore(str(tmp_path / "storage"))
    factory = make_session_factory(engine)
    formulas = ["NaCl", "Xx2O3", "Fe2O3", "GaAs"]
    with factory() as session:
        org = ensure_local_identity(session).organization_id
        job = jobs.submit_batch(
            session,
            store,
            organization_id=org,
            user_id=None,
            data=pd.DataFrame({"formula": formulas}).to_csv(index=False).encode(),
            filename="in.csv",
            properties=["formation_energy"],
            store_results=store_results,
            max_rows=100,
            limits=None,
        )
        session.commit()
        job_id = job.id
    with factory() as session:
        work = jobs.start_chunk(session, job_id, 0)
        session.commit()
    assert work is not None and list(work.properties) == ["formation_energy"]
    chunk = jobs.read_parquet_bytes(store.get(jobs.chunk_input_key(job_id, 0)))
    results = _results(chunk)
    for expected in (True, False):  # a chunk run twice completes (and stores) once
        with factory() as session:
            assert jobs.complete_chunk(session, store, job_id, 0, results=results) is expected
            session.commit()
    with factory() as session:
        job = jobs.get_job(session, job_id, organization_id=org)
        assert (job.processed, job.error_count) == (4, 1)
    assert [t for t, _, _ in queued(engine)] == [tasks.BatchChunk.TASK, tasks.BatchReduce.TASK]
    if not store_results:
        assert count_rows(engine, "materials") == 0
        assert count_rows(engine, "predictions") == 0
        return
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT m.source_id, m.reduced_formula, p.value FROM materials m "
                "JOIN predictions p ON p.material_id = m.id AND p.job_id = :job "
                "ORDER BY m.source_id"
            ),
            {"job": job_id},
        ).all()
    # each material carries its own row's prediction
    assert [tuple(r) for r in stored] == [
        (f"job-{job_id}:row-0", "NaCl", -1.0),
        (f"job-{job_id}:row-2", "Fe2O3", -3.0),
        (f"job-{job_id}:row-3", "GaAs", -4.0),
    ]
