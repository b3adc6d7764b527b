"""Multi-objective ranking: Pareto ranks, exact hypervolume, and the hypervolume
improvement of candidates.

Values have shape ``(n_points, n_objectives)``; ``directions`` says per objective whether
larger (``"maximize"``) or smaller (``"minimize"``) is better. Hypervolumes are measured
against a reference point in the same units, counting only what is better than it; the
result is in the product of the objectives' units.

>>> pareto_ranks([[1, 3], [2, 2], [3, 1], [1, 1]]).tolist()
[0, 0, 0, 1]
>>> hypervolume([[1, 3], [2, 2], [3, 1]], ref_point=[0, 0])
6.0
>>> hypervolume_improvement([[2.5, 2.5]], front=[[1, 3], [2, 2], [3, 1]], ref_point=[0, 0]).tolist()
[1.25]

Expected hypervolume improvement over ensemble predictions (botorch) lives in
:mod:`matdiscover.science.ranking.ehvi`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from matdiscover.science.ranking.acquisition import Direction, FloatArray, IntArray
from matdiscover.science.ranking.errors import RankingInputError

Directions = Direction | Sequence[Direction]


def _signs(directions: Directions, m: int) -> FloatArray:
    dirs = [directions] * m if isinstance(directions, str) else list(directions)
    if len(dirs) != m:
        raise RankingInputError(f"{len(dirs)} directions for {m} objectives")
    out = []
    for d in dirs:
        if d not in ("maximize", "minimize"):
            raise RankingInputError(f"unknown direction {d!r}: use 'maximize' or 'minimize'")
        out.append(1.0 if d == "maximize" else -1.0)
    return np.asarray(out)


def as_maximized(
    values: ArrayLike, directions: Directions, *, allow_empty: bool = False
) -> FloatArray:
    """Validate ``(n, m)`` objective values and flip minimised objectives' sign.

    >>> as_maximized([[1.0, 2.0]], ["maximize", "minimize"]).tolist()
    [[1.0, -2.0]]
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise RankingInputError(f"objective values must have shape (n, m), got {arr.shape}")
    if arr.shape[0] == 0 and not allow_empty:
        raise RankingInputError("the candidate pool is empty (no objective values)")
    if not np.all(np.isfinite(arr)):
        raise RankingInputError("objective values contain NaN or infinity")
    return arr * _signs(directions, arr.shape[1])


def _dominated(points: FloatArray, chunk: int = 512) -> np.ndarray:
    """Boolean: point i is dominated by some point (maximisation)."""
    n = points.shape[0]
    out = np.zeros(n, dtype=bool)
    for start in range(0, n, chunk):
        p = points[start : start + chunk, None, :]
        ge = np.all(points[None, :, :] >= p, axis=2)
        gt = np.any(points[None, :, :] > p, axis=2)
        out[start : start + chunk] = np.any(ge & gt, axis=1)
    return out


def pareto_ranks(values: ArrayLike, *, directions: Directions = "maximize") -> IntArray:
    """Non-dominated sorting: 0 for the Pareto front, 1 for the front once 0 is removed, ...

    Identical points share a rank.
    """
    pts = as_maximized(values, directions)
    ranks = np.full(pts.shape[0], -1, dtype=np.int64)
    remaining = np.arange(pts.shape[0])
    level = 0
    while remaining.size:
        dom = _dominated(pts[remaining])
        ranks[remaining[~dom]] = level
        remaining = remaining[dom]
        level += 1
    return ranks


def pareto_front_mask(values: ArrayLike, *, directions: Directions = "maximize") -> np.ndarray:
    """``True`` for the non-dominated points (rank 0)."""
    return ~_dominated(as_maximized(values, directions))


def _hv_maximized(points: FloatArray, ref: FloatArray) -> float:
    """Exact hypervolume of maximisation points above ``ref`` (slicing on the last axis)."""
    pts = points[np.all(points > ref, axis=1)]
    if pts.shape[0] == 0:
        return 0.0
    m = pts.shape[1]
    if m == 1:
        return float(pts[:, 0].max() - ref[0])
    pts = pts[~_dominated(pts)]
    if m == 2:
        order = np.argsort(-pts[:, 0], kind="stable")
        hv, y_top = 0.0, ref[1]
        for x, y in pts[order]:
            if y > y_top:
                hv += (x - ref[0]) * (y - y_top)
                y_top = y
        return float(hv)
    order = np.argsort(-pts[:, -1], kind="stable")
    pts = pts[order]
    hv = 0.0
    for k in range(pts.shape[0]):
        lower = pts[k + 1, -1] if k + 1 < pts.shape[0] else ref[-1]
        height = pts[k, -1] - lower
        if height > 0:
            hv += height * _hv_maximized(pts[: k + 1, :-1], ref[:-1])
    return float(hv)


def hypervolume(
    points: ArrayLike, *, ref_point: ArrayLike, directions: Directions = "maximize"
) -> float:
    """Exact hypervolume dominated by ``points`` and bounded by ``ref_point``.

    Exact for any number of objectives (sweep in 2-D, recursive slicing above; meant for
    fronts of up to a few hundred points in 3-D+). An empty set has hypervolume 0.
    """
    pts = as_maximized(points, directions, allow_empty=True)
    ref = as_maximized(np.atleast_2d(ref_point), directions)[0]
    if ref.size != pts.shape[1]:
        raise RankingInputError(f"ref_point has {ref.size} values for {pts.shape[1]} objectives")
    return _hv_maximized(pts, ref)


def hypervolume_improvement(
    candidates: ArrayLike,
    *,
    front: ArrayLike,
    ref_point: ArrayLike,
    directions: Directions = "maximize",
) -> FloatArray:
    """Hypervolume gained by adding each candidate point alone to ``front``.

    ``front`` may be empty (shape ``(0, m)``): the improvement is then the candidate's own
    hypervolume.
    """
    cand = as_maximized(candidates, directions)
    m = cand.shape[1]
    base_pts = as_maximized(
        np.asarray(front, dtype=np.float64).reshape(-1, m), directions, allow_empty=True
    )
    ref = as_maximized(np.atleast_2d(ref_point), directions)[0]
    if ref.size != m:
        raise RankingInputError(f"ref_point has {ref.size} values for {m} objectives")
    if base_pts.shape[0]:
        base_pts = base_pts[~_dominated(base_pts)]
    base = _hv_maximized(base_pts, ref)
    out = np.zeros(cand.shape[0])
    for i, p in enumerate(cand):
        if np.any(p <= ref):
            continue
        if base_pts.shape[0] and np.any(np.all(base_pts >= p, axis=1)):
            continue
        out[i] = _hv_maximized(np.vstack([base_pts, p[None, :]]), ref) - base
    return out
