"""Molecule batches on the real queue: embedded PostgreSQL and real worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from matdiscover.domains.identity import Role
from matdiscover.domains.molecules.batch import submit as batch_submit
from matdiscover.domains.molecules.batch.submit import DEFAULT_CHUNK_ROWS
from matdiscover.science.chemistry import load_moleculeace_seed, parse_smiles, standardise
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.tenants import login, make_org, make_user, server_settings
from tests.platform.test_batch_jobs import (
    Workers,
    live_server,
    results_frame,
    wait_for,
    workers,
)

pytestmark = pytest.mark.slow

__all__ = ["live_server", "workers"]  # fixtures shared with the materials batch tests

API = "/api/v1"
#: One bad row of each kind, with the reader's error kind.
BAD_ROWS = {
    "C1CC": "invalid_smiles",
    "C(C)(C)(C)(C)C": "valence",
    "": "missing_smiles",
    "C" * 250: "too_many_atoms",
    "c1cccc1": "kekulize",
}


@cache
def seed_smiles(n: int = 250) -> tuple[str, ...]:
    """``n`` seed SMILES whose standardised parents have distinct InChIKeys."""
    seen: set[str] = set()
    out: list[str] = []
    for smi in load_moleculeace_seed()["smiles"].drop_duplicates():
        key = standardise(parse_smiles(smi)).inchikey
        if key not in seen:
            seen.add(key)
            out.append(smi)
            if len(out) == n:
                break
    return tuple(out)


def make_csv(good: tuple[str, ...], *, bad_at: dict[int, str] | None = None) -> bytes:
    """A CSV (smiles, name, activity columns) with ``bad_at`` {data row index: SMILES}."""
    rows = [f"{s},mol-{i},{10 + i},nM,Ki" for i, s in enumerate(good)]
    for index, smi in sorted((bad_at or {}).items()):
        rows.insert(index, f"{smi},bad-{index},5,nM,Ki")
    return ("smiles,name,standard_value,standard_units,standard_type\n" + "\n".join(rows)).encode()


def submit(client: TestClient, data: bytes, name: str = "mols.csv", **form: str) -> dict[str, Any]:
    r = client.post(f"{API}/molecules/batch", files={"file": (name, data)}, data=form)
    assert r.status_code == 202, r.text
    return dict(r.json())


def ended(job: dict[str, Any]) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


@pytest.fixture()
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """50 rows per chunk (chunks are cut by the API process, i.e. this one)."""
    monkeypatch.setattr(batch_submit, "DEFAULT_CHUNK_ROWS", 50)


def test_batch_with_bad_rows_stores_each_molecule_once(
    client: TestClient, workers: Workers, engine: Engine, small_chunks: None
) -> None:
    good = seed_smiles()[:195]
    bad_at = {i * 40 + 7: smi for i, smi in enumerate(BAD_ROWS)}  # data rows 7, 47, ...
    job = submit(client, make_csv(good, bad_at=bad_at), priority="high")
    assert job["kind"] == "molecule_batch" and job["total"] == 200
    assert job["params"]["steps"] == {"parsed": 195, "profiled": 0, "stored": 0}
    assert job["chunks_total"] == 4
    with engine.connect() as conn:
        priorities = conn.execute(text("SELECT DISTINCT priority FROM procrastinate_jobs"))
        assert [p for (p,) in priorities] == [10]
    # a second job, cancelled before any worker runs: none of its chunks may run
    other = submit(client, make_csv(seed_smiles()[240:250]), name="other.smi.csv")
    cancelled = client.post(f"{API}/jobs/{other['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"

    workers.start(2)  # two workers finishing chunks at once must not lose counts
    seen: list[dict[str, int]] = []

    def record(j: dict[str, Any]) -> bool:
        seen.append(j["params"]["steps"])
        return ended(j)

    done = wait_for(client, job["id"], record, timeout=240)
    assert done["status"] == "succeeded", done
    assert (done["processed"], done["error_count"], done["progress"]) == (200, 5, 1.0)
    assert done["params"]["steps"] == {"parsed": 195, "profiled": 195, "stored": 195}
    stored = [s["stored"] for s in seen]
    assert stored == sorted(stored), "steps only grow"
    assert count_rows(engine, "molecules") == 195
    assert count_rows(engine, "molecule_activities") == 195

    errors = client.get(f"{API}/jobs/{job['id']}/errors").json()
    # the header is line 1: data row i is line i + 2
    assert sorted(e["row"] for e in errors["items"]) == [i + 2 for i in bad_at]
    by_row = {e["row"]: e for e in errors["items"]}
    for index, smi in bad_at.items():
        assert by_row[index + 2]["error"].startswith(BAD_ROWS[smi]), by_row[index + 2]
        assert by_row[index + 2]["input"] == f"{smi},bad-{index},5,nM,Ki"[:200]

    res = results_frame(client, job["id"])
    assert len(res) == 195 and res["inchikey"].is_unique and res["molecule_id"].is_unique
    assert res["row_index"].is_monotonic_increasing
    assert set(res["classification"]) <= {"Strong", "Moderate", "Weak"}
    assert res["p_activity"].notna().all() and res["score_total"].notna().all()
    first = res.iloc[0]
    assert first["name"] == "mol-0" and first["p_activity"] == pytest.approx(8.0)  # 10 nM

    assert client.get(f"{API}/jobs/{other['id']}").json()["status"] == "cancelled"
    # retry re-queues the cancelled job's chunks through the same dispatch
    assert client.post(f"{API}/jobs/{other['id']}/retry").status_code == 200
    again = wait_for(client, other["id"], ended, timeout=120)
    assert again["status"] == "succeeded" and again["params"]["steps"]["stored"] == 10
    assert count_rows(engine, "molecules") == 205


def test_chunk_rerun_after_worker_killed_stores_no_duplicates(
    client: TestClient, workers: Workers, engine: Engine, settings: Settings
) -> None:
    monkey = pytest.MonkeyPatch()
    monkey.setattr(batch_submit, "DEFAULT_CHUNK_ROWS", 60)
    try:
        good = seed_smiles()[:240]
        job = submit(client, make_csv(good))
    finally:
        monkey.undo()
    assert job["chunks_total"] == 4
    workers.start(1)
    victim = workers.procs[0]
    running = wait_chunk_running(engine, job["id"])
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    with engine.connect() as conn:
        state = conn.execute(
            text("SELECT status FROM job_chunks WHERE job_id = :j AND index = :i"),
            {"j": job["id"], "i": running},
        ).scalar_one()
    # a chunk killed mid-transaction stored none of its rows
    assert count_rows(engine, "molecules") <= 60 * running + (60 if state == "succeeded" else 0)
    requeue_stalled(settings)
    workers.start(1)
    done = wait_for(client, job["id"], ended, timeout=240)
    assert done["status"] == "succeeded", done
    assert done["processed"] == 240 and done["params"]["steps"]["stored"] == 240
    assert count_rows(engine, "molecules") == 240
    assert count_rows(engine, "molecule_activities") == 240
    with engine.connect() as conn:
        attempts = conn.execute(
            text("SELECT attempts FROM job_chunks WHERE job_id = :j AND index = :i"),
            {"j": job["id"], "i": running},
        ).scalar_one()
    if state == "running":  # killed mid-chunk (nearly always): the chunk ran again
        assert attempts == 2
    assert len(results_frame(client, job["id"])) == 240


def wait_chunk_running(engine: Engine, job_id: int, timeout: float = 120) -> int:
    """Index of the first chunk seen running, after at least one chunk has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT index, status FROM job_chunks WHERE job_id = :j ORDER BY index"),
                {"j": job_id},
            ).all()
        states = dict(rows)
        if "succeeded" in states.values():
            for index, status in rows:
                if status == "running":
                    return int(index)
        time.sleep(0.05)
    raise AssertionError(f"no chunk ran: {states}")


def requeue_stalled(settings: Settings) -> None:
    """What the periodic recovery does 20 s after a worker's last heartbeat, now: re-queue
    the dead worker's jobs with procrastinate's own job manager (no other worker is live)."""
    from matdiscover.worker.queue import build_queue_app

    app = build_queue_app(str(settings.database_url))
    time.sleep(1.5)  # the dead worker's last heartbeat is now over 1 s old

    async def requeue() -> int:
        async with app.open_async():
            stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=1))
            for queued in stalled:
                await app.job_manager.retry_job(queued)
        return len(stalled)

    assert asyncio.run(requeue()) >= 1, "the killed worker held no job"


@pytest.fixture()
def two_orgs(
    db_url: str, tmp_path: Path, engine: Engine
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    from matdiscover.api.app import create_app

    a, b = make_org(engine, "Org A"), make_org(engine, "Org B")
    make_user(engine, a, "res@a.org", Role.researcher)
    make_user(engine, b, "admin@b.org", Role.admin)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        yield c, login(c, "res@a.org"), login(c, "admin@b.org")


def test_other_organisation_cannot_see_the_job(
    two_orgs: tuple[TestClient, dict[str, str], dict[str, str]],
) -> None:
    client, a, b = two_orgs
    r = client.post(
        f"{API}/molecules/batch", files={"file": ("a.smi", b"CCO ethanol\nc1ccccc1O\n")}, headers=a
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert client.get(f"{API}/jobs/{job_id}", headers=a).status_code == 200
    for method, path in [
        ("GET", f"/jobs/{job_id}"),
        ("GET", f"/jobs/{job_id}/errors"),
        ("GET", f"/jobs/{job_id}/events"),
        ("GET", f"/jobs/{job_id}/results"),
        ("POST", f"/jobs/{job_id}/cancel"),
        ("POST", f"/jobs/{job_id}/retry"),
    ]:
        assert client.request(method, API + path, headers=b).status_code == 404, path
    assert client.get(f"{API}/jobs", headers=b).json()["total"] == 0
    assert client.get(f"{API}/jobs/{job_id}", headers=a).json()["status"] == "queued"


def test_bad_files_are_refused_before_a_job_exists(client: TestClient, engine: Engine) -> None:
    cases = {
        "empty.csv": (b"", 400, "empty"),
        "cols.csv": (b"name,value\nx,1\n", 400, "SMILES column"),
        "x.png": (b"\x89PNG\r\n\x1a\n" + bytes(200), 400, "PNG"),
        "big.smi": (b"C\n" * (5 * 1024 * 1024 + 1), 413, "MB"),
    }
    for name, (data, status, words) in cases.items():
        r = client.post(f"{API}/molecules/batch", files={"file": (name, data)})
        assert r.status_code == status, (name, r.text)
        assert words in r.json()["detail"], (name, r.json())
    r = client.post(
        f"{API}/molecules/batch", files={"file": ("a.smi", b"CCO\n")}, data={"priority": "urgent"}
    )
    assert r.status_code == 422
    assert count_rows(engine, "jobs") == 0
    files = list(Path(str(client.app.state.settings.data_dir)).rglob("*.parquet"))  # type: ignore[attr-defined]
    assert files == []


def test_cli_batch_waits_and_lists_row_errors(
    live_server: str, workers: Workers, engine: Engine, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from matdiscover.cli.main import app

    src = tmp_path / "mols.smi"
    src.write_text("\n".join([*seed_smiles()[:8], "C1CC broken", "c1ccccc1O phenol"]) + "\n")
    workers.start(1)
    result = CliRunner().invoke(
        app, ["molecules", "batch", str(src), "--wait", "--server", live_server]
    )
    assert result.exit_code == 0, result.output
    assert "9 molecules stored, 1 row errors" in result.output
    assert "row 9: 'C1CC broken': invalid_smiles" in result.output
    assert count_rows(engine, "molecules") == 9
    bad = CliRunner().invoke(app, ["molecules", "batch", str(src), "--priority", "urgent"])
    assert bad.exit_code != 0

    with httpx.Client(base_url=live_server, timeout=60) as http:
        # SDF: rows are records; a broken block is a row error, the others are stored
        r = http.post(f"{API}/molecules/batch", files={"file": ("three.sdf", sdf_records())})
        assert r.status_code == 202, r.text
        sdf_job = wait_http(http, r.json()["id"])
        assert (sdf_job["status"], sdf_job["total"], sdf_job["error_count"]) == ("succeeded", 3, 1)
        errors = http.get(f"{API}/jobs/{sdf_job['id']}/errors").json()["items"]
        assert [(e["row"], e["input"]) for e in errors] == [(2, "record 2: broken")]
        assert errors[0]["error"].startswith("broken_block")
        assert count_rows(engine, "molecules") == 10  # phenol was stored by the first job

        # cancel while a job runs: the running chunk finishes, no further chunk starts
        batch_submit.DEFAULT_CHUNK_ROWS = 40
        try:
            data = "\n".join(seed_smiles()[10:250]).encode() + b"\n"
            r = http.post(f"{API}/molecules/batch", files={"file": ("many.smi", data)})
        finally:
            batch_submit.DEFAULT_CHUNK_ROWS = DEFAULT_CHUNK_ROWS
        job_id = r.json()["id"]
        assert r.json()["chunks_total"] == 6
        while http.get(f"{API}/jobs/{job_id}").json()["processed"] == 0:
            time.sleep(0.05)
        assert http.post(f"{API}/jobs/{job_id}/cancel").json()["status"] in (
            "cancelling",
            "cancelled",
        )
        cancelled = wait_http(http, job_id)
    assert cancelled["status"] == "cancelled"
    assert 40 <= cancelled["processed"] <= 80, cancelled
    assert cancelled["params"]["steps"]["stored"] == cancelled["processed"]
    assert count_rows(engine, "molecules") == 10 + cancelled["processed"]
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                text("SELECT status, count(*) FROM job_chunks WHERE job_id = :j GROUP BY status"),
                {"j": job_id},
            ).all()
        )
    assert states.get("cancelled", 0) >= 4 and set(states) <= {"succeeded", "cancelled"}


def sdf_records() -> bytes:
    from rdkit import Chem

    def block(title: str, smiles: str) -> str:
        return title + "\n" + Chem.MolToMolBlock(Chem.MolFromSmiles(smiles)).split("\n", 1)[1]

    broken = "broken\n  junk\n\nM  END\n"
    return "$$$$\n".join([block("ethanol", "CCO"), broken, block("phenol", "Oc1ccccc1")]).encode()


def wait_http(http: httpx.Client, job_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = dict(http.get(f"{API}/jobs/{job_id}").json())
        if ended(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end: {job}")


def test_quota_refuses_a_batch_before_any_file(db_url: str, tmp_path: Path, engine: Engine) -> None:
    from matdiscover.api.app import create_app

    org = make_org(engine, "Small lab")
    make_user(engine, org, "res@small.org", Role.researcher)
    settings = server_settings(
        db_url, tmp_path, plan_limits={"lab": {"predictions_per_month": 12, "batch_rows": 20}}
    )
    data = "\n".join(seed_smiles()[:10]).encode() + b"\n"
    with TestClient(create_app(settings)) as c:
        h = login(c, "res@small.org")
        first = c.post(f"{API}/molecules/batch", files={"file": ("a.smi", data)}, headers=h)
        assert first.status_code == 202, first.text
        again = c.post(f"{API}/molecules/batch", files={"file": ("b.smi", data)}, headers=h)
        assert again.status_code == 402 and "quota" in again.json()["detail"]
        big = b"\n".join([b"CCO"] * 21) + b"\n"
        rows = c.post(f"{API}/molecules/batch", files={"file": ("c.smi", big)}, headers=h)
        assert rows.status_code == 402 and "21 rows" in rows.json()["detail"]
    assert count_rows(engine, "jobs") == 1
    jobs_dir = tmp_path / "data"
    inputs = sorted(p.parent.parent.name for p in jobs_dir.rglob("*.input.parquet"))
    assert inputs == [str(first.json()["id"])]
