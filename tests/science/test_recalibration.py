"""Parity metrics and recalibration from measurements (hand-computed cases, real data)."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from matdiscover.errors import InvalidInput
from matdiscover.science.recalibration import (
    NotEnoughMeasurements,
    Recalibration,
    fit_l1_line,
    fit_recalibration,
    parity_metrics,
)
from matdiscover.science.reference_data import load_table


def test_parity_metrics_three_points_by_hand() -> None:
    # errors -0.5, 0, +1; 95 % half-width 1.96 * 0.5 = 0.98 covers the first two
    m = parity_metrics([1.0, 2.0, 4.0], [1.5, 2.0, 3.0], sigma=[0.5, 0.5, 0.5])
    assert m.n == 3
    assert m.mae == pytest.approx(0.5)
    assert m.rmse == pytest.approx(math.sqrt(1.25 / 3))
    assert m.bias == pytest.approx(1 / 6)
    assert m.coverage95 == pytest.approx(2 / 3)
    assert m.spearman == pytest.approx(1.0)


def test_coverage_combines_measurement_uncertainty_in_quadrature() -> None:
    # error 0.5 against sigma 0.2: 1.96 * 0.2 = 0.39 misses; with 0.2 measurement
    # uncertainty 1.96 * sqrt(0.08) = 0.55 covers. NaN uncertainty counts as unknown (0).
    assert parity_metrics([2.0], [2.5], sigma=[0.2]).coverage95 == 0.0
    assert parity_metrics([2.0], [2.5], [0.2], measured_uncertainty=[0.2]).coverage95 == 1.0
    assert parity_metrics([2.0], [2.5], [0.2], measured_uncertainty=[np.nan]).coverage95 == 0.0


def test_spearman_is_none_when_undefined() -> None:
    assert parity_metrics([1.0, 2.0], [1.0, 3.0]).spearman is None
    assert parity_metrics([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]).spearman is None
    assert parity_metrics([3.0, 2.0, 1.0], [1.0, 2.0, 3.0]).spearman == pytest.approx(-1.0)


def test_nan_rows_are_refused_with_their_count() -> None:
    with pytest.raises(ValueError, match="2 of 4 rows"):
        parity_metrics([1.0, np.nan, 2.0, 3.0], [1.0, 1.0, np.inf, 3.0])
    with pytest.raises(ValueError, match="1 of 6 rows"):
        fit_recalibration("band_gap", ["NaCl"] * 6, [1.0] * 6, [0.1] * 5 + [np.nan], [1.0] * 6)
    with pytest.raises(ValueError, match="expected 3"):
        parity_metrics([1.0, 2.0, 3.0], [1.0, 2.0])


def test_too_few_measurements_are_refused() -> None:
    with pytest.raises(NotEnoughMeasurements, match="at least 5 measurements of band_gap; got 4"):
        fit_recalibration("band_gap", ["NaCl"] * 4, [1.0] * 4, [0.1] * 4, [1.0] * 4)
    assert issubclass(NotEnoughMeasurements, ValueError)
    assert issubclass(NotEnoughMeasurements, InvalidInput)


def test_l1_line_ignores_an_outlier_and_clips_the_slope() -> None:
    x = np.arange(8.0)
    y = 0.5 + 2.0 * x
    y[3] += 10.0  # least squares would be pulled up; the L1 line goes through the rest
    a, b = fit_l1_line(x, y, (0.5, 3.0))
    assert (a, b) == pytest.approx((0.5, 2.0), abs=1e-9)
    a, b = fit_l1_line(x, 5.0 * x)  # slope clipped to the default bound 2
    assert b == pytest.approx(2.0)


def test_linear_recalibration_recovers_a_known_line() -> None:
    x = np.arange(10.0)
    y = 0.5 + 2.0 * x
    y[7] -= 8.0
    formulas = [f"Na{i + 1}Cl" for i in range(10)]
    r = fit_recalibration("formation_energy", formulas, x, np.full(10, 0.1), y)
    assert r.kind == "linear" and r.params["linear_variant"] == "l1"
    assert (r.params["intercept"], r.params["slope"]) == pytest.approx((0.5, 2.0), abs=1e-9)
    assert r.n_measurements == 10
    assert r.cv_mae_raw == pytest.approx(float(np.mean(np.abs(x - y))))
    mean, _ = r.apply(["NaCl", "KCl"], [1.0, -3.0], [0.1, 0.1])
    assert mean.tolist() == pytest.approx([2.5, -5.5])  # formation energy: no clipping


def test_nonnegative_property_is_clipped_at_zero() -> None:
    r = Recalibration(
        "band_gap",
        "linear",
        5,
        {"intercept": -0.2, "slope": 1.0, "lower_bound": 0.0, "sigma_floor": 0.0},
        1.0,
        0.0,
        0.0,
        0.95,
        "test",
    )
    mean, sigma = r.apply(["Cu", "Si", "NaCl"], [0.0, 1.0, np.nan], [0.1, 0.2, 0.3])
    assert mean[:2].tolist() == pytest.approx([0.0, 0.8])
    assert math.isnan(mean[2])
    assert sigma.tolist() == pytest.approx([0.1, 0.2, 0.3])


def _gap_sample(n: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """``n`` rows of the shipped experimental gap table with the real model's predictions."""
    from matdiscover.science.models.composition import predict_compositions

    table = load_table("expt_gap").sample(n, random_state=seed)
    formulas = table["formula"].tolist()
    pred = predict_compositions(formulas, properties=["band_gap"])
    return (
        formulas,
        pred["band_gap"].to_numpy(),
        pred["band_gap_std"].to_numpy(),
        table["target"].to_numpy(),
    )


def test_same_seed_same_result_and_json_round_trip() -> None:
    # a sample on which cross-validation picks the residual model (the timing below is
    # about that kind); with the metal-gated band-gap model of issue 15, seed 1's picks
    # the line
    formulas, mean, sigma, measured = _gap_sample(150, seed=2)
    first = fit_recalibration("band_gap", formulas, mean, sigma, measured, seed=3)
    again = fit_recalibration("band_gap", formulas, mean, sigma, measured, seed=3)
    assert first.to_json() == again.to_json()
    text = json.dumps(first.to_json())
    back = Recalibration.from_json(json.loads(text))
    assert back == first
    m1, s1 = first.apply(formulas, mean, sigma)
    m2, s2 = back.apply(formulas, mean, sigma)
    assert np.array_equal(m1, m2) and np.array_equal(s1, s2)
    big = formulas * 20  # applying is fast: thousands of rows per second
    started = time.perf_counter()
    first.apply(big, np.tile(mean, 20), np.tile(sigma, 20))
    assert time.perf_counter() - started < 2.0
    assert 0.85 <= first.cv_coverage95 <= 1.0
    assert first.cv_mae < first.cv_mae_raw  # DFT gaps are too low: the correction helps
    assert first.kind == "residual_model"  # so the timing above includes the booster


def test_from_json_refuses_incomplete_data() -> None:
    good = Recalibration(
        "band_gap",
        "linear",
        5,
        {"intercept": 0.0, "slope": 1.0, "lower_bound": 0.0, "sigma_floor": 0.1},
        1.0,
        0.5,
        0.4,
        0.95,
        "test",
    ).to_json()
    for broken in (
        {**good, "format_version": 99},
        {**good, "kind": "magic"},
        {**good, "params": {"slope": 1.0}},
        {**good, "kind": "residual_model"},
        {k: v for k, v in good.items() if k != "cv_mae"},
    ):
        with pytest.raises(ValueError):
            Recalibration.from_json(broken)


def test_residual_model_learns_a_chemistry_dependent_error() -> None:
    # the raw model misses every oxide by +1.5 and is right otherwise: no line can fix
    # that, a model on composition features can, and cross-validation must pick it
    formulas, mean, sigma, _ = _gap_sample(300, seed=2)
    oxide = np.array(["O" in f.replace("Os", "") for f in formulas])
    assert 40 < oxide.sum() < 260
    measured = np.maximum(mean, 0.0) + np.where(oxide, 1.5, 0.0)
    r = fit_recalibration("band_gap", formulas, mean, sigma, measured, seed=0)
    assert r.kind == "residual_model"
    corrected, _ = r.apply(formulas, mean, sigma)
    assert np.mean(np.abs(corrected - measured)) < 0.5 * np.mean(np.abs(mean - measured))
    # a linear error plus noise: the residual model only fits noise, the line is kept
    noise = np.random.default_rng(0).normal(0.0, 0.2, len(formulas))
    plain = fit_recalibration("formation_energy", formulas, mean, sigma, 0.3 + 1.2 * mean + noise)
    assert plain.kind == "linear"
