"""Constraints with their reasons, and the diverse batch on small hand examples."""

from __future__ import annotations

import numpy as np
import pytest

from matdiscover.errors import InvalidInput
from matdiscover.science.ranking import (
    AcquisitionError,
    RankingInputError,
    apply_constraints,
    composition_vectors,
    select_diverse_batch,
)

FORMULAS = ["LiMnO2", "PbTiO3", "LiFePO4", "NaCl", "LiMn2O4", "Xx2O", "Li("]


def test_constraint_reasons_per_candidate() -> None:
    result = apply_constraints(
        FORMULAS,
        allowed_elements=["Li", "Mn", "Fe", "P", "O", "Pb", "Ti", "Na", "Cl"],
        excluded_elements=["Pb"],
        e_hull=[0.02, 0.0, 0.3, 0.05, float("nan"), 0.0, 0.0],
        max_e_hull=0.1,
        in_domain=[True, True, True, False, True, True, True],
    )
    assert result.mask.tolist() == [True, False, False, False, False, False, False]
    assert result.n_kept == 1
    reasons = result.reasons
    assert reasons[0] is None
    assert reasons[1] == "excluded element (Pb)"
    assert reasons[2] == "predicted energy above hull > 0.1 eV/atom (0.3)"
    assert reasons[3] == "out of the model's domain"
    assert reasons[4] == "no predicted energy above hull"
    assert reasons[5] == "not a chemical element (Xx)"
    assert reasons[6] is not None and reasons[6].startswith("formula could not be parsed ('Li(':")


def test_allowed_elements_and_combined_reasons() -> None:
    result = apply_constraints(
        ["LiCoO2", "PbTiO3"], allowed_elements=["Li", "Co", "O", "Ti"], excluded_elements=["Pb"]
    )
    assert result.mask.tolist() == [True, False]
    assert result.reasons[1] == "element not allowed (Pb); excluded element (Pb)"
    # out-of-domain candidates may be kept on request
    kept = apply_constraints(["NaCl"], in_domain=[False], exclude_out_of_domain=False)
    assert kept.mask.tolist() == [True]


def test_everything_excluded_raises_acquisition_error() -> None:
    with pytest.raises(
        AcquisitionError, match=r"exclude all 2 candidates: excluded element \(2\)"
    ) as info:
        apply_constraints(["PbO", "PbS"], excluded_elements=["Pb"])
    assert isinstance(info.value, InvalidInput)


def test_bad_constraint_input() -> None:
    with pytest.raises(RankingInputError, match="empty"):
        apply_constraints([])
    with pytest.raises(RankingInputError, match="'Qq' is not a chemical element symbol"):
        apply_constraints(["NaCl"], allowed_elements=["Na", "Qq"])
    with pytest.raises(RankingInputError, match="max_e_hull needs"):
        apply_constraints(["NaCl"], max_e_hull=0.1)
    with pytest.raises(RankingInputError, match="e_hull has shape"):
        apply_constraints(["NaCl", "KCl"], e_hull=[0.0], max_e_hull=0.1)


SIM = np.array(
    [
        [1.0, 0.9, 0.1, 0.0],
        [0.9, 1.0, 0.2, 0.0],
        [0.1, 0.2, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
)
SCORES = [1.0, 0.9, 0.8, 0.3]


def test_diverse_batch_hand_example() -> None:
    # lambda 0.5: pick 0 (1.0); then c1 0.9-0.45=0.45, c2 0.8-0.05=0.75, c3 0.3 -> 2;
    # then c1 0.9-0.5*max(0.9,0.2)=0.45, c3 0.3 -> 1
    batch = select_diverse_batch(SCORES, size=3, penalty=0.5, similarity=SIM)
    assert batch.indices.tolist() == [0, 2, 1]
    assert batch.adjusted_scores == pytest.approx([1.0, 0.75, 0.45])
    assert batch.max_similarity == pytest.approx([0.0, 0.1, 0.9])
    # lambda 2: c1 drops to -0.9, so the unrelated c3 (0.3) comes before it
    assert select_diverse_batch(SCORES, size=3, penalty=2.0, similarity=SIM).indices.tolist() == [
        0,
        2,
        3,
    ]
    # lambda 0 is plain top-k
    assert select_diverse_batch(SCORES, size=3, penalty=0.0, similarity=SIM).indices.tolist() == [
        0,
        1,
        2,
    ]
    # a function works like the matrix; the mask removes candidates
    by_fn = select_diverse_batch(
        SCORES, size=2, penalty=0.5, similarity=lambda j: SIM[:, j], mask=[True, True, False, True]
    )
    assert by_fn.indices.tolist() == [0, 1]


def test_diverse_batch_from_formulas() -> None:
    # cos(Fe2O3, Fe3O4) = (0.4*3/7 + 0.6*4/7) / (0.72111 * 5/7) = 0.99846
    vec = composition_vectors(["Fe2O3", "Fe3O4", "NaCl"])
    unit = vec / np.linalg.norm(vec, axis=1, keepdims=True)
    assert float(unit[0] @ unit[1]) == pytest.approx(0.998460, abs=1e-6)
    batch = select_diverse_batch(
        [1.0, 0.99, 0.5], size=2, penalty=1.0, formulas=["Fe2O3", "Fe3O4", "NaCl"]
    )
    assert batch.indices.tolist() == [0, 2]
    assert batch.adjusted_scores[1] == pytest.approx(0.5)


def test_diverse_batch_is_deterministic_on_ties() -> None:
    batch = select_diverse_batch([1.0, 1.0, 1.0], size=3, penalty=0.0, similarity=np.eye(3))
    assert batch.indices.tolist() == [0, 1, 2]


def test_diverse_batch_bad_input() -> None:
    with pytest.raises(RankingInputError, match="empty"):
        select_diverse_batch([], size=1, similarity=np.eye(0))
    with pytest.raises(RankingInputError, match="exactly one of formulas or similarity"):
        select_diverse_batch([1.0], size=1)
    with pytest.raises(RankingInputError, match="cannot pick 2 of 1 allowed"):
        select_diverse_batch([1.0, 2.0], size=2, similarity=np.eye(2), mask=[True, False])
    with pytest.raises(RankingInputError, match="similarity matrix has shape"):
        select_diverse_batch([1.0, 2.0], size=1, similarity=np.eye(3))
    with pytest.raises(RankingInputError, match="could not be parsed"):
        select_diverse_batch([1.0, 2.0], size=1, formulas=["NaCl", "Na("])
