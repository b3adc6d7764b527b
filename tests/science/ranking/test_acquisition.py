"""Acquisition functions against hand-computed normal cdf/pdf arithmetic.

Normal values used (4-5 significant digits are enough for the tolerances):
Phi(0)=0.5, phi(0)=0.398942280; Phi(2)=0.977249868, phi(2)=0.053990967;
Phi(-0.5)=0.308537539, Phi(0.5)=0.691462461, phi(0.5)=0.352065327;
Phi(1)=0.841344746, phi(1)=0.241970725; Phi(-1)=0.158655254, Phi(-3)=0.001349898.
"""

from __future__ import annotations

import numpy as np
import pytest

from matdiscover.errors import InvalidInput, MatDiscoverError
from matdiscover.science.ranking import (
    InvalidTargetWindow,
    RankingInputError,
    ensemble_mean_std,
    expected_improvement,
    greedy,
    probability_of_improvement,
    rank,
    stability_score,
    target_window_probability,
    thompson_sampling,
    upper_confidence_bound,
)

# three candidates, incumbent best = 1.0
MEAN = np.array([1.0, 2.0, 0.0])
STD = np.array([1.0, 0.5, 2.0])


def test_expected_improvement_maximise_hand_computed() -> None:
    ei = expected_improvement(MEAN, STD, best=1.0)
    # c0: d=0, z=0   -> 0 * 0.5 + 1.0 * 0.398942280
    # c1: d=1, z=2   -> 1 * 0.977249868 + 0.5 * 0.053990967 = 1.004245351
    # c2: d=-1, z=-.5 -> -1 * 0.308537539 + 2 * 0.352065327 = 0.395593115
    assert ei == pytest.approx([0.398942280, 1.004245351, 0.395593115], abs=1e-8)


def test_expected_improvement_minimise_and_xi() -> None:
    ei = expected_improvement(MEAN, STD, best=1.0, direction="minimize")
    # minimising, d = best - mean: c2: d=1, z=0.5 -> 0.691462461 + 2 * 0.352065327
    assert ei[2] == pytest.approx(1.395593115, abs=1e-8)
    # c1: d=-1, z=-2 -> -0.022750132 + 0.5 * 0.053990967 = 0.004245352
    assert ei[1] == pytest.approx(0.004245352, abs=1e-8)
    ei_xi = expected_improvement(MEAN, STD, best=1.0, xi=0.5)
    # c1: d=0.5, z=1 -> 0.5 * 0.841344746 + 0.5 * 0.241970725 = 0.541657736
    assert ei_xi[1] == pytest.approx(0.541657736, abs=1e-8)


def test_expected_improvement_zero_sigma_is_plain_improvement() -> None:
    ei = expected_improvement([3.0, 0.5], [0.0, 0.0], best=1.0)
    assert ei.tolist() == [2.0, 0.0]


def test_probability_of_improvement_hand_computed() -> None:
    pi = probability_of_improvement(MEAN, STD, best=1.0)
    assert pi == pytest.approx([0.5, 0.977249868, 0.308537539], abs=1e-8)
    pi_min = probability_of_improvement(MEAN, STD, best=1.0, direction="minimize")
    assert pi_min == pytest.approx([0.5, 1 - 0.977249868, 0.691462461], abs=1e-8)


def test_ucb_lcb_and_greedy() -> None:
    assert upper_confidence_bound(MEAN, STD, kappa=2.0).tolist() == [3.0, 3.0, 4.0]
    # minimise: LCB = mean - 2 std = [-1, 1, -4]; the score is its negation
    assert upper_confidence_bound(MEAN, STD, kappa=2.0, direction="minimize").tolist() == [
        1.0,
        -1.0,
        4.0,
    ]
    assert rank(greedy(MEAN)).tolist() == [1, 0, 2]
    assert rank(greedy(MEAN, direction="minimize")).tolist() == [2, 0, 1]


def test_stability_score_lower_is_better() -> None:
    score = stability_score([0.10, 0.03, 0.0], [0.08, 0.0, 0.01], k=1.0)
    assert score == pytest.approx([0.02, 0.03, -0.01])
    assert rank(score, lower_is_better=True).tolist() == [2, 0, 1]


def test_target_window_probability_hand_computed() -> None:
    p = target_window_probability([1.4, 2.0, 0.5], [0.3, 0.3, 0.0], lo=1.1, hi=1.7)
    # c0: Phi(1) - Phi(-1) = 0.682689492; c1: Phi(-1) - Phi(-3) = 0.157305356; c2: outside
    assert p == pytest.approx([0.682689492, 0.157305356, 0.0], abs=1e-8)
    assert target_window_probability([1.1], [0.0], lo=1.1, hi=1.1).tolist() == [1.0]


def test_target_window_min_above_max_is_refused() -> None:
    with pytest.raises(InvalidTargetWindow, match="min 1.7 is above max 1.1") as info:
        target_window_probability([1.4], [0.1], lo=1.7, hi=1.1)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InvalidInput)
    assert isinstance(info.value, MatDiscoverError)


def test_thompson_picks_the_drawn_members_argmax() -> None:
    # each member has a different favourite: member 0 -> cand 2, 1 -> cand 0, 2 -> cand 1
    members = np.array([[0.1, 0.9, 0.0], [0.2, 0.0, 0.8], [0.7, 0.3, 0.1]])
    seed = 12345
    drawn = np.random.default_rng(seed).integers(3, size=1)  # what the function will draw
    picks = thompson_sampling(members, rng=np.random.default_rng(seed))
    assert picks.members.tolist() == drawn.tolist()
    assert picks.indices[0] == int(np.argmax(members[:, drawn[0]]))
    favourites = {0: 2, 1: 0, 2: 1}
    seen = set()
    for s in range(40):
        p = thompson_sampling(members, rng=np.random.default_rng(s))
        assert p.indices[0] == favourites[int(p.members[0])]
        seen.add(int(p.members[0]))
    assert seen == {0, 1, 2}  # every member gets drawn


def test_thompson_batch_has_no_repeats_and_minimises() -> None:
    members = np.array([[0.1, 0.2], [0.0, 0.0], [0.5, 0.6]])
    picks = thompson_sampling(members, rng=np.random.default_rng(0), size=3, direction="minimize")
    assert picks.indices.tolist() == [1, 0, 2]
    picks = thompson_sampling(members, rng=np.random.default_rng(0), size=1, exclude=[1])
    assert picks.indices.tolist() == [2]


def test_ensemble_mean_std_ddof1() -> None:
    mean, std = ensemble_mean_std([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]])
    assert mean.tolist() == [2.0, 4.0]
    assert std.tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    ("mean", "std", "message"),
    [
        ([1.0, 2.0], [0.1, float("nan")], "std of candidate 1 is not finite"),
        ([1.0, 2.0], [0.1, -0.2], "std of candidate 1 is negative"),
        ([float("nan")], [0.1], "mean of candidate 0 is not finite"),
        ([], [], "candidate pool is empty"),
        ([1.0, 2.0], [0.1], "mean has 2 candidates but std has 1"),
    ],
)
def test_bad_predictions_are_refused(mean: list[float], std: list[float], message: str) -> None:
    for fn in (
        lambda: expected_improvement(mean, std, best=0.0),
        lambda: probability_of_improvement(mean, std, best=0.0),
        lambda: upper_confidence_bound(mean, std),
        lambda: target_window_probability(mean, std, lo=0.0, hi=1.0),
        lambda: stability_score(mean, std),
    ):
        with pytest.raises(RankingInputError, match=message):
            fn()


def test_bad_options_are_refused() -> None:
    with pytest.raises(RankingInputError, match="kappa"):
        upper_confidence_bound([1.0], [0.1], kappa=-1.0)
    with pytest.raises(RankingInputError, match="unknown direction"):
        greedy([1.0], direction="up")  # type: ignore[arg-type]
    with pytest.raises(RankingInputError, match="empty"):
        thompson_sampling(np.zeros((0, 3)), rng=np.random.default_rng(0))
    with pytest.raises(RankingInputError, match="not finite"):
        thompson_sampling([[1.0, np.nan]], rng=np.random.default_rng(0))
    with pytest.raises(RankingInputError, match="cannot pick 3 of 2"):
        thompson_sampling([[1.0], [2.0]], rng=np.random.default_rng(0), size=3)
