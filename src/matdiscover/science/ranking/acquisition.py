"""Acquisition functions over ensemble predictions: which candidate to make or compute next.

Plain numpy. Inputs are either the ensemble ``members`` (shape ``(n_candidates, n_members)``,
one column per member) or the calibrated ``mean`` and ``std`` (sigma) of each candidate, in
the property's own units. Unless a docstring says otherwise every function returns a
**score where higher is better**, so one ``np.argsort(-score)`` ranks any of them; for a
``direction="minimize"`` objective the score is built from the negated objective.

>>> import numpy as np
>>> mean, std = np.array([1.0, 2.0, 1.5]), np.array([0.1, 0.1, 1.0])
>>> upper_confidence_bound(mean, std, kappa=2.0).round(2).tolist()
[1.2, 2.2, 3.5]
>>> int(np.argmax(expected_improvement(mean, std, best=2.0)))
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from matdiscover.science.ranking.errors import InvalidTargetWindow, RankingInputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Direction = Literal["maximize", "minimize"]

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


def check_vector(values: ArrayLike, name: str = "scores") -> FloatArray:
    """Validate one finite value per candidate (1-D, non-empty); ``name`` is used in errors."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise RankingInputError(
            f"{name} must be one value per candidate (1-D), got shape {arr.shape}"
        )
    if arr.size == 0:
        raise RankingInputError(f"the candidate pool is empty ({name} has no values)")
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise RankingInputError(f"{name} of candidate {bad} is not finite ({arr[bad]})")
    return arr


def check_mean_std(mean: ArrayLike, std: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate a ``(mean, std)`` pair: same 1-D shape, finite, sigma >= 0.

    Raises:
        RankingInputError: empty pool, shape mismatch, NaN/inf, or a negative sigma.

    >>> check_mean_std([1.0], [-0.1])
    Traceback (most recent call last):
    ...
    matdiscover.science.ranking.errors.RankingInputError: std of candidate 0 is negative (-0.1)
    """
    mu = check_vector(mean, "mean")
    sigma = check_vector(std, "std")
    if mu.shape != sigma.shape:
        raise RankingInputError(f"mean has {mu.size} candidates but std has {sigma.size}")
    if np.any(sigma < 0):
        bad = int(np.flatnonzero(sigma < 0)[0])
        raise RankingInputError(f"std of candidate {bad} is negative ({sigma[bad]})")
    return mu, sigma


def check_members(members: ArrayLike) -> FloatArray:
    """Validate ensemble predictions of shape ``(n_candidates, n_members)``.

    Raises:
        RankingInputError: not 2-D, no candidates, no members, or a non-finite value.
    """
    arr = np.asarray(members, dtype=np.float64)
    if arr.ndim != 2:
        raise RankingInputError(
            f"members must have shape (n_candidates, n_members), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise RankingInputError("the candidate pool is empty (members has no rows)")
    if arr.shape[1] == 0:
        raise RankingInputError("members has no ensemble member (no columns)")
    if not np.all(np.isfinite(arr)):
        row = int(np.flatnonzero(~np.all(np.isfinite(arr), axis=1))[0])
        raise RankingInputError(f"member predictions of candidate {row} are not finite")
    return arr


def ensemble_mean_std(members: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Mean and standard deviation (ddof=1, as the project's ensembles) over the members.

    >>> m, s = ensemble_mean_std([[1.0, 3.0], [2.0, 2.0]])
    >>> m.tolist(), s.round(4).tolist()
    ([2.0, 2.0], [1.4142, 0.0])
    """
    arr = check_members(members)
    std = arr.std(axis=1, ddof=1) if arr.shape[1] > 1 else np.zeros(arr.shape[0])
    return arr.mean(axis=1), std


def _signed(values: FloatArray, direction: Direction) -> FloatArray:
    if direction == "maximize":
        return values
    if direction == "minimize":
        return -values
    raise RankingInputError(f"unknown direction {direction!r}: use 'maximize' or 'minimize'")


def greedy(mean: ArrayLike, *, direction: Direction = "maximize") -> FloatArray:
    """Pure exploitation: the predicted value itself (negated when minimising).

    >>> greedy([1.0, 3.0], direction="minimize").tolist()
    [-1.0, -3.0]
    """
    return _signed(check_vector(mean, "mean"), direction)


def upper_confidence_bound(
    mean: ArrayLike, std: ArrayLike, *, kappa: float = 2.0, direction: Direction = "maximize"
) -> FloatArray:
    """UCB ``mean + kappa * std`` when maximising; when minimising the lower bound (LCB)
    ``mean - kappa * std``, returned negated so that higher is better.

    >>> upper_confidence_bound([1.0], [0.5], kappa=1.0, direction="minimize").tolist()
    [-0.5]
    """
    if not np.isfinite(kappa) or kappa < 0:
        raise RankingInputError(f"kappa must be a finite number >= 0, got {kappa}")
    mu, sigma = check_mean_std(mean, std)
    return _signed(mu, direction) + kappa * sigma


def _improvement(
    mu: FloatArray, best: float, xi: float, direction: Direction, name: str
) -> FloatArray:
    if not np.isfinite(best):
        raise RankingInputError(f"the incumbent best value must be finite, got {best}")
    if not np.isfinite(xi) or xi < 0:
        raise RankingInputError(f"xi must be a finite number >= 0, got {xi} ({name})")
    return _signed(mu, direction) - _signed(np.array([best]), direction)[0] - xi


def expected_improvement(
    mean: ArrayLike,
    std: ArrayLike,
    *,
    best: float,
    direction: Direction = "maximize",
    xi: float = 0.0,
) -> FloatArray:
    """Expected improvement over the incumbent ``best`` under ``N(mean, std**2)``.

    With ``d = mean - best - xi`` (``best - mean - xi`` when minimising) and
    ``z = d / std``: ``EI = d * Phi(z) + std * phi(z)``; for ``std == 0`` it is ``max(d, 0)``.
    In the objective's units.

    >>> expected_improvement([1.0], [0.0], best=0.5).tolist()
    [0.5]
    """
    mu, sigma = check_mean_std(mean, std)
    d = _improvement(mu, best, xi, direction, "expected_improvement")
    ei = np.maximum(d, 0.0)
    pos = sigma > 0
    z = d[pos] / sigma[pos]
    ei[pos] = d[pos] * ndtr(z) + sigma[pos] * np.exp(-0.5 * z * z) / _SQRT_2PI
    return ei


def probability_of_improvement(
    mean: ArrayLike,
    std: ArrayLike,
    *,
    best: float,
    direction: Direction = "maximize",
    xi: float = 0.0,
) -> FloatArray:
    """Probability of improving on ``best`` by more than ``xi``: ``Phi(d / std)``
    (1 or 0 for ``std == 0``), ``d`` as in :func:`expected_improvement`.

    >>> probability_of_improvement([1.0, 0.0], [0.0, 0.0], best=0.5).tolist()
    [1.0, 0.0]
    """
    mu, sigma = check_mean_std(mean, std)
    d = _improvement(mu, best, xi, direction, "probability_of_improvement")
    pi = (d > 0).astype(np.float64)
    pos = sigma > 0
    pi[pos] = ndtr(d[pos] / sigma[pos])
    return pi


@dataclass(frozen=True)
class ThompsonPicks:
    """Candidates chosen by Thompson sampling.

    Attributes:
        indices: chosen candidate indices, in pick order (no repeats).
        members: the ensemble member (column) drawn for each pick.
    """

    indices: IntArray
    members: IntArray


def thompson_sampling(
    members: ArrayLike,
    *,
    rng: np.random.Generator,
    size: int = 1,
    direction: Direction = "maximize",
    exclude: Sequence[int] = (),
) -> ThompsonPicks:
    """Thompson sampling over an ensemble: for each pick draw one member uniformly with
    ``rng`` and take the best not-yet-chosen candidate under that member's predictions
    (ties: lowest index).

    >>> import numpy as np
    >>> members = np.array([[0.0, 5.0], [1.0, 0.0], [2.0, 1.0]])
    >>> picks = thompson_sampling(members, rng=np.random.default_rng(0), size=2)
    >>> picks.indices.tolist(), picks.members.tolist()
    ([0, 2], [1, 1])
    """
    arr = check_members(members)
    n = arr.shape[0]
    excluded = np.zeros(n, dtype=bool)
    excluded[np.asarray(list(exclude), dtype=np.int64)] = True
    if size < 1 or size > int((~excluded).sum()):
        raise RankingInputError(
            f"cannot pick {size} of {int((~excluded).sum())} available candidates"
        )
    signed = _signed(arr, direction)
    chosen: list[int] = []
    drawn: list[int] = []
    for _ in range(size):
        j = int(rng.integers(arr.shape[1]))
        column = np.where(excluded, -np.inf, signed[:, j])
        i = int(np.argmax(column))
        chosen.append(i)
        drawn.append(j)
        excluded[i] = True
    return ThompsonPicks(np.asarray(chosen, dtype=np.int64), np.asarray(drawn, dtype=np.int64))


def stability_score(e_hull_mean: ArrayLike, std: ArrayLike, *, k: float = 1.0) -> FloatArray:
    """CAMD-style stability score ``e_hull_mean - k * std`` in eV/atom. **Lower is better**
    (the optimistic energy above the current hull), unlike the other scores here.

    >>> stability_score([0.05, 0.0], [0.05, 0.01], k=1.0).round(3).tolist()
    [0.0, -0.01]
    """
    if not np.isfinite(k) or k < 0:
        raise RankingInputError(f"k must be a finite number >= 0, got {k}")
    mu, sigma = check_mean_std(e_hull_mean, std)
    return mu - k * sigma


def target_window_probability(
    mean: ArrayLike, std: ArrayLike, *, lo: float, hi: float
) -> FloatArray:
    """Probability that the value lies in ``[lo, hi]`` under ``N(mean, std**2)``:
    ``Phi((hi - mean) / std) - Phi((lo - mean) / std)``; 1 or 0 for ``std == 0``.

    Raises:
        InvalidTargetWindow: ``lo > hi`` or a non-finite bound.

    >>> target_window_probability([1.4, 3.0], [0.0, 0.0], lo=1.1, hi=1.7).tolist()
    [1.0, 0.0]
    >>> target_window_probability([1.4], [0.1], lo=1.7, hi=1.1)
    Traceback (most recent call last):
    ...
    matdiscover.science.ranking.errors.InvalidTargetWindow: target window min 1.7 is above max 1.1
    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise InvalidTargetWindow(f"target window bounds must be finite, got [{lo}, {hi}]")
    if lo > hi:
        raise InvalidTargetWindow(f"target window min {lo} is above max {hi}")
    mu, sigma = check_mean_std(mean, std)
    p = ((mu >= lo) & (mu <= hi)).astype(np.float64)
    pos = sigma > 0
    p[pos] = ndtr((hi - mu[pos]) / sigma[pos]) - ndtr((lo - mu[pos]) / sigma[pos])
    return p


def rank(
    scores: ArrayLike, *, mask: ArrayLike | None = None, lower_is_better: bool = False
) -> IntArray:
    """Candidate indices from best to worst score (stable: ties keep index order);
    candidates with ``mask == False`` are left out.

    >>> rank([0.2, 0.9, 0.2, 0.5], mask=[True, True, True, False]).tolist()
    [1, 0, 2]
    """
    s = check_vector(scores, "scores")
    order = np.argsort(s if lower_is_better else -s, kind="stable").astype(np.int64)
    if mask is None:
        return order
    keep = np.asarray(mask, dtype=bool)
    if keep.shape != s.shape:
        raise RankingInputError(f"mask has {keep.size} entries for {s.size} candidates")
    return order[keep[order]]
