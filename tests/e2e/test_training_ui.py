"""Fine-tuning, promotion and rollback in real headless Chromium (issue 16).

Upload a rocksalt MgO CIF (predicted with the shipped models); create a project and upload
200 measured band gaps from the shipped experimental table (``expt_gap``, the same sample
as tests/platform/test_model_registry.py) on its page; follow its "Fine-tune a model"
link to the models page and start a run; watch the epochs and the learning curve grow;
the comparison shows the held-out MAE of the fine-tuned model below the shipped one, next
to the shipped test split, with the held-out parity plot and the MLflow run id; promote
it after the confirmation; a formula predicted on the front page and the material
predicted again show (and record) the fine-tuned version; roll back on the models page;
both show the shipped version again, and the material's history lists shipped,
fine-tuned, shipped. No CSP violation, console error or failed request; no sideways
scrolling and no serious axe-core finding at 1440x900 or 390x844. Screenshots:
test-artifacts/e2e/training-*.png.

The measurements are matched to known compounds, so this waits for the session server's
reference load (see ``AFTER_THE_LOAD`` in conftest.py).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter

from matdiscover.science.reference_data import data_dir
from tests.e2e.conftest import (
    ARTIFACTS,
    clean_at_both_sizes,
    require_browser,
    run_flow,
    sections_ok,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

LOAD_TIMEOUT_S = 1500  # a fresh data directory loads the full reference data first
N_GAPS = 200
EPOCHS = 12
FORMULA = "ZnO"
SHOTS = ("project", "review", "predicted", "models", "material")


def measured_gaps(n: int = N_GAPS, seed: int = 1) -> pd.DataFrame:
    """``n`` measured band gaps (eV) of the shipped experimental table."""
    table = pd.read_parquet(data_dir() / "reference" / "expt_gap.parquet")
    return table.sample(n=n, random_state=seed).reset_index(drop=True)


def _ready(base: str, formulas: list[str]) -> bool:
    """The background reference load has built the known compounds of the measurements."""
    try:
        return all(
            httpx.get(f"{base}/api/v1/compounds/{f}", timeout=10).status_code == 200
            for f in formulas
        )
    except httpx.HTTPError:
        return False


def _inputs(directory: Path) -> tuple[Path, Path]:
    gaps = measured_gaps()
    rows = pd.DataFrame(
        {
            "formula": gaps.formula,
            "property": "band_gap",
            "value": gaps.target,
            "unit": "eV",
            "method": "experimental table",
        }
    )
    measurements = directory / "training-band-gaps.csv"
    rows.to_csv(measurements, index=False)
    mgo = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(4.212), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    cif = directory / "training-MgO.cif"
    cif.write_text(str(CifWriter(mgo)), encoding="utf-8")
    return measurements, cif


@pytest.fixture(scope="module")
def flow(server: str) -> dict[str, Any]:
    require_browser()
    gaps = measured_gaps()
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not _ready(server, [gaps.formula.iloc[0], gaps.formula.iloc[-1]]):
        if time.monotonic() > deadline:
            pytest.fail(f"reference data not loaded in {LOAD_TIMEOUT_S} s")
        time.sleep(5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    measurements, cif = _inputs(ARTIFACTS)
    args = [server, str(ARTIFACTS), str(measurements), str(cif), FORMULA, str(EPOCHS)]
    return run_flow("training", args, timeout=1200)


def test_measurements_uploaded_into_a_project(flow: dict[str, Any]) -> None:
    sections_ok(flow, "material", "project")
    assert flow["stored"].startswith(f"Stored {N_GAPS} measurements"), flow["stored"]
    assert flow["counts"].endswith(f" · {N_GAPS} measurements"), flow["counts"]


def test_run_started_from_the_project_with_live_progress(flow: dict[str, Any]) -> None:
    sections_ok(flow, "start", "progress")
    assert flow["chosenProject"] == str(flow["projectId"])
    assert flow["noVersionsBefore"]
    run = flow["run"]
    assert run["status"] == "succeeded", run
    assert run["progress"] == "100"
    epochs = [s for s in run["stages"] if s.startswith("Epoch ") and s.endswith(f" of {EPOCHS}")]
    assert epochs, run["stages"]  # "Epoch k of 12" was shown while it ran
    assert f"Done: {EPOCHS} epochs" in run["stages"]
    assert max(run["curvePointsSeen"]) == EPOCHS, run  # the curve grew to every epoch
    assert flow["version"]["version"] in run["result"], run["result"]


def test_comparison_shows_the_fine_tuned_model_better_on_held_out_measurements(
    flow: dict[str, Any],
) -> None:
    sections_ok(flow, "comparison")
    assert flow["status"] == "candidate"
    hold, test = flow["comparison"]["holdout"], flow["comparison"]["shipped_test"]
    mae = hold["metrics"]["mae"]
    assert mae["candidateValue"] < mae["shippedValue"], hold
    assert mae["candidate"].endswith(" eV") and mae["change"].startswith("−"), mae
    assert set(hold["metrics"]) == {"mae", "rmse", "coverage95"}
    assert set(test["metrics"]) == {"mae", "rmse", "coverage95"}
    assert "mp_gap" in test["description"], test
    assert flow["sideBySide"]  # held-out and shipped test split side by side at 1440 px
    worse = test["metrics"]["mae"]["candidateValue"] > test["metrics"]["mae"]["shippedValue"]
    assert any("shipped test split" in w for w in flow["warnings"]) == worse, flow["warnings"]
    assert (flow["verdict"] != "") == (not worse and not flow["warnings"])
    assert flow["mlflowRun"] == flow["version"]["mlflow"] and len(flow["mlflowRun"]) >= 16
    parity = flow["parity"]
    assert parity["points"] >= 20 and parity["pixels"] > 1500, parity
    assert parity["shippedMarks"] == parity["candidateMarks"] == parity["points"]
    assert flow["reviewCurve"] == EPOCHS


def test_promoted_version_is_shown_and_recorded_on_predictions(flow: dict[str, Any]) -> None:
    sections_ok(flow, "promote", "predict-tuned")
    tuned = flow["version"]["version"]
    assert "+ft." in tuned
    assert "instead of Composition ensemble v1" in flow["promoteConfirm"], flow["promoteConfirm"]
    assert tuned in flow["promoted"] and tuned in flow["inUseAfterPromote"]
    for key in ("formulaTuned", "materialTuned"):
        pred = flow["predictions"][key]
        assert (pred["name"], pred["version"]) == (flow["version"]["name"], tuned), pred
        assert pred["label"] == f"Composition ensemble v1, fine-tuned ({tuned})", pred
    history = flow["predictions"]["materialTuned"]["history"]
    assert tuned in history[0]["title"] and tuned not in history[1]["title"], history


def test_rollback_brings_back_the_shipped_version(flow: dict[str, Any]) -> None:
    sections_ok(flow, "rollback", "predict-shipped")
    shipped, tuned = flow["version"]["base"], flow["version"]["version"]
    assert "shipped model if it replaced none" in flow["rollbackConfirm"]
    assert "predictions of your organisation now use Composition ensemble v1." in flow["rolledBack"]
    assert [r["status"] for r in flow["rows"]] == ["retired", "shipped"], flow["rows"]
    assert flow["runsListed"] >= 1
    for key in ("formulaShipped", "materialShipped"):
        pred = flow["predictions"][key]
        assert pred["version"] == shipped and pred["label"] == "Composition ensemble v1", pred
    history = flow["predictions"]["materialShipped"]["history"]
    versions = [h["title"].rsplit("version ", 1)[-1] for h in history[:3]]
    assert versions == [shipped, tuned, shipped], history


def test_no_problems_and_readable_at_both_sizes(flow: dict[str, Any]) -> None:
    clean_at_both_sizes(flow, "training", SHOTS)
