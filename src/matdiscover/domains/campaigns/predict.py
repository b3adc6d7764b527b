"""The shipped composition models' predictions (mean, σ, applicability) over a pool."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: formulas predicted per step (progress is reported between steps)
PREDICT_CHUNK = 2500


@dataclass(frozen=True)
class PoolPredictions:
    """One property over the pool, in its catalogue unit (NaN where unpredictable)."""

    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    in_domain: NDArray[np.bool_]


def predict_pool(
    formulas: Sequence[str],
    properties: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, PoolPredictions]:
    """Predict ``properties`` for every formula, in chunks of :data:`PREDICT_CHUNK`;
    ``progress(done)`` after each chunk."""
    from matdiscover.science.models.composition import predict_compositions

    props = list(dict.fromkeys(properties))
    n = len(formulas)
    mean = {p: np.full(n, np.nan) for p in props}
    std = {p: np.full(n, np.nan) for p in props}
    dom = {p: np.zeros(n, dtype=bool) for p in props}
    for start in range(0, n, PREDICT_CHUNK):
        part = list(formulas[start : start + PREDICT_CHUNK])
        frame = predict_compositions(part, properties=props)
        end = start + len(part)
        for p in props:
            mean[p][start:end] = frame[p].to_numpy(dtype=np.float64)
            std[p][start:end] = frame[f"{p}_std"].to_numpy(dtype=np.float64)
            dom[p][start:end] = frame[f"{p}_in_domain"].fillna(False).to_numpy(dtype=bool)
        if progress is not None:
            progress(end)
    return {p: PoolPredictions(mean[p], std[p], dom[p]) for p in props}


def model_versions(properties: Sequence[str]) -> dict[str, str]:
    """``{property: "name/version"}`` of the models that predict them."""
    from matdiscover.science.models.composition import load_composition_model, load_hull_route

    out: dict[str, str] = {}
    for p in properties:
        if p == "energy_above_hull":
            route = load_hull_route()
            out[p] = f"{route.name}/{route.version}"
        else:
            model = load_composition_model(p)
            out[p] = f"{model.name}/{model.version}"
    return out
