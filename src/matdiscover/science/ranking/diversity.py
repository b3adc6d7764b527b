"""Batch selection with a diversity penalty: do not spend a batch on near-duplicates.

Greedy and deterministic: the first pick is the best score; every next pick maximises
``score - penalty * max(similarity to the candidates already picked)`` (ties: lowest
index). Similarity comes from cosine similarity of composition fraction vectors, or from a
given matrix or function.

>>> batch = select_diverse_batch(
...     [1.0, 0.95, 0.6], size=2, formulas=["LiMnO2", "LiMnO2", "NaCl"], penalty=1.0
... )
>>> batch.indices.tolist()
[0, 2]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pymatgen.core import Composition

from matdiscover.science.ranking.acquisition import FloatArray, IntArray, check_vector
from matdiscover.science.ranking.errors import RankingInputError

#: a function giving the similarity of every candidate to candidate ``j`` (shape ``(n,)``)
SimilarityFunction = Callable[[int], ArrayLike]


def composition_vectors(formulas: Sequence[str]) -> FloatArray:
    """Atomic-fraction vectors over the union of the elements (columns sorted by symbol).

    >>> composition_vectors(["NaCl", "Na2O"]).round(3).tolist()
    [[0.5, 0.5, 0.0], [0.0, 0.667, 0.333]]
    """
    comps = []
    for f in formulas:
        try:
            comps.append(Composition(f).fractional_composition)
        except Exception as exc:  # pymatgen raises several types for bad formulas
            raise RankingInputError(f"formula {f!r} could not be parsed ({exc})") from exc
    symbols = sorted({el.symbol for c in comps for el in c.elements})
    col = {s: k for k, s in enumerate(symbols)}
    out = np.zeros((len(comps), len(symbols)))
    for i, c in enumerate(comps):
        for el, amt in c.items():
            out[i, col[el.symbol]] = amt
    return out


def cosine_similarity(vectors: ArrayLike) -> FloatArray:
    """Pairwise cosine similarity of row vectors (zero rows have similarity 0).

    >>> cosine_similarity([[1.0, 0.0], [1.0, 1.0]]).round(4).tolist()
    [[1.0, 0.7071], [0.7071, 1.0]]
    """
    v = np.asarray(vectors, dtype=np.float64)
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    unit = np.divide(v, norm, out=np.zeros_like(v), where=norm > 0)
    return unit @ unit.T


@dataclass(frozen=True)
class DiverseBatch:
    """A batch chosen by :func:`select_diverse_batch`.

    Attributes:
        indices: chosen candidate indices in pick order.
        adjusted_scores: the penalised score of each pick at the moment it was chosen.
        max_similarity: its largest similarity to the earlier picks (0 for the first).
    """

    indices: IntArray
    adjusted_scores: FloatArray
    max_similarity: FloatArray


def select_diverse_batch(
    scores: ArrayLike,
    *,
    size: int,
    penalty: float = 0.5,
    formulas: Sequence[str] | None = None,
    similarity: ArrayLike | SimilarityFunction | None = None,
    mask: ArrayLike | None = None,
) -> DiverseBatch:
    """Greedy diverse batch: ``score - penalty * max similarity to the picked``.

    Args:
        scores: acquisition score per candidate, higher is better (``penalty`` is in the
            same units).
        size: number of candidates to pick.
        penalty: lambda, the weight of the similarity penalty (0 = plain top-k).
        formulas: candidate formulas; the similarity is then the cosine similarity of
            their atomic-fraction vectors.
        similarity: instead of ``formulas``, an ``(n, n)`` similarity matrix or a function
            returning the similarities of all candidates to candidate ``j``.
        mask: ``False`` for candidates that may not be picked (e.g. constraints).

    Raises:
        RankingInputError: bad scores, sizes or similarity input, or fewer allowed
            candidates than ``size``.
    """
    s = check_vector(scores, "scores")
    n = s.size
    if not np.isfinite(penalty) or penalty < 0:
        raise RankingInputError(f"penalty must be a finite number >= 0, got {penalty}")
    allowed = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool).copy()
    if allowed.shape != (n,):
        raise RankingInputError(f"mask has {allowed.size} entries for {n} candidates")
    if size < 1 or size > int(allowed.sum()):
        raise RankingInputError(f"cannot pick {size} of {int(allowed.sum())} allowed candidates")
    if (formulas is None) == (similarity is None):
        raise RankingInputError("give exactly one of formulas or similarity")

    column: Callable[[int], NDArray[np.float64]]
    if formulas is not None:
        if len(formulas) != n:
            raise RankingInputError(f"{len(formulas)} formulas for {n} scores")
        v = composition_vectors(formulas)
        norm = np.linalg.norm(v, axis=1, keepdims=True)
        unit = np.divide(v, norm, out=np.zeros_like(v), where=norm > 0)

        def column(j: int) -> NDArray[np.float64]:
            return unit @ unit[j]

    elif callable(similarity):
        fn = similarity

        def column(j: int) -> NDArray[np.float64]:
            return np.asarray(fn(j), dtype=np.float64)

    else:
        matrix = np.asarray(similarity, dtype=np.float64)
        if matrix.shape != (n, n):
            raise RankingInputError(
                f"similarity matrix has shape {matrix.shape}, expected ({n}, {n})"
            )

        def column(j: int) -> NDArray[np.float64]:
            return matrix[:, j]

    max_sim = np.zeros(n)
    picks: list[int] = []
    adjusted: list[float] = []
    sims: list[float] = []
    for _ in range(size):
        value = np.where(allowed, s - penalty * max_sim, -np.inf)
        j = int(np.argmax(value))
        picks.append(j)
        adjusted.append(float(value[j]))
        sims.append(float(max_sim[j]))
        allowed[j] = False
        col = column(j)
        if col.shape != (n,) or not np.all(np.isfinite(col)):
            raise RankingInputError(f"similarity to candidate {j} is not {n} finite values")
        max_sim = np.maximum(max_sim, col)
    return DiverseBatch(np.asarray(picks, dtype=np.int64), np.asarray(adjusted), np.asarray(sims))
