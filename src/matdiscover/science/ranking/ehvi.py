"""Expected hypervolume improvement of candidates from their ensemble predictions.

botorch's ``qLogExpectedHypervolumeImprovement`` is evaluated on a discrete pool: the
ensemble members of every candidate are wrapped as a botorch ``EnsembleModel`` (input =
candidate index) and a deterministic sampler draws *every* member exactly once, so the
expectation is the plain average over the members (no random sampling, same answer every
call). Objectives are scaled to unit range internally (the improvement is scaled back), so
botorch's smoothing temperatures act relative to the objectives' spread.

Input ``members`` has shape ``(n_candidates, n_members, n_objectives)``.

>>> import numpy as np
>>> members = np.array([[[2.5, 2.5]] * 3, [[0.5, 0.5]] * 3])  # identical members
>>> ehvi = expected_hypervolume_improvement(
...     members, observed=[[1, 3], [2, 2], [3, 1]], ref_point=[0, 0]
... )
>>> ehvi.round(2).tolist()
[1.25, 0.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from matdiscover.science.ranking.acquisition import FloatArray, IntArray
from matdiscover.science.ranking.errors import RankingInputError
from matdiscover.science.ranking.pareto import Directions, _signs

#: candidates evaluated per botorch call (bounds memory: chunk x members x cells)
_CHUNK = 512


def _prepare(
    members: ArrayLike, observed: ArrayLike, ref_point: ArrayLike, directions: Directions
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    vals = np.asarray(members, dtype=np.float64)
    if vals.ndim != 3:
        raise RankingInputError(
            f"members must have shape (n_candidates, n_members, n_objectives), got {vals.shape}"
        )
    n, s, m = vals.shape
    if n == 0:
        raise RankingInputError("the candidate pool is empty")
    if s == 0 or m == 0:
        raise RankingInputError(f"members has {s} members and {m} objectives")
    if not np.all(np.isfinite(vals)):
        raise RankingInputError("member predictions contain NaN or infinity")
    obs = np.asarray(observed, dtype=np.float64).reshape(-1, m)
    if not np.all(np.isfinite(obs)):
        raise RankingInputError("observed values contain NaN or infinity")
    ref = np.asarray(ref_point, dtype=np.float64).reshape(-1)
    if ref.size != m or not np.all(np.isfinite(ref)):
        raise RankingInputError(f"ref_point must be {m} finite values, got {ref.tolist()}")
    sign = _signs(directions, m)
    vals, obs, ref = vals * sign, obs * sign, ref * sign
    spread = np.max(np.concatenate([vals.reshape(-1, m), obs]), axis=0) - ref
    scale = np.where(spread > 0, spread, 1.0)
    return vals / scale, obs / scale, ref / scale, scale


def _use_the_pytorch_path() -> None:
    """botorch's qLogEHVI JIT-compiles a fused C++ kernel on first use (the system C++
    compiler with ``-march=native`` into ``~/.cache/torch_extensions``: ~25 s here, and a
    warning where there is no compiler). Our pools are small, so its pure-PyTorch path,
    which computes the same quantity, is used instead."""
    from botorch.acquisition.multi_objective import logei

    if getattr(logei, "_C", None) is None and hasattr(logei, "_load_attempted"):
        logei._load_attempted = True


def _acquisition(
    vals: FloatArray, obs: FloatArray, ref: FloatArray, tau_max: float
) -> tuple[Any, Any]:
    import torch

    # botorch is imported lazily (slow import); its linear_operator dependency warns about
    # ``torch.jit.script`` on import, which is not ours to fix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from botorch.acquisition.multi_objective.logei import qLogExpectedHypervolumeImprovement
        from botorch.models.ensemble import EnsembleModel
        from botorch.sampling.base import MCSampler
        from botorch.utils.multi_objective.box_decompositions.non_dominated import (
            NondominatedPartitioning,
        )
    _use_the_pytorch_path()

    values = torch.as_tensor(vals, dtype=torch.float64)
    n_members, m = vals.shape[1], vals.shape[2]

    class PoolEnsemble(EnsembleModel):
        """Input: ``batch x q x 1`` candidate indices; output ``batch x s x q x m``."""

        def __init__(self) -> None:
            super().__init__()
            self._num_outputs = m

        def forward(self, X: torch.Tensor) -> torch.Tensor:
            picked = values[X[..., 0].round().long()]  # batch x q x s x m
            return picked.transpose(-3, -2)

    class EveryMemberSampler(MCSampler):
        """Deterministic: sample k is ensemble member k, for every candidate."""

        def __init__(self) -> None:
            super().__init__(sample_shape=torch.Size([n_members]))

        def forward(self, posterior: Any) -> torch.Tensor:
            batch = posterior.batch_shape
            base = torch.arange(n_members).view(n_members, *([1] * len(batch)))
            return posterior.rsample_from_base_samples(
                sample_shape=self.sample_shape, base_samples=base.expand(n_members, *batch)
            )

    ref_t = torch.as_tensor(ref, dtype=torch.float64)
    y = torch.as_tensor(obs, dtype=torch.float64)
    partitioning = NondominatedPartitioning(ref_point=ref_t, Y=y)
    acq = qLogExpectedHypervolumeImprovement(
        model=PoolEnsemble(),
        ref_point=ref_t,
        partitioning=partitioning,
        sampler=EveryMemberSampler(),
        tau_max=tau_max,
    )
    return acq, torch


def _evaluate(acq: Any, torch: Any, indices: IntArray, pending: Sequence[int]) -> FloatArray:
    if pending:
        acq.set_X_pending(torch.as_tensor(list(pending), dtype=torch.float64).view(-1, 1))
    else:
        acq.set_X_pending(None)
    out = np.empty(indices.size)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for start in range(0, indices.size, _CHUNK):
            chunk = indices[start : start + _CHUNK]
            x = torch.as_tensor(chunk, dtype=torch.float64).view(-1, 1, 1)
            out[start : start + chunk.size] = acq(x).numpy()
    return out


def expected_hypervolume_improvement(
    members: ArrayLike,
    *,
    observed: ArrayLike,
    ref_point: ArrayLike,
    directions: Directions = "maximize",
    tau_max: float = 1e-3,
) -> FloatArray:
    """EHVI of each candidate alone over the front of the ``observed`` values.

    Args:
        members: ensemble predictions, ``(n_candidates, n_members, n_objectives)``.
        observed: objective values measured so far, ``(n_observed, n_objectives)``
            (may be empty).
        ref_point: reference point, one value per objective, in the objectives' units.
        directions: ``"maximize"``/``"minimize"`` for all objectives or one per objective.
        tau_max: botorch's smooth-max temperature on the unit-scaled objectives (the
            result approaches the exact expectation as it goes to 0).

    Returns:
        Expected hypervolume improvement per candidate, in the product of the
        objectives' units (``exp`` of botorch's log-EHVI times the scales), averaged over
        every member with equal weight.
    """
    vals, obs, ref, scale = _prepare(members, observed, ref_point, directions)
    acq, torch = _acquisition(vals, obs, ref, tau_max)
    log_ehvi = _evaluate(acq, torch, np.arange(vals.shape[0], dtype=np.int64), ())
    return np.exp(log_ehvi) * float(np.prod(scale))


def select_ehvi_batch(
    members: ArrayLike,
    *,
    observed: ArrayLike,
    ref_point: ArrayLike,
    size: int,
    directions: Directions = "maximize",
    mask: ArrayLike | None = None,
    tau_max: float = 1e-3,
) -> IntArray:
    """Greedy sequential q-EHVI batch: each pick maximises the joint EHVI of the batch so
    far plus the candidate (earlier picks are botorch ``X_pending``; the members are
    jointly consistent, member k predicts every point of the batch).

    Returns:
        Candidate indices in pick order.
    """
    vals, obs, ref, _ = _prepare(members, observed, ref_point, directions)
    n = vals.shape[0]
    allowed = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool).copy()
    if allowed.shape != (n,):
        raise RankingInputError(f"mask has {allowed.size} entries for {n} candidates")
    if size < 1 or size > int(allowed.sum()):
        raise RankingInputError(f"cannot pick {size} of {int(allowed.sum())} allowed candidates")
    acq, torch = _acquisition(vals, obs, ref, tau_max)
    picks: list[int] = []
    for _ in range(size):
        idx = np.flatnonzero(allowed).astype(np.int64)
        score = _evaluate(acq, torch, idx, picks)
        j = int(idx[int(np.argmax(score))])
        picks.append(j)
        allowed[j] = False
    return np.asarray(picks, dtype=np.int64)
