"""Accuracy and calibration of the SHIPPED composition models, recomputed on their test splits.

Nothing here reads a stored figure: each test rebuilds the grouped test split exactly as
training did (GroupShuffleSplit by reduced formula, seed 0), predicts it with the shipped
artifacts and checks the promised bands. Full test splits are used (formation energy
12,842 rows, band gap 11,005, bulk/shear modulus 1,089, Debye temperature 490, energy above
hull 5,567 mp_e_hull rows of the formation-energy test split); predicting them takes a few
seconds, rebuilding the splits (featurising the tables) most of the time.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from matdiscover.science.models.composition import (
    PROPERTIES,
    CompositionPredictions,
    load_composition_model,
    models_dir,
    predict_composition,
)
from matdiscover.science.models.composition.calibration import coverage
from matdiscover.science.models.composition.hull_route import (
    HULL_ROUTE_FILE,
    evaluation_rows,
    load_hull_route,
    loo_predictions,
)
from matdiscover.science.models.composition.training import load_training_data, make_splits
from matdiscover.science.thermo import stability

ONE_SIGMA = (0.60, 0.76)
TWO_SIGMA = (0.90, 0.98)
TRAINED = ["formation_energy", "band_gap", "bulk_modulus", "shear_modulus", "debye_temperature"]

SHIPPED = (
    all((models_dir() / p / "model.json.xz").is_file() for p in TRAINED)
    and (models_dir() / "energy_above_hull" / HULL_ROUTE_FILE).is_file()
)
pytestmark = pytest.mark.skipif(not SHIPPED, reason="composition artifacts not built")


@lru_cache(maxsize=8)
def held_out(prop: str) -> tuple[np.ndarray, CompositionPredictions]:
    """(true values in training space, shipped-model predictions) on the test split."""
    data = load_training_data(prop, seed=0)
    _, _, test = make_splits(data.groups, seed=0)
    pred = load_composition_model(prop).predict(list(data.formulas[test]))
    return data.y[test], pred


def reported_rows(prop: str, pred: CompositionPredictions) -> np.ndarray:
    """Rows whose value comes with a Gaussian-style sigma: for the band gap the rows the
    classifier calls non-metal (metals are reported as "metal, P(metal)")."""
    if prop != "band_gap":
        return np.ones(len(pred.value), dtype=bool)
    gate = load_composition_model(prop).metal_gate
    assert gate is not None and pred.p_metal is not None
    return pred.p_metal < gate.threshold


@pytest.mark.parametrize("prop", TRAINED)
def test_coverage_bands_recomputed_on_test_split(prop: str) -> None:
    y, pred = held_out(prop)
    rows = reported_rows(prop, pred)
    assert rows.mean() > 0.4, prop
    y, mean, std = y[rows], pred.mean_t[rows], pred.std_t[rows]
    assert np.isfinite(mean).all() and (std > 0).all()
    one, two = coverage(y, mean, std, 1.0), coverage(y, mean, std, 2.0)
    assert ONE_SIGMA[0] <= one <= ONE_SIGMA[1], (prop, one)
    assert TWO_SIGMA[0] <= two <= TWO_SIGMA[1], (prop, two)
    # the calibrated 95 % interval (split-conformal z95, not +-2 sigma) covers ~95 %
    y_unit = 10.0**y if PROPERTIES[prop].transform == "log10" else y
    inside = (y_unit >= pred.low95[rows]) & (y_unit <= pred.high95[rows])
    assert 0.92 <= inside.mean() <= 0.98, (prop, inside.mean())


@pytest.mark.parametrize(
    ("prop", "target"),
    [
        ("bulk_modulus", 0.078),
        pytest.param(
            "shear_modulus",
            0.097,
            marks=pytest.mark.xfail(
                strict=True,
                reason="issue 15 target not met yet: log10 G MAE 0.100 (was 0.108)",
            ),
        ),
    ],
)
def test_moduli_log10_mae_recomputed(prop: str, target: float) -> None:
    y, pred = held_out(prop)
    assert len(y) == 1089
    mae = float(np.mean(np.abs(pred.mean_t - y)))
    assert mae <= target, (prop, mae)


def test_metal_classifier_accuracy_on_test_split() -> None:
    y, pred = held_out("band_gap")
    gate = load_composition_model("band_gap").metal_gate
    assert gate is not None and pred.p_metal is not None
    said_metal = pred.p_metal >= gate.threshold
    accuracy = float(np.mean(said_metal == (y <= 0)))
    assert accuracy >= 0.90, accuracy
    # a metal call is reported as exactly 0 eV; a non-metal call as a positive gap
    assert (pred.value[said_metal] == 0).all()
    assert (pred.value[~said_metal] > 0).mean() > 0.99


@pytest.mark.parametrize(
    ("formula", "metal"),
    [
        ("LiCoO2", False),
        ("Fe2O3", False),
        ("TiO2", False),
        ("ZnO", False),
        ("NiO", False),
        ("Cu", True),
        ("Al", True),
        ("NiSb", True),
    ],
)
def test_known_oxides_and_metals(formula: str, metal: bool) -> None:
    (gap,) = predict_composition(formula, properties=["band_gap"])
    p_metal = gap.details["p_metal"]
    assert gap.details["metal"] is metal, (formula, p_metal, gap.value)
    if metal:
        assert gap.value == 0.0 and p_metal >= 0.5
        assert gap.interval_95[0] == 0.0 and gap.std > 0
    else:
        # a gap is reported (LiCoO2's is still low: ~0.47 eV against MP's ~2.2 eV)
        assert gap.value > 0.0 and p_metal < 0.5


def test_energy_above_hull_route_recomputed() -> None:
    """The hull route's coverage on mp_e_hull rows of the formation-energy test split,
    each formula's own phases removed from the hull (a new material's setting)."""
    rows = evaluation_rows(seed=0)
    assert len(rows.test) == 5567
    signed, sd_form, _ = loo_predictions(
        rows.formulas[rows.test], load_composition_model("formation_energy")
    )
    route = load_hull_route()
    pred, sd = np.maximum(signed, 0.0), route.sigma(sd_form, signed)
    y = rows.y[rows.test]
    one, two = coverage(y, pred, sd, 1.0), coverage(y, pred, sd, 2.0)
    assert ONE_SIGMA[0] <= one <= ONE_SIGMA[1], one
    assert TWO_SIGMA[0] <= two <= TWO_SIGMA[1], two
    assert float(np.mean(np.abs(pred - y))) < 0.12


def test_energy_above_hull_is_the_hull_of_the_predicted_formation_energy() -> None:
    """One definition: the composition path's E_hull is stability(formula, E_form)."""
    for formula in ["NiSb", "LiCoO2", "Fe2O3", "Li3Fe2O4"]:
        ef, eh = predict_composition(formula, properties=["formation_energy", "energy_above_hull"])
        expected = stability(formula, ef.value)
        assert eh.value == expected.e_above_hull
        assert eh.details["formation_energy"] == ef.value
        assert eh.details["hull_dataset"] == "mp_e_form"
        assert eh.interval_95[0] <= eh.value <= eh.interval_95[1]
        # asking for E_hull alone gives the same number
        (alone,) = predict_composition(formula, properties=["energy_above_hull"])
        assert alone.value == eh.value
