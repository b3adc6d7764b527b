"""Batch prediction jobs on the real queue with real worker processes."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from matdiscover.settings import Settings
from tests.platform.conftest import count_rows

pytestmark = pytest.mark.slow

GOOD = ["NaCl", "Fe2O3", "LiFePO4", "SrTiO3", "GaAs", "MgO", "Al2O3", "Cu", "TiO2", "ZnS"]
BAD = ["Xx2O3", "", "NaCl)(", "12345", "Fe2O-3"]


def make_csv(n: int, *, bad_every: int | None = None) -> tuple[bytes, set[int]]:
    formulas, bad_rows = [], set()
    for i in range(n):
        if bad_every and i % bad_every == bad_every - 1:
            formulas.append(BAD[(i // bad_every) % len(BAD)])
            bad_rows.add(i)
        else:
            formulas.append(GOOD[i % len(GOOD)])
    frame = pd.DataFrame({"formula": formulas, "sample_id": [f"s{i}" for i in range(n)]})
    return frame.to_csv(index=False).encode(), bad_rows


class Workers:
    """Real ``matdiscover worker`` processes sharing the test's database and storage."""

    def __init__(self, settings: Settings) -> None:
        self.env = {
            **os.environ,
            "MATDISCOVER_DATABASE_URL": str(settings.database_url),
            "MATDISCOVER_DATA_DIR": str(settings.data_dir),
        }
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self.log_dir = Path(str(settings.data_dir)).parent

    def start(self, n: int = 1) -> None:
        for _ in range(n):
            log = self.log_dir / f"worker-{len(self.procs)}.log"
            self.logs.append(log)
            with open(log, "wb") as fh:
                self.procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "matdiscover.cli.main", "worker"],
                        env=self.env,
                        stdout=fh,
                        stderr=subprocess.STDOUT,
                    )
                )

    def tails(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in self.logs
            if log.exists()
        )

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


_ACTIVE: list[Workers] = []


@pytest.fixture()
def workers(settings: Settings) -> Iterator[Workers]:
    w = Workers(settings)
    _ACTIVE.append(w)
    yield w
    w.stop()
    _ACTIVE.remove(w)


def submit(client: TestClient, data: bytes, name: str = "in.csv", **form: str) -> dict:  # type: ignore[type-arg]
    r = client.post("/api/v1/jobs/batch-predictions", files={"file": (name, data)}, data=form)
    assert r.status_code == 202, r.text
    return dict(r.json())


def wait_for(
    client: TestClient, job_id: int, pred: Callable[[dict], bool], timeout: float = 180
) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if pred(job):
            return dict(job)
        time.sleep(0.3)
    logs = "\n".join(w.tails() for w in _ACTIVE)
    raise AssertionError(f"timed out; last state {job}\n{logs}")


def results_frame(client: TestClient, job_id: int, fmt: str = "parquet") -> pd.DataFrame:
    r = client.get(f"/api/v1/jobs/{job_id}/results", params={"format": fmt})
    assert r.status_code == 200
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(r.content))
    return pd.read_parquet(io.BytesIO(r.content))


def test_malformed_rows_go_to_error_report(client: TestClient, workers: Workers) -> None:
    data, bad_rows = make_csv(400, bad_every=20)  # 5 % malformed
    job = submit(client, data, properties="formation_energy,band_gap")
    assert job["total"] == 400 and job["status"] == "queued"
    workers.start(1)
    done = wait_for(client, job["id"], lambda j: j["status"] in ("succeeded", "failed"))
    assert done["status"] == "succeeded", done
    assert done["processed"] == 400 and done["error_count"] == len(bad_rows) == 20
    assert done["progress"] == 1.0 and done["rows_per_second"] > 0

    errors = client.get(f"/api/v1/jobs/{job['id']}/errors").json()
    assert errors["total"] == 20
    assert {e["row"] for e in errors["items"]} == bad_rows
    assert all(e["error"] for e in errors["items"])
    unknown = next(e for e in errors["items"] if e["input"] == "Xx2O3")
    assert "Xx" in unknown["error"]

    res = results_frame(client, job["id"])
    assert len(res) == 380
    assert res["row_index"].tolist() == sorted(set(range(400)) - bad_rows)
    assert res["sample_id"].tolist() == [f"s{i}" for i in res["row_index"]]  # carried through
    assert {"formation_energy", "formation_energy_std", "band_gap", "band_gap_std"} <= set(res)
    assert "bulk_modulus" not in res
    nacl = res[res["formula"] == "NaCl"].iloc[0]
    assert nacl["formation_energy"] < -1.5 and nacl["band_gap"] > 2
    csv = results_frame(client, job["id"], "csv")
    assert len(csv) == 380


def test_bad_submissions_are_rejected(client: TestClient) -> None:
    r = client.post(
        "/api/v1/jobs/batch-predictions", files={"file": ("x.csv", b"name,value\nNaCl,1\n")}
    )
    assert r.status_code == 400 and "formula" in r.json()["detail"]
    r = client.post("/api/v1/jobs/batch-predictions", files={"file": ("x.csv", b"")})
    assert r.status_code == 400
    r = client.post(
        "/api/v1/jobs/batch-predictions",
        files={"file": ("x.csv", b"formula\nNaCl\n")},
        data={"properties": "colour"},
    )
    assert r.status_code == 400 and "colour" in r.json()["detail"]
    assert client.get("/api/v1/jobs/424242").status_code == 404
    assert client.get("/api/v1/jobs", params={"status": "weird"}).status_code == 422


def test_cancel_then_retry_completes(client: TestClient, workers: Workers, engine) -> None:  # type: ignore[no-untyped-def]
    data, _ = make_csv(5000)
    job = submit(client, data, properties="band_gap")
    # no worker yet: every chunk is queued, so cancel is immediate
    r = client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 409
    assert client.get(f"/api/v1/jobs/{job['id']}/results").status_code == 409
    listed = client.get("/api/v1/jobs", params={"status": "cancelled"}).json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]

    r = client.post(f"/api/v1/jobs/{job['id']}/retry")
    assert r.status_code == 200 and r.json()["status"] == "queued"
    workers.start(1)
    done = wait_for(client, job["id"], lambda j: j["status"] in ("succeeded", "failed"))
    assert done["status"] == "succeeded" and done["processed"] == 5000
    assert len(results_frame(client, job["id"])) == 5000
    assert client.post(f"/api/v1/jobs/{job['id']}/retry").status_code == 409


def test_store_flag_makes_rows_searchable(client: TestClient, workers: Workers, engine) -> None:  # type: ignore[no-untyped-def]
    data, _ = make_csv(30)
    job = submit(client, data, properties="band_gap", store="true")
    workers.start(1)
    done = wait_for(client, job["id"], lambda j: j["status"] in ("succeeded", "failed"))
    assert done["status"] == "succeeded"
    assert count_rows(engine, "materials") == 30
    assert count_rows(engine, "predictions") == 30
    found = client.get("/api/v1/materials", params={"formula": "NaCl", "source": "batch"}).json()
    assert found["total"] == 3


@pytest.fixture()
def live_server(settings: Settings) -> Iterator[str]:
    """The app on a real socket, for a real HTTP client."""
    from matdiscover.api.app import create_app
    from tests.platform.live import serve_in_thread

    with serve_in_thread(create_app(settings)) as url:
        yield url


def test_sse_stream_reaches_100_percent(live_server: str, workers: Workers) -> None:
    data, _ = make_csv(3000)
    with httpx.Client(base_url=live_server, timeout=30) as http:
        job = http.post("/api/v1/jobs/batch-predictions", files={"file": ("in.csv", data)}).json()
        workers.start(1)
        events = []
        with http.stream("GET", f"/api/v1/jobs/{job['id']}/events", timeout=180) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            name = None
            for line in r.iter_lines():
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    events.append((name, line.split(":", 1)[1].strip()))
                    if name == "end":
                        break
    progress = [pd.read_json(io.StringIO(d), typ="series") for n, d in events if n == "progress"]
    assert len(progress) >= 2
    assert progress[-1]["processed"] == 3000 and progress[-1]["progress"] == 1.0
    assert progress[-1]["status"] == "succeeded"
    assert [p["processed"] for p in progress] == sorted(p["processed"] for p in progress)
    assert events[-1][0] == "end"


def test_sigkilled_worker_loses_and_duplicates_nothing(
    client: TestClient, workers: Workers, settings: Settings
) -> None:
    data, bad_rows = make_csv(20_000, bad_every=100)
    job = submit(client, data, properties="formation_energy,band_gap")
    workers.start(2)
    live = wait_for(client, job["id"], lambda j: j["processed"] > 0, timeout=120)
    assert live["processed"] < 20_000, "job finished before the crash could be injected"
    listed = client.get("/api/v1/workers").json()
    assert {w["pid"] for w in listed} == {p.pid for p in workers.procs}
    victim = workers.procs[0]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    done = wait_for(client, job["id"], lambda j: j["status"] in ("succeeded", "failed"), 240)
    assert done["status"] == "succeeded", done
    assert done["processed"] == 20_000 and done["error_count"] == len(bad_rows)
    res = results_frame(client, job["id"])
    expected = sorted(set(range(20_000)) - bad_rows)
    assert res["row_index"].tolist() == expected, "exactly one row per valid input, in order"
    assert res["sample_id"].is_unique
    alive_pids = {w["pid"] for w in client.get("/api/v1/workers").json()}
    assert victim.pid not in alive_pids or len(alive_pids) >= 1


def test_structure_zip_batch(client: TestClient, workers: Workers) -> None:
    import zipfile

    from pymatgen.core import Lattice, Structure

    from matdiscover.science.io import write_structure

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for a, (x, y) in [(5.64, ("Na", "Cl")), (6.29, ("K", "Cl")), (4.21, ("Mg", "O"))]:
            s = Structure.from_spacegroup(
                "Fm-3m", Lattice.cubic(a), [x, y], [[0, 0, 0], [0.5, 0.5, 0.5]]
            )
            zf.writestr(f"{x}{y}.cif", write_structure(s, "cif"))
        zf.writestr("broken.cif", "data_broken\n_cell_length_a 5\n")
    job = submit(client, buf.getvalue(), name="set.zip")
    assert job["total"] == 4 and job["params"]["input_kind"] == "structures"
    workers.start(1)
    done = wait_for(client, job["id"], lambda j: j["status"] in ("succeeded", "failed"), 240)
    assert done["status"] == "succeeded" and done["error_count"] == 1
    res = results_frame(client, job["id"])
    assert sorted(res["formula"]) == ["KCl", "MgO", "NaCl"]
    assert (res["method"] == "structure").all()
    assert res["formation_energy"].lt(-1).all()
    assert res["energy_above_hull"].notna().all()


def test_cli_batch_run_against_server(live_server: str, workers: Workers, tmp_path: Path) -> None:
    data, _ = make_csv(200, bad_every=50)
    src = tmp_path / "cands.csv"
    src.write_bytes(data)
    out = tmp_path / "out.csv"
    workers.start(1)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "matdiscover.cli.main",
            "batch",
            "run",
            str(src),
            "-o",
            str(out),
            "--property",
            "band_gap",
            "--server",
            live_server,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    res = pd.read_csv(out)
    assert len(res) == 196 and "band_gap" in res
    assert "4 errors" in proc.stderr and "row 49" in proc.stderr
