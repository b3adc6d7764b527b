"""Refitting predictions on a campaign's results (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from matdiscover.domains.campaigns.refit import refit

FORMULAS = ["NaCl", "KCl", "LiF", "MgO", "CaO", "SrO", "BaO", "ZnO"]
MEAN = np.array([5.0, 6.0, 9.0, 7.0, 6.5, 5.5, 4.0, 3.0])
STD = np.full(8, 0.5)


def test_no_results_keep_the_model() -> None:
    m, s, info = refit("band_gap", FORMULAS, MEAN, STD, [])
    assert info == {"kind": "none", "n_results": 0} and m is MEAN and s is STD


def test_few_results_shift_by_the_median_residual() -> None:
    m, s, info = refit("band_gap", FORMULAS, MEAN, STD, [(0, 4.0, None), (1, 5.5, None)])
    assert info["kind"] == "shift" and info["shift"] == pytest.approx(-0.75)
    assert m == pytest.approx(MEAN - 0.75)
    assert s == pytest.approx(np.sqrt(0.25 + np.std([-1.0, -0.5], ddof=1) ** 2))


def test_five_results_fit_a_recalibration() -> None:
    observed = [(i, 0.5 + 0.8 * MEAN[i], None) for i in range(6)]
    m, _, info = refit("band_gap", FORMULAS, MEAN, STD, observed)
    assert info["kind"] == "surrogate" and info["n_results"] == 6
    assert m[6:] == pytest.approx(0.5 + 0.8 * MEAN[6:], abs=0.05)
