"""Ranking what to make or compute next: acquisition functions, constraints, diverse
batches and multi-objective (Pareto, hypervolume, EHVI) ranking over ensemble predictions.

Pure functions over numpy arrays; no platform imports. ``ehvi`` imports botorch lazily.

>>> import numpy as np
>>> from matdiscover.science.ranking import expected_improvement, rank
>>> rank(expected_improvement([1.0, 2.0, 1.5], [0.1, 0.1, 1.0], best=2.0)).tolist()
[2, 1, 0]
"""

from __future__ import annotations

from matdiscover.science.ranking.acquisition import (
    Direction,
    ThompsonPicks,
    check_mean_std,
    check_members,
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
from matdiscover.science.ranking.constraints import (
    ConstraintResult,
    apply_constraints,
    exclusion_counts,
)
from matdiscover.science.ranking.diversity import (
    DiverseBatch,
    composition_vectors,
    cosine_similarity,
    select_diverse_batch,
)
from matdiscover.science.ranking.errors import (
    AcquisitionError,
    InvalidTargetWindow,
    RankingInputError,
)
from matdiscover.science.ranking.pareto import (
    hypervolume,
    hypervolume_improvement,
    pareto_front_mask,
    pareto_ranks,
)

__all__ = [
    "AcquisitionError",
    "ConstraintResult",
    "Direction",
    "DiverseBatch",
    "InvalidTargetWindow",
    "RankingInputError",
    "ThompsonPicks",
    "apply_constraints",
    "check_mean_std",
    "check_members",
    "composition_vectors",
    "cosine_similarity",
    "exclusion_counts",
    "ensemble_mean_std",
    "expected_improvement",
    "greedy",
    "hypervolume",
    "hypervolume_improvement",
    "pareto_front_mask",
    "pareto_ranks",
    "probability_of_improvement",
    "rank",
    "select_diverse_batch",
    "stability_score",
    "target_window_probability",
    "thompson_sampling",
    "upper_confidence_bound",
]
