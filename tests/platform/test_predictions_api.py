"""Predictions through the API and the CLI, with the shipped models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pymatgen.core import Lattice, Structure

from matdiscover.science.io import write_structure
from matdiscover.settings import Settings

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
PROPERTIES = {
    "formation_energy": "eV/atom",
    "band_gap": "eV",
    "bulk_modulus": "GPa",
    "shear_modulus": "GPa",
    "debye_temperature": "K",
    "energy_above_hull": "eV/atom",
}


def nacl_cif() -> bytes:
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    return write_structure(s, "cif").encode()


def check_six(preds: list[dict], method_of: dict[str, str] | None = None) -> None:  # type: ignore[type-arg]
    assert {p["property"] for p in preds} == set(PROPERTIES)
    for p in preds:
        assert p["unit"] == PROPERTIES[p["property"]]
        assert p["std"] > 0
        assert p["interval_low"] <= p["value"] <= p["interval_high"] or p["value"] == 0
        assert p["model_name"] and p["model_version"]
        if method_of:
            assert p["method"] == method_of.get(p["property"], "composition"), p


def test_a_queued_automatic_prediction_is_pending(client: TestClient) -> None:
    up = client.post("/api/v1/materials", files=[("files", ("NaCl.cif", nacl_cif()))]).json()[0]
    # auto-predict is on by default and no worker runs here: the task waits in the queue
    assert client.get(f"/api/v1/materials/{up['id']}/predictions").json()["pending"] is True
    other = client.get("/api/v1/materials/999999999/predictions")
    assert other.status_code == 404


def test_predict_formula(client: TestClient) -> None:
    r = client.post("/api/v1/predictions", json={"formula": "Fe2O3"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["formula"] == "Fe2O3" and body["material_id"] is None
    check_six(body["predictions"])
    fe = {p["property"]: p for p in body["predictions"]}["formation_energy"]
    assert -2.2 < fe["value"] < -1.3  # MP: about -1.7 eV/atom


def test_bad_prediction_requests(client: TestClient) -> None:
    assert client.post("/api/v1/predictions", json={}).status_code == 422
    both = {"formula": "NaCl", "material_id": 1}
    assert client.post("/api/v1/predictions", json=both).status_code == 422
    r = client.post("/api/v1/predictions", json={"formula": "NaCl", "properties": ["colour"]})
    assert r.status_code == 422
    r = client.post("/api/v1/predictions", json={"formula": "Xx2O3"})
    assert r.status_code in (400, 422) and "Xx" in r.json()["detail"]
    r = client.post("/api/v1/predictions", json={"formula": "NaCl", "relax": True})
    assert r.status_code == 400
    assert client.post("/api/v1/predictions", json={"material_id": 999999}).status_code == 404
    bad = {"structure": {"content": "garbage", "filename": "x.cif"}}
    assert client.post("/api/v1/predictions", json=bad).status_code == 422


def test_predict_stored_material_keeps_history(client: TestClient) -> None:
    m = client.post("/api/v1/materials", files=[("files", ("NaCl.cif", nacl_cif()))]).json()[0]
    structure_props = {"formation_energy": "structure", "energy_above_hull": "structure"}
    for _ in range(2):
        r = client.post("/api/v1/predictions", json={"material_id": m["id"]})
        assert r.status_code == 200, r.text
        check_six(r.json()["predictions"], structure_props)
    got = client.get(f"/api/v1/materials/{m['id']}/predictions").json()
    assert len(got["latest"]) == 6 and len(got["history"]) == 12
    latest = {p["property"]: p for p in got["latest"]}
    assert latest["formation_energy"]["value"] < -1.5
    assert latest["energy_above_hull"]["value"] < 0.1
    assert latest["band_gap"]["value"] > 2.5
    assert client.get("/api/v1/materials/999999/predictions").status_code == 404


def test_inline_structure_prediction(client: TestClient) -> None:
    body = {
        "structure": {"content": nacl_cif().decode(), "filename": "NaCl.cif"},
        "properties": ["formation_energy", "band_gap"],
    }
    r = client.post("/api/v1/predictions", json=body)
    assert r.status_code == 200, r.text
    preds = {p["property"]: p for p in r.json()["predictions"]}
    assert set(preds) == {"formation_energy", "band_gap"}
    assert preds["formation_energy"]["method"] == "structure"


def test_models_endpoint_lists_cards(client: TestClient) -> None:
    cards = client.get("/api/v1/models").json()
    props = {c["property"] for c in cards}
    assert set(PROPERTIES) <= props
    for c in cards:
        assert c["name"] and c["version"] and c["unit"]


@pytest.mark.slow
def test_upload_is_predicted_by_a_worker(client: TestClient, settings: Settings) -> None:
    env = {
        **os.environ,
        "MATDISCOVER_DATABASE_URL": str(settings.database_url),
        "MATDISCOVER_DATA_DIR": str(settings.data_dir),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "matdiscover.cli.main", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        m = client.post("/api/v1/materials", files=[("files", ("NaCl.cif", nacl_cif()))]).json()[0]
        deadline = time.monotonic() + 180
        latest: list[dict] = []  # type: ignore[type-arg]
        pending_seen = False
        while time.monotonic() < deadline and len(latest) < 6:
            body = client.get(f"/api/v1/materials/{m['id']}/predictions").json()
            latest = body["latest"]
            pending_seen |= body["pending"]
            time.sleep(0.5)
        assert len(latest) == 6, "the automatic prediction did not arrive"
        assert pending_seen, "the queued prediction was never reported as pending"
        after = client.get(f"/api/v1/materials/{m['id']}/predictions").json()
        deadline = time.monotonic() + 30
        while after["pending"] and time.monotonic() < deadline:  # the task finishing up
            time.sleep(0.5)
            after = client.get(f"/api/v1/materials/{m['id']}/predictions").json()
        assert after["pending"] is False
    finally:
        worker.terminate()
        worker.wait(30)


@pytest.mark.parametrize("target", ["Fe2O3", str(REAL / "LiCoO2.cif")])
def test_cli_predict_json(target: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "matdiscover.cli.main", "predict", target, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["input"] == target
    preds = out["predictions"]
    assert {p["property"] for p in preds} == set(PROPERTIES)
    for p in preds:
        assert p["unit"] == PROPERTIES[p["property"]] and p["std"] > 0
        assert p["method"] in ("composition", "structure") and p["model"] and p["model_version"]


def test_cli_predict_bad_input_is_a_clear_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "matdiscover.cli.main", "predict", "Qq3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "error" in proc.stderr.lower() and "Traceback" not in proc.stderr
