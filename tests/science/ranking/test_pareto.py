"""Pareto ranks, exact hypervolume and (botorch) expected hypervolume improvement."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from matdiscover.science.ranking import (
    RankingInputError,
    hypervolume,
    hypervolume_improvement,
    pareto_front_mask,
    pareto_ranks,
)
from matdiscover.science.ranking.ehvi import expected_hypervolume_improvement, select_ehvi_batch

FRONT = [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]


def test_pareto_ranks_hand_drawn() -> None:
    pts = [[1, 3], [2, 2], [3, 1], [1, 1], [2, 1], [0, 0]]
    # (1,1) is dominated by (2,1), which is dominated by (2,2) and (3,1)
    assert pareto_ranks(pts).tolist() == [0, 0, 0, 2, 1, 3]
    assert pareto_front_mask(pts).tolist() == [True, True, True, False, False, False]
    # minimising both: (0,0), then (1,1), then (1,3) and (2,1); (2,1) dominates (2,2), (3,1)
    assert pareto_ranks(pts, directions="minimize").tolist() == [2, 3, 3, 1, 2, 0]
    # mixed: maximise x, minimise y -> (3,1) alone on the front
    assert pareto_ranks(pts, directions=["maximize", "minimize"]).tolist()[2] == 0
    assert pareto_ranks([[1, 1], [1, 1]]).tolist() == [0, 0]  # duplicates share a rank


def test_hypervolume_2d_hand_drawn() -> None:
    # staircase: 3*1 + 2*(2-1) + 1*(3-2) = 6
    assert hypervolume(FRONT, ref_point=[0, 0]) == pytest.approx(6.0)
    # dominated points and points not beyond the reference add nothing
    assert hypervolume([*FRONT, [1, 1], [0.5, -1]], ref_point=[0, 0]) == pytest.approx(6.0)
    # minimisation mirror of the same picture
    mirrored = [[-x, -y] for x, y in FRONT]
    assert hypervolume(mirrored, ref_point=[0, 0], directions="minimize") == pytest.approx(6.0)
    assert hypervolume(np.zeros((0, 2)), ref_point=[0, 0]) == 0.0


def test_hypervolume_3d_hand_and_botorch() -> None:
    # three 2x1x1 boxes in different orientations: 3*2 - 3*1 + 1 = 4
    pts = [[2, 1, 1], [1, 2, 1], [1, 1, 2]]
    assert hypervolume(pts, ref_point=[0, 0, 0]) == pytest.approx(4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from botorch.utils.multi_objective.hypervolume import Hypervolume
    rng = np.random.default_rng(3)
    for m in (3, 4):
        y = rng.random((30, m))
        ref = np.full(m, 0.1)
        expected = Hypervolume(torch.tensor(ref)).compute(torch.tensor(y[pareto_front_mask(y)]))
        assert hypervolume(y, ref_point=ref) == pytest.approx(float(expected), rel=1e-9)


def test_hypervolume_improvement_hand() -> None:
    # adding (2.5, 2.5): new staircase 3*1 + 2.5*1.5 + 1*0.5 = 7.25 -> +1.25
    hvi = hypervolume_improvement([[2.5, 2.5], [1.5, 1.5], [4, 0.5]], front=FRONT, ref_point=[0, 0])
    assert hvi == pytest.approx([1.25, 0.0, 0.5])
    assert hypervolume_improvement(
        [[2, 3]], front=np.zeros((0, 2)), ref_point=[0, 0]
    ) == pytest.approx([6.0])


def test_ehvi_identical_members_equals_hvi() -> None:
    members = np.array([[[2.5, 2.5]] * 4, [[4.0, 0.5]] * 4, [[1.5, 1.5]] * 4])
    ehvi = expected_hypervolume_improvement(members, observed=FRONT, ref_point=[0, 0])
    assert ehvi == pytest.approx([1.25, 0.5, 0.0], abs=2e-3)
    # the same picture when both objectives are minimised
    ehvi_min = expected_hypervolume_improvement(
        -members, observed=-np.asarray(FRONT), ref_point=[0, 0], directions="minimize"
    )
    assert ehvi_min == pytest.approx([1.25, 0.5, 0.0], abs=2e-3)


def test_ehvi_averages_every_member_exactly() -> None:
    # two members: HVI 1.25 and 0 -> 0.625, deterministically (every member used once)
    members = np.array([[[2.5, 2.5], [0.5, 0.5]]])
    first = expected_hypervolume_improvement(members, observed=FRONT, ref_point=[0, 0])
    assert first == pytest.approx([0.625], abs=2e-3)
    assert (
        expected_hypervolume_improvement(members, observed=FRONT, ref_point=[0, 0]).tolist()
        == first.tolist()
    )
    # random ensembles: botorch's log-EHVI agrees with the exact member average
    rng = np.random.default_rng(0)
    members = rng.normal(loc=[2.0, 2.0], scale=0.8, size=(40, 7, 2))
    exact = np.array(
        [hypervolume_improvement(c, front=FRONT, ref_point=[0, 0]).mean() for c in members]
    )
    ehvi = expected_hypervolume_improvement(members, observed=FRONT, ref_point=[0, 0])
    assert ehvi == pytest.approx(exact, rel=2e-2, abs=5e-3)
    assert np.argmax(ehvi) == np.argmax(exact)


def test_ehvi_batch_prefers_complementary_points() -> None:
    # candidates 0 and 1 are near-duplicates with the largest single EHVI; 2 fills the other corner
    members = np.array([[[2.6, 2.6]] * 2, [[2.55, 2.55]] * 2, [[3.6, 0.6]] * 2, [[0.5, 0.5]] * 2])
    single = expected_hypervolume_improvement(members, observed=FRONT, ref_point=[0, 0])
    assert np.argsort(-single)[:2].tolist() == [0, 1]
    batch = select_ehvi_batch(members, observed=FRONT, ref_point=[0, 0], size=2)
    assert batch.tolist() == [0, 2]
    with pytest.raises(RankingInputError, match="cannot pick 5 of 4"):
        select_ehvi_batch(members, observed=FRONT, ref_point=[0, 0], size=5)


def test_ehvi_with_nothing_observed() -> None:
    members = np.array([[[2.0, 3.0]] * 2])
    ehvi = expected_hypervolume_improvement(members, observed=np.zeros((0, 2)), ref_point=[0, 0])
    assert ehvi == pytest.approx([6.0], rel=1e-3)


def test_pareto_bad_input() -> None:
    with pytest.raises(RankingInputError, match="empty"):
        pareto_ranks(np.zeros((0, 2)))
    with pytest.raises(RankingInputError, match="NaN"):
        hypervolume([[1.0, np.nan]], ref_point=[0, 0])
    with pytest.raises(RankingInputError, match="3 directions for 2 objectives"):
        pareto_ranks([[1, 2]], directions=["maximize"] * 3)
    with pytest.raises(RankingInputError, match="ref_point has 3 values"):
        hypervolume(FRONT, ref_point=[0, 0, 0])
    with pytest.raises(RankingInputError, match="empty"):
        expected_hypervolume_improvement(np.zeros((0, 3, 2)), observed=FRONT, ref_point=[0, 0])
    with pytest.raises(RankingInputError, match="NaN"):
        expected_hypervolume_improvement(
            np.full((1, 3, 2), np.nan), observed=FRONT, ref_point=[0, 0]
        )
