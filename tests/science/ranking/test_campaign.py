"""One campaign round's ranking (science core) against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from matdiscover.science.ranking import AcquisitionError, InvalidTargetWindow, RankingInputError
from matdiscover.science.ranking.campaign import Objective, objective_score, rank_round

FORMULAS = ["NaCl", "KCl", "LiF", "MgO", "CaO"]
MEAN = np.array([5.0, 6.0, 9.0, 7.0, 1.0])
STD = np.array([0.5, 2.0, 0.1, 0.5, 3.0])
GAP = {"band_gap": (MEAN, STD)}
MAX = [Objective("band_gap", "max")]


def test_greedy_ucb_and_min_order_by_hand() -> None:
    r = rank_round(FORMULAS, GAP, objectives=MAX, acquisition="greedy", batch_size=3)
    assert r.indices.tolist() == [2, 3, 1]
    assert r.scores.tolist() == [9.0, 7.0, 6.0]
    # UCB kappa 1: 5.5, 8.0, 9.1, 7.5, 4.0
    r = rank_round(FORMULAS, GAP, objectives=MAX, acquisition="ucb", kappa=1.0, batch_size=2)
    assert r.indices.tolist() == [2, 1] and r.scores == pytest.approx([9.1, 8.0])
    # LCB when minimising: -(mean - std) = -4.5, -4, -8.9, -6.5, 2.0
    low = [Objective("band_gap", "min")]
    r = rank_round(FORMULAS, GAP, objectives=low, acquisition="lcb", kappa=1.0, batch_size=2)
    assert r.indices.tolist() == [4, 1] and r.scores == pytest.approx([2.0, -4.0])


def test_expected_improvement_uses_the_observed_best() -> None:
    # best 8.9: only LiF (9.0 +- 0.1) and the wide KCl/CaO can improve on it
    r = rank_round(
        FORMULAS, GAP, objectives=MAX, acquisition="ei", batch_size=1, best={"band_gap": 8.9}
    )
    d = 9.0 - 8.9
    z = d / 0.1
    from scipy.stats import norm

    assert r.indices.tolist() == [2]
    assert r.scores[0] == pytest.approx(d * norm.cdf(z) + 0.1 * norm.pdf(z))


def test_chosen_candidates_are_never_picked_again() -> None:
    chosen = [False, False, True, True, False]
    r = rank_round(FORMULAS, GAP, objectives=MAX, acquisition="greedy", batch_size=3, chosen=chosen)
    assert r.indices.tolist() == [1, 0, 4] and r.n_available == 3
    with pytest.raises(AcquisitionError, match="only 3 of 5 candidates"):
        rank_round(FORMULAS, GAP, objectives=MAX, acquisition="greedy", batch_size=4, chosen=chosen)


def test_window_objective_scores_the_probability_in_the_window() -> None:
    win = [Objective("band_gap", "window", 6.5, 7.5)]
    r = rank_round(FORMULAS, GAP, objectives=win, acquisition="window", batch_size=1)
    assert r.indices.tolist() == [3]  # MgO, 7.0 +- 0.5
    from scipy.stats import norm

    assert r.scores[0] == pytest.approx(norm.cdf(1.0) - norm.cdf(-1.0))
    with pytest.raises(InvalidTargetWindow, match="min 7.5 is above max 6.5"):
        rank_round(
            FORMULAS, GAP, objectives=[Objective("band_gap", "window", 7.5, 6.5)],
            acquisition="window", batch_size=1,
        )  # fmt: skip
    with pytest.raises(RankingInputError, match="needs a window objective"):
        rank_round(FORMULAS, GAP, objectives=MAX, acquisition="window", batch_size=1)


def test_two_objectives_rank_by_pareto_front() -> None:
    # maximise both: (5,1) (6,2) (9,0) (7,3) (1,9): front = KCl? no: LiF, MgO, CaO
    other = np.array([1.0, 2.0, 0.0, 3.0, 9.0])
    preds = {"band_gap": (MEAN, np.zeros(5)), "bulk_modulus": (other, np.zeros(5))}
    objs = [Objective("band_gap", "max"), Objective("bulk_modulus", "max")]
    r = rank_round(FORMULAS, preds, objectives=objs, acquisition="greedy", batch_size=5)
    assert set(r.indices[:3].tolist()) == {2, 3, 4}
    assert set(r.indices[3:].tolist()) == {0, 1} and r.indices[3] == 1  # KCl dominates NaCl


def test_constraints_and_empty_pool_are_named() -> None:
    with pytest.raises(AcquisitionError, match="exclude"):
        rank_round(
            FORMULAS, GAP, objectives=MAX, acquisition="greedy", batch_size=1,
            excluded_elements=["Na", "K", "Li", "Mg", "Ca"],
        )  # fmt: skip
    r = rank_round(
        FORMULAS, GAP, objectives=MAX, acquisition="greedy", batch_size=2,
        excluded_elements=["Li"],
    )  # fmt: skip
    assert r.indices.tolist() == [3, 1] and r.excluded == {2: "excluded element (Li)"}
    with pytest.raises(RankingInputError, match="pool is empty"):
        rank_round([], {}, objectives=MAX, acquisition="greedy", batch_size=1)


def test_thompson_is_seeded_and_diversity_spreads_the_batch() -> None:
    a = rank_round(FORMULAS, GAP, objectives=MAX, acquisition="thompson", batch_size=3, seed=4)
    b = rank_round(FORMULAS, GAP, objectives=MAX, acquisition="thompson", batch_size=3, seed=4)
    assert a.indices.tolist() == b.indices.tolist() and len(set(a.indices.tolist())) == 3
    forms = ["NaCl", "NaCl2", "KBr", "Na2Cl", "MgO"]
    mean = np.array([9.0, 8.9, 5.0, 8.8, 1.0])
    preds = {"band_gap": (mean, np.zeros(5))}
    plain = rank_round(forms, preds, objectives=MAX, acquisition="greedy", batch_size=2)
    spread = rank_round(
        forms, preds, objectives=MAX, acquisition="greedy", batch_size=2, diversity=1.0
    )
    assert plain.indices.tolist() == [0, 1] and spread.indices.tolist() == [0, 2]


def test_stability_score_by_hand() -> None:
    hull = {"energy_above_hull": (np.array([0.05, 0.0, 0.2]), np.array([0.05, 0.01, 0.3]))}
    s = objective_score(
        Objective("energy_above_hull", "min"), *hull["energy_above_hull"], acquisition="stability",
        kappa=1.0, best=None, rng=np.random.default_rng(0),
    )  # fmt: skip
    assert s == pytest.approx([0.0, 0.01, 0.1])
