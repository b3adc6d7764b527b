"""One ranking round of a discovery campaign: predictions in, a ranked diverse batch out.

Pure numpy over per-candidate ``mean`` and ``std`` of each objective property (already
corrected by whatever the platform refitted on observed results). The acquisition turns
them into one score per candidate (higher is better), constraints and the "already chosen"
mask remove candidates, and :func:`~.diversity.select_diverse_batch` picks the batch.

Several objectives: each objective gets its own acquisition score, the candidates are
sorted into Pareto fronts over those scores, and the score is ``-front`` plus the mean
rank-normalised objective score in [0, 1) as the tie-breaker within a front (the sorting
runs on a shortlist of each objective's best, see :func:`front_scores`). (Expected
hypervolume improvement over ensemble members lives in :mod:`.ehvi`; it is not used here.)

Thompson sampling draws, for each pick, one sample per candidate from the independent
Gaussian ``N(mean, std**2)`` with a seeded generator (the predictions carry mean and σ,
not ensemble members).

>>> import numpy as np
>>> from matdiscover.science.ranking.campaign import Objective, rank_round
>>> r = rank_round(["NaCl", "KCl", "LiF"], {"band_gap": (np.array([5.0, 6.0, 9.0]),
...     np.array([0.5, 0.5, 0.5]))}, objectives=[Objective("band_gap", "max")],
...     acquisition="greedy", batch_size=2)
>>> r.indices.tolist()
[2, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from matdiscover.science.ranking.acquisition import (
    FloatArray,
    IntArray,
    expected_improvement,
    greedy,
    probability_of_improvement,
    stability_score,
    target_window_probability,
    thompson_sampling,
    upper_confidence_bound,
)
from matdiscover.science.ranking.constraints import all_excluded_error, apply_constraints
from matdiscover.science.ranking.diversity import DiverseBatch, select_diverse_batch
from matdiscover.science.ranking.errors import (
    AcquisitionError,
    InvalidTargetWindow,
    RankingInputError,
)
from matdiscover.science.ranking.pareto import pareto_front_mask

Acquisition = Literal["greedy", "ucb", "lcb", "ei", "pi", "thompson", "stability", "window"]
ACQUISITIONS: tuple[Acquisition, ...] = (
    "greedy",
    "ucb",
    "lcb",
    "ei",
    "pi",
    "thompson",
    "stability",
    "window",
)
Goal = Literal["max", "min", "window"]
Predictions = Mapping[str, tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class Objective:
    """What a campaign looks for in one property.

    Attributes:
        property: property key, e.g. ``"band_gap"``.
        direction: ``"max"``, ``"min"`` or ``"window"`` (the value within ``[min, max]``).
        min: lower bound of the window, in the property's unit.
        max: upper bound of the window, in the property's unit.
    """

    property: str
    direction: Goal
    min: float | None = None
    max: float | None = None

    def check(self) -> None:
        """Raises :class:`InvalidTargetWindow` for a window without both bounds or with
        ``min > max``."""
        if self.direction != "window":
            return
        if self.min is None or self.max is None:
            raise InvalidTargetWindow(
                f"objective {self.property}: a target window needs both min and max"
            )
        if self.min > self.max:
            raise InvalidTargetWindow(
                f"objective {self.property}: target window min {self.min} is above max {self.max}"
            )


@dataclass(frozen=True)
class RankedRound:
    """A round's batch.

    Attributes:
        indices: chosen candidates in pick order (best first).
        scores: acquisition score of each pick (higher is better; before the diversity
            penalty).
        adjusted: the score after the diversity penalty, at the moment of the pick.
        n_pool: candidates in the pool.
        n_available: candidates neither excluded by constraints nor chosen before.
        excluded: reason per excluded candidate index (constraints only).
    """

    indices: IntArray
    scores: FloatArray
    adjusted: FloatArray
    n_pool: int
    n_available: int
    excluded: dict[int, str] = field(default_factory=dict)


def _sign(goal: Goal) -> Literal["maximize", "minimize"]:
    return "minimize" if goal == "min" else "maximize"


def objective_score(
    objective: Objective,
    mean: FloatArray,
    std: FloatArray,
    *,
    acquisition: Acquisition,
    kappa: float,
    best: float | None,
    rng: np.random.Generator,
) -> FloatArray:
    """The acquisition score of one objective per candidate, higher is better.

    ``best`` is the incumbent (best observed value) for EI and PI; without one, the best
    predicted mean stands in. A window objective always scores the probability of lying in
    the window (with UCB-like ``kappa`` widening for ``ucb``); ``stability`` scores
    ``-(mean - kappa * std)`` (for an energy above hull).
    """
    objective.check()
    if objective.direction == "window":
        assert objective.min is not None and objective.max is not None
        sigma = std * (1.0 + kappa) if acquisition in ("ucb", "lcb") else std
        return target_window_probability(mean, sigma, lo=objective.min, hi=objective.max)
    if acquisition == "window":
        raise RankingInputError(
            f"acquisition 'window' needs a window objective; {objective.property} is "
            f"'{objective.direction}'"
        )
    direction = _sign(objective.direction)
    signed_mean = mean if direction == "maximize" else -mean
    if acquisition == "greedy":
        return greedy(mean, direction=direction)
    if acquisition in ("ucb", "lcb"):
        return upper_confidence_bound(mean, std, kappa=kappa, direction=direction)
    if acquisition in ("ei", "pi"):
        incumbent = best
        if incumbent is None:
            finite = np.isfinite(signed_mean)
            incumbent = float(
                signed_mean[finite].max() if direction == "maximize" else -signed_mean[finite].max()
            )
        fn = expected_improvement if acquisition == "ei" else probability_of_improvement
        return fn(mean, std, best=incumbent, direction=direction)
    if acquisition == "thompson":
        return signed_mean + std * rng.standard_normal(mean.shape[0])
    if acquisition == "stability":
        return -stability_score(mean, std, k=kappa)
    raise RankingInputError(f"unknown acquisition {acquisition!r}: use one of {ACQUISITIONS}")


def _rank01(values: FloatArray) -> FloatArray:
    order = np.argsort(values, kind="stable")
    out = np.empty(values.shape[0])
    out[order] = np.arange(values.shape[0]) / max(values.shape[0], 1)
    return out


def rank_round(
    formulas: Sequence[str],
    predictions: Predictions,
    *,
    objectives: Sequence[Objective],
    acquisition: Acquisition,
    batch_size: int,
    kappa: float = 1.0,
    diversity: float = 0.0,
    best: Mapping[str, float] | None = None,
    chosen: Sequence[bool] | None = None,
    in_domain: Sequence[bool] | None = None,
    allowed_elements: Sequence[str] | None = None,
    excluded_elements: Sequence[str] | None = None,
    e_hull: FloatArray | None = None,
    max_e_hull: float | None = None,
    exclude_out_of_domain: bool = False,
    seed: int = 0,
) -> RankedRound:
    """Rank ``formulas`` and pick a batch of ``batch_size``.

    Args:
        formulas: one formula per candidate.
        predictions: per objective property, ``(mean, std)`` arrays in its unit.
        objectives: what to look for (at least one).
        acquisition: how to score (see :data:`ACQUISITIONS`).
        batch_size: candidates to pick.
        kappa: exploration weight of UCB/LCB and ``k`` of the stability score (in σ).
        diversity: penalty on the largest composition similarity to earlier picks, in
            units of the (per-objective rank-normalised when several) score.
        best: incumbent observed value per property (EI/PI).
        chosen: ``True`` for candidates picked in earlier rounds (never picked again).
        in_domain, allowed_elements, excluded_elements, e_hull, max_e_hull,
            exclude_out_of_domain: constraints (see ``apply_constraints``).
        seed: seed of Thompson sampling.

    Raises:
        RankingInputError: empty pool, no objective, missing predictions, bad sizes.
        InvalidTargetWindow: a window with ``min > max``.
        AcquisitionError: constraints and earlier picks leave fewer than ``batch_size``.
    """
    n = len(formulas)
    if n == 0:
        raise RankingInputError("the candidate pool is empty")
    if not objectives:
        raise RankingInputError("a campaign needs at least one objective")
    if batch_size < 1:
        raise RankingInputError(f"batch size must be at least 1, got {batch_size}")
    rng = np.random.default_rng(seed)
    scores: list[FloatArray] = []
    for obj in objectives:
        if obj.property not in predictions:
            raise RankingInputError(f"no predictions for objective {obj.property!r}")
        mean, std = predictions[obj.property]
        mean = np.asarray(mean, dtype=np.float64)
        std = np.asarray(std, dtype=np.float64)
        bad = ~(np.isfinite(mean) & np.isfinite(std))
        s = objective_score(
            obj,
            np.where(bad, 0.0, mean),
            np.where(bad, 0.0, np.maximum(std, 0.0)),
            acquisition=acquisition,
            kappa=kappa,
            best=(best or {}).get(obj.property),
            rng=rng,
        )
        scores.append(np.where(bad, -np.inf, s))
    if allowed_elements or excluded_elements:
        constrained = apply_constraints(
            formulas,
            allowed_elements=allowed_elements,
            excluded_elements=excluded_elements,
            e_hull=e_hull,
            max_e_hull=max_e_hull,
            in_domain=in_domain,
            exclude_out_of_domain=exclude_out_of_domain,
        )
        kept, excluded = constrained.mask, _reasons(constrained.reasons)
    else:  # no chemistry to check: the same masks and reasons without parsing formulas
        kept, excluded = numeric_constraints(
            n,
            e_hull=e_hull,
            max_e_hull=max_e_hull,
            in_domain=in_domain,
            exclude_out_of_domain=exclude_out_of_domain,
        )
    mask = kept & np.all([np.isfinite(s) for s in scores], axis=0)
    if chosen is not None:
        mask &= ~np.asarray(chosen, dtype=bool)
    score = scores[0] if len(scores) == 1 else front_scores(scores, mask, batch_size)
    mask &= np.isfinite(score)
    available = int(mask.sum())
    if available < batch_size:
        raise AcquisitionError(
            f"only {available} of {n} candidates are left to pick (after constraints and "
            f"earlier rounds) for a batch of {batch_size}"
        )
    if acquisition == "thompson" and len(objectives) == 1 and objectives[0].direction != "window":
        mean, std = predictions[objectives[0].property]
        draws = np.asarray(mean)[:, None] + np.asarray(std)[:, None] * rng.standard_normal(
            (n, batch_size)
        )
        draws = np.where(np.isfinite(draws), draws, -np.inf)
        picks = thompson_sampling(
            draws,
            rng=rng,
            size=batch_size,
            direction=_sign(objectives[0].direction),
            exclude=np.flatnonzero(~mask).tolist(),
        )
        idx = picks.indices
        return RankedRound(
            indices=idx,
            scores=score[idx],
            adjusted=score[idx],
            n_pool=n,
            n_available=available,
            excluded=excluded,
        )
    finite_score = np.where(np.isfinite(score), score, np.nan)
    spread = float(np.nanmax(finite_score) - np.nanmin(finite_score)) if available else 0.0
    penalty = diversity * (spread if spread > 0 else 1.0)
    # the batch is picked among the best max(50 x batch, 1000) available candidates, so the
    # composition similarities are computed for those only
    avail = np.flatnonzero(mask)
    top = avail[np.argsort(-score[avail], kind="stable")[: max(50 * batch_size, 1000)]]
    picked = select_diverse_batch(
        score[top], size=batch_size, penalty=penalty, formulas=[formulas[i] for i in top]
    )
    batch = DiverseBatch(top[picked.indices], picked.adjusted_scores, picked.max_similarity)
    return RankedRound(
        indices=batch.indices,
        scores=score[batch.indices],
        adjusted=batch.adjusted_scores,
        n_pool=n,
        n_available=available,
        excluded=excluded,
    )


def front_scores(
    scores: Sequence[FloatArray], mask: NDArray[np.bool_], batch_size: int
) -> FloatArray:
    """One score per candidate from several objectives' scores: ``-front + tie`` where
    ``front`` is the Pareto front index (0 = non-dominated) and ``tie`` in [0, 1) the mean
    rank-normalised objective score. Only candidates with ``mask`` count.

    Non-dominated sorting is quadratic per front, so it runs on a shortlist: the best
    ``max(25 * batch_size, 500)`` available candidates of each objective, peeled front by
    front until ``10 * batch_size`` are ranked; the rest of the shortlist shares the next
    front and everything else the one after (ordered by ``tie`` within).
    """
    stacked = np.stack(scores, axis=1)
    n = stacked.shape[0]
    avail = np.flatnonzero(mask)
    out = np.full(n, -np.inf)
    if avail.size == 0:
        return out
    limit = min(avail.size, max(25 * batch_size, 500))
    short = np.unique(
        np.concatenate(
            [
                avail[np.argsort(-stacked[avail, j], kind="stable")[:limit]]
                for j in range(stacked.shape[1])
            ]
        )
    )
    fronts = np.full(n, 0, dtype=np.int64)
    remaining, level, ranked = short, 0, 0
    while remaining.size and ranked < 10 * batch_size:
        front = pareto_front_mask(stacked[remaining], directions="maximize")
        fronts[remaining[front]] = level
        ranked += int(front.sum())
        remaining = remaining[~front]
        level += 1
    fronts[remaining] = level
    rest = np.setdiff1d(avail, short, assume_unique=True)
    fronts[rest] = level + 1
    tie = np.mean([_rank01(stacked[avail, j]) for j in range(stacked.shape[1])], axis=0)
    out[avail] = -fronts[avail].astype(np.float64) + tie
    return out


def numeric_constraints(
    n: int,
    *,
    e_hull: FloatArray | None,
    max_e_hull: float | None,
    in_domain: Sequence[bool] | NDArray[np.bool_] | None,
    exclude_out_of_domain: bool,
) -> tuple[NDArray[np.bool_], dict[int, str]]:
    """The stability and domain constraints of ``apply_constraints`` (same reasons and
    errors) for a pool without element constraints, vectorised.

    >>> numeric_constraints(3, e_hull=np.array([0.0, 0.3, np.nan]), max_e_hull=0.1,
    ...     in_domain=None, exclude_out_of_domain=False)[1]
    {1: 'predicted energy above hull > 0.1 eV/atom (0.3)', 2: 'no predicted energy above hull'}
    """
    why: list[list[str]] = [[] for _ in range(n)]
    if max_e_hull is not None:
        if e_hull is None:
            raise RankingInputError("max_e_hull needs the predicted e_hull of every candidate")
        hull = np.asarray(e_hull, dtype=np.float64)
        for i in np.flatnonzero(~np.isfinite(hull)):
            why[i].append("no predicted energy above hull")
        for i in np.flatnonzero(np.isfinite(hull) & (hull > max_e_hull)):
            why[i].append(f"predicted energy above hull > {max_e_hull:.3g} eV/atom ({hull[i]:.3g})")
    if exclude_out_of_domain and in_domain is not None:
        for i in np.flatnonzero(~np.asarray(in_domain, dtype=bool)):
            why[i].append("out of the model's domain")
    reasons = {i: "; ".join(w) for i, w in enumerate(why) if w}
    mask = np.ones(n, dtype=bool)
    mask[list(reasons)] = False
    if not mask.any():
        raise all_excluded_error(n, reasons.values())
    return mask, reasons


def _reasons(reasons: Sequence[str | None]) -> dict[int, str]:
    return {i: r for i, r in enumerate(reasons) if r}


__all__ = [
    "ACQUISITIONS",
    "Acquisition",
    "AcquisitionError",
    "Objective",
    "RankedRound",
    "objective_score",
    "rank_round",
]
