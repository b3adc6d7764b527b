"""Model registry and training on the real queue: embedded PostgreSQL, real worker
processes, the shipped band-gap model fine-tuned on ~200 measured band gaps from the
shipped experimental table (``expt_gap``)."""

from __future__ import annotations

import io
import os
import signal
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import SADeprecationWarning

from matdiscover.db.engine import make_session_factory, session_scope
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.identity import Role
from matdiscover.science.reference_data import data_dir
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.projects_helpers import upload
from tests.platform.tenants import login, make_org, make_user, server_settings
from tests.platform.test_batch_jobs import Workers
from tests.platform.test_molecule_batch import requeue_stalled

pytestmark = pytest.mark.slow

API = "/api/v1"
N_GAPS = 200


@dataclass
class Lab:
    client: TestClient
    settings: Settings
    engine: Engine
    org_a: int
    a: dict[str, str]  # researcher of A
    viewer: dict[str, str]  # viewer of A
    b: dict[str, str]  # admin of B
    workers: Workers


@pytest.fixture()
def lab(db_url: str, tmp_path: Path, engine: Engine) -> Iterator[Lab]:
    from matdiscover.api.app import create_app

    a, b = make_org(engine, "Lab A"), make_org(engine, "Lab B")
    make_user(engine, a, "res@a.org", Role.researcher)
    make_user(engine, a, "viewer@a.org", Role.viewer)
    make_user(engine, b, "admin@b.org", Role.admin)
    settings = server_settings(db_url, tmp_path, max_file_bytes=64 * 1024)
    workers = Workers(settings)
    with TestClient(create_app(settings)) as c:
        try:
            yield Lab(
                c,
                settings,
                engine,
                a.id,
                login(c, "res@a.org"),
                login(c, "viewer@a.org"),
                login(c, "admin@b.org"),
                workers,
            )
        finally:
            workers.stop()


def measured_gaps(n: int = N_GAPS, seed: int = 1) -> pd.DataFrame:
    table = pd.read_parquet(data_dir() / "reference" / "expt_gap.parquet")
    return table.sample(n=n, random_state=seed).reset_index(drop=True)


def project_with(
    lab: Lab, rows: list[tuple[str | None, float, str]], prop: str = "band_gap"
) -> int:
    """A project of A holding ``(formula, value, unit)`` measurements of ``prop``."""
    r = lab.client.post(f"{API}/projects", json={"name": f"p{time.time_ns()}"}, headers=lab.a)
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    with session_scope(make_session_factory(lab.engine)) as s:
        experiments.add_many(
            s,
            [
                {
                    "organization_id": lab.org_a,
                    "project_id": pid,
                    "formula": f,
                    "property": prop,
                    "value": v,
                    "unit": u,
                }
                for f, v, u in rows
            ],
        )
    return pid


def gaps_project(lab: Lab) -> int:
    frame = measured_gaps()
    return project_with(
        lab, [(f, float(v), "eV") for f, v in zip(frame.formula, frame.target, strict=True)]
    )


def train(lab: Lab, pid: int, **options: Any) -> dict[str, Any]:
    body = {"project_id": pid, "property": "band_gap", **options}
    r = lab.client.post(f"{API}/models/training", json=body, headers=lab.a)
    assert r.status_code == 202, r.text
    return dict(r.json())


def job_of(lab: Lab, job_id: int) -> dict[str, Any]:
    return dict(lab.client.get(f"{API}/jobs/{job_id}", headers=lab.a).json())


def wait_job(lab: Lab, job_id: int, pred: Any, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = job_of(lab, job_id)
        if pred(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"timed out; last state {job}\n{lab.workers.tails()}")


def ended(job: dict[str, Any]) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


def predict_gap(lab: Lab, material_id: int, headers: dict[str, str]) -> dict[str, Any]:
    r = lab.client.post(
        f"{API}/predictions",
        json={"material_id": material_id, "properties": ["band_gap"]},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    (pred,) = r.json()["predictions"]
    return dict(pred)


def test_finetune_promote_predict_rollback(lab: Lab) -> None:
    c, a = lab.client, lab.a
    pid = gaps_project(lab)
    assert (
        c.post(
            f"{API}/models/training",
            json={"project_id": pid, "property": "band_gap"},
            headers=lab.viewer,
        ).status_code
        == 403
    )
    job = train(lab, pid)
    assert (job["kind"], job["status"], job["total"]) == ("model_training", "queued", 13)
    assert job["params"]["rows"] == N_GAPS
    started = time.monotonic()
    lab.workers.start(1)
    seen: list[int] = []
    done = wait_job(lab, job["id"], lambda j: seen.append(j["processed"]) or ended(j))
    seconds = time.monotonic() - started
    assert done["status"] == "succeeded", (done, lab.workers.tails())
    assert seen == sorted(seen) and len(set(seen)) > 3  # progress reported epoch by epoch
    assert [p["epoch"] for p in done["params"]["learning_curve"]] == list(range(1, 13))
    version_id = done["params"]["model_version_id"]

    version = c.get(f"{API}/models/versions/{version_id}", headers=a).json()
    assert version["status"] == "candidate" and version["source"] == "organization"
    hold, test = version["metrics"]["holdout"], version["metrics"]["shipped_test"]
    print(
        f"\ntrained in {seconds:.0f} s; held-out ({hold['rows']} measured gaps) MAE "
        f"shipped {hold['shipped']['mae']:.3f} -> fine-tuned {hold['candidate']['mae']:.3f} eV; "
        f"shipped test split ({test['rows']} mp_gap rows) {test['shipped']['mae']:.3f} -> "
        f"{test['candidate']['mae']:.3f} eV"
    )
    assert hold["candidate"]["mae"] < hold["shipped"]["mae"]
    # the held-out rows with both models' predictions, for the page's parity plot
    points = version["metrics"]["holdout_points"]
    assert len(points) == hold["rows"]
    assert set(points[0]) == {"formula", "measured", "shipped", "candidate"}
    assert test["rows"] > 10_000 and test["candidate"]["mae"] < 0.6
    assert version["data_fingerprint"] == job["params"]["data_fingerprint"]
    assert version["artifact_uri"] and version["card"]["learning_curve"]
    assert_tracked(lab, done, version)
    listed = c.get(f"{API}/models/versions", params={"property": "band_gap"}, headers=a).json()
    assert [(v["source"], v["in_use"]) for v in listed["items"]] == [
        ("organization", False),
        ("shipped", True),
    ]
    assert len(c.get(f"{API}/models", headers=a).json()) >= 6  # shipped cards, unchanged

    material_id = upload(c, "MgO", headers=a)
    shipped = predict_gap(lab, material_id, a)
    assert "+ft" not in shipped["model_version"]

    # another organisation neither sees nor uses the version; a viewer cannot promote
    assert c.get(f"{API}/models/versions/{version_id}", headers=lab.b).status_code == 404
    b_list = c.get(f"{API}/models/versions", headers=lab.b).json()["items"]
    assert all(v["source"] == "shipped" for v in b_list)
    assert c.post(f"{API}/models/versions/{version_id}/promote", headers=lab.b).status_code == 404
    promote = f"{API}/models/versions/{version_id}/promote"
    assert c.post(promote, headers=lab.viewer).status_code == 403

    r = c.post(promote, headers=a)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    tuned = predict_gap(lab, material_id, a)
    assert (tuned["model_name"], tuned["model_version"]) == (version["name"], version["version"])
    assert tuned["value"] != shipped["value"]
    b_material = upload(c, "MgO", headers=lab.b)
    assert predict_gap(lab, b_material, lab.b)["model_version"] == shipped["model_version"]
    # a batch job uses the active version too, and records it on every row it stores
    batch = batch_gaps(lab, a)
    assert set(batch["band_gap_model_version"]) == {version["version"]}
    assert batch.loc[batch.formula == "MgO", "band_gap"].item() == pytest.approx(tuned["value"])
    assert set(batch_gaps(lab, lab.b)["band_gap_model_version"]) == {shipped["model_version"]}

    r = c.post(f"{API}/models/band_gap/rollback", headers=a)
    assert r.status_code == 200, r.text
    assert r.json()["version"]["source"] == "shipped"
    again = predict_gap(lab, material_id, a)
    assert (again["model_name"], again["model_version"]) == (
        shipped["model_name"],
        shipped["model_version"],
    )
    assert again["value"] == pytest.approx(shipped["value"])
    assert c.post(f"{API}/models/band_gap/rollback", headers=a).status_code == 409
    history = c.get(f"{API}/materials/{material_id}/predictions", headers=a).json()["history"]
    assert [h["model_version"] for h in history if h["property"] == "band_gap"] == [
        shipped["model_version"],
        version["version"],
        shipped["model_version"],
    ]
    assert c.get(f"{API}/models/versions/{version_id}", headers=a).json()["status"] == "retired"


def batch_gaps(lab: Lab, headers: dict[str, str]) -> pd.DataFrame:
    """A stored batch job of three formulas: its results table, after checking that every
    stored prediction records the model version of its row."""
    r = lab.client.post(
        f"{API}/jobs/batch-predictions",
        files={"file": ("gaps.csv", b"formula\nMgO\nZnO\nGaN\n")},
        data={"properties": "band_gap", "store": "true"},
        headers=headers,
    )
    assert r.status_code == 202, r.text
    url = f"{API}/jobs/{r.json()['id']}"
    deadline = time.monotonic() + 120
    while not ended(done := lab.client.get(url, headers=headers).json()):
        assert time.monotonic() < deadline, (done, lab.workers.tails())
        time.sleep(0.2)
    assert done["status"] == "succeeded", done
    csv = lab.client.get(f"{API}/jobs/{done['id']}/results", headers=headers)
    table = pd.read_csv(io.StringIO(csv.text))
    with lab.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT model_name, model_version FROM predictions WHERE job_id = :j"),
            {"j": done["id"]},
        ).all()
    assert sorted(stored) == sorted(
        zip(table["band_gap_model"], table["band_gap_model_version"], strict=True)
    )
    return table


def assert_tracked(lab: Lab, job: dict[str, Any], version: dict[str, Any]) -> None:
    """The run is in the PostgreSQL-backed MLflow store (schema ``mlflow``) with its
    parameters, learning curve, held-out metrics and card."""
    run_id = job["params"]["mlflow_run_id"]
    assert version["card"]["mlflow_run_id"] == run_id
    with warnings.catch_warnings():
        # MLflow 3.17's SQL store uses a loader option SQLAlchemy 2.1 deprecates
        warnings.simplefilter("ignore", SADeprecationWarning)
        check_run(lab, run_id, job, version)
    with lab.engine.connect() as conn:
        sql = "SELECT table_schema FROM information_schema.tables WHERE table_name = 'runs'"
        assert conn.execute(text(sql)).scalars().all() == ["mlflow"]


def check_run(lab: Lab, run_id: str, job: dict[str, Any], version: dict[str, Any]) -> None:
    from mlflow import MlflowClient

    from matdiscover.domains.training.tracking import tracking_uri

    client = MlflowClient(tracking_uri=tracking_uri(str(lab.settings.database_url)))
    run = client.get_run(run_id)
    assert run.data.params["data_fingerprint"] == job["params"]["data_fingerprint"]
    assert run.data.params["epochs"] == "12" and run.data.tags["job_id"] == str(job["id"])
    hold = version["metrics"]["holdout"]
    assert run.data.metrics["holdout_candidate_mae"] == pytest.approx(hold["candidate"]["mae"])
    assert run.data.metrics["holdout_shipped_mae"] == pytest.approx(hold["shipped"]["mae"])
    curve = client.get_metric_history(run_id, "train_loss")
    assert [m.step for m in curve] == list(range(1, 13))
    assert [f.path for f in client.list_artifacts(run_id)] == ["card.json"]
    assert run.info.artifact_uri.startswith(str(lab.settings.resolved_storage_url))


def test_bad_training_input_is_refused_before_a_job(lab: Lab) -> None:
    c, a = lab.client, lab.a
    gaps = measured_gaps(30)
    good = [(f, float(v), "eV") for f, v in zip(gaps.formula, gaps.target, strict=True)]
    cases = {
        "no rows": (project_with(lab, []), 400, "no band_gap measurements"),
        "constant": (project_with(lab, [(f, 1.5, "eV") for f, _, _ in good]), 400, "every"),
        "one class": (project_with(lab, [(f, 0.0, "eV") for f, _, _ in good]), 400, "every"),
        "NaN": (project_with(lab, [*good, ("ZnO", float("nan"), "eV")]), 400, "not finite"),
        "unit": (project_with(lab, [*good[:-1], ("ZnO", 3300.0, "meV")]), 400, "meV"),
        "formulas": (project_with(lab, [(None, v, u) for _, v, u in good]), 400, "formula"),
    }
    for label, (pid, status, words) in cases.items():
        r = c.post(
            f"{API}/models/training", json={"project_id": pid, "property": "band_gap"}, headers=a
        )
        assert r.status_code == status, (label, r.text)
        assert words in r.json()["detail"], (label, r.text)
    pid = cases["no rows"][0]
    r = c.post(
        f"{API}/models/training",
        json={"project_id": pid, "property": "energy_above_hull"},
        headers=a,
    )
    assert r.status_code == 400 and "cannot fine-tune" in r.json()["detail"]
    r = c.post(
        f"{API}/models/training", json={"project_id": pid, "property": "band_gap"}, headers=lab.b
    )
    assert r.status_code == 404  # another organisation's project
    big = b"formula,value,unit\n" + b"NaCl,8.5,eV\n" * 10_000  # over the 64 KB test limit
    r = c.post(
        f"{API}/models/training/upload",
        data={"property": "band_gap"},
        files={"file": ("gaps.csv", big)},
        headers=a,
    )
    assert r.status_code == 413, r.text
    mixed = "formula,value,unit\n" + "".join(f"{f},{v},eV\n" for f, v, _ in good[:-1])
    mixed += "ZnO,3.3,nm\n"
    r = c.post(
        f"{API}/models/training/upload",
        data={"property": "band_gap"},
        files={"file": ("gaps.csv", mixed.encode())},
        headers=a,
    )
    assert r.status_code == 400 and "nm" in r.json()["detail"], r.text
    assert count_rows(lab.engine, "jobs") == 0
    assert count_rows(lab.engine, "model_versions") == 0


def test_killed_worker_resumes_from_checkpoint_and_cancel_stops(lab: Lab) -> None:
    pid = gaps_project(lab)
    job = train(lab, pid, epochs=40)
    lab.workers.start(1)
    victim = lab.workers.procs[0]
    wait_job(lab, job["id"], lambda j: j["processed"] >= 3, timeout=240)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    killed_at = job_of(lab, job["id"])["processed"]
    assert killed_at < 40, "training finished before the crash could be injected"
    requeue_stalled(lab.settings)
    lab.workers.start(1)
    done = wait_job(lab, job["id"], ended, timeout=300)
    assert done["status"] == "succeeded", (done, lab.workers.tails())
    resumed = done["params"]["resumed_from_epoch"]
    assert killed_at <= resumed <= killed_at + 1  # at most the running epoch was lost
    assert [p["epoch"] for p in done["params"]["learning_curve"]] == list(range(1, 41))
    assert count_rows(lab.engine, "model_versions") == 1

    # cancel: the run stops after its current epoch, no version is registered
    second = train(lab, pid, epochs=200)
    wait_job(lab, second["id"], lambda j: j["processed"] >= 1, timeout=240)
    r = lab.client.post(f"{API}/jobs/{second['id']}/cancel", headers=lab.a)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    time.sleep(3)
    after = job_of(lab, second["id"])
    assert after["status"] == "cancelled" and after["processed"] < 200
    assert count_rows(lab.engine, "model_versions") == 1
    with lab.engine.connect() as conn:
        doing = conn.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
        ).scalar_one()
    assert doing == 0


@pytest.fixture()
def local_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    monkeypatch.setenv("MATDISCOVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MATDISCOVER_AUTO_PREDICT", "false")
    get_settings.cache_clear()
    yield Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    get_settings.cache_clear()


def test_cli_train_list_promote_rollback(local_env: Settings, engine: Engine) -> None:
    import json

    from typer.testing import CliRunner

    from matdiscover.api.app import create_app
    from matdiscover.cli.models_commands import app as models_app

    run = CliRunner()

    def ok(*args: str) -> str:
        r = run.invoke(models_app, list(args))
        assert r.exit_code == 0, r.output
        return r.output

    with TestClient(create_app(local_env)) as api:
        pid = api.post(f"{API}/projects", json={"name": "gaps"}).json()["id"]
        with engine.connect() as conn:
            org = conn.execute(
                text("SELECT organization_id FROM projects WHERE id = :p"), {"p": pid}
            ).scalar_one()
        frame = measured_gaps(60)
        with session_scope(make_session_factory(engine)) as s:
            experiments.add_many(
                s,
                [
                    {
                        "organization_id": org,
                        "project_id": pid,
                        "formula": f,
                        "property": "band_gap",
                        "value": float(v),
                        "unit": "eV",
                    }
                    for f, v in zip(frame.formula, frame.target, strict=True)
                ],
            )
        out = ok("train", "band_gap", "--project", str(pid), "--epochs", "2")
        assert "candidate version" in out and "holdout" in out
        listed = json.loads(ok("list", "--versions", "--property", "band_gap", "--json"))
        (mine,) = [v for v in listed if v["source"] == "organization"]
        assert mine["status"] == "candidate" and mine["card"]["learning_curve"]
        assert json.loads(ok("show", str(mine["id"])))["version"] == mine["version"]
        assert "active" in ok("promote", str(mine["id"]))
        r = api.post(f"{API}/predictions", json={"formula": "ZnO", "properties": ["band_gap"]})
        assert r.json()["predictions"][0]["model_version"] == mine["version"]
        assert "shipped" in ok("rollback", "band_gap")
        r = api.post(f"{API}/predictions", json={"formula": "ZnO", "properties": ["band_gap"]})
        assert r.json()["predictions"][0]["model_version"] != mine["version"]
        r = run.invoke(models_app, ["rollback", "band_gap"])
        assert r.exit_code != 0 and "shipped model" in r.output
    assert "MatDiscover models" in ok("list")  # the shipped table, unchanged
