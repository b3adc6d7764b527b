"""Refitting the shipped model's predictions on a campaign's observed results.

Per objective property, in this order:

1. the project's enabled recalibration of that property (fitted on its measurements),
2. with at least ``MIN_MEASUREMENTS`` (5) results, a recalibration fitted on them
   (:func:`matdiscover.science.recalibration.fit_recalibration`: a linear correction of the
   model's mean, with a residual model over composition features, mean and σ from 50
   results; σ rescaled to the out-of-fold errors),
3. with 1 to 4 results, a shift of the mean by the median residual (σ widened by the
   residuals' spread),
4. otherwise the model's own mean and σ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matdiscover.science.recalibration import MIN_MEASUREMENTS, fit_recalibration

FloatArray = NDArray[np.float64]


def refit(
    prop: str,
    formulas: Sequence[str],
    mean: FloatArray,
    std: FloatArray,
    observed: Sequence[tuple[int, float, float | None]],
    *,
    project_recalibration: Any | None = None,
    model_name: str = "",
) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    """Corrected ``(mean, std)`` over the pool and what was done.

    ``observed`` holds ``(pool index, value, uncertainty)``; ``project_recalibration`` is
    the project's enabled ``Active`` recalibration of ``prop`` (or ``None``).
    """
    if project_recalibration is not None and project_recalibration.applies_to(model_name):
        m, s = project_recalibration.model.apply(list(formulas), mean, std)
        row = project_recalibration.row
        return (
            np.asarray(m, dtype=np.float64),
            np.asarray(s, dtype=np.float64),
            {
                "kind": "project_recalibration",
                "recalibration_id": row.id,
                "version": row.version,
                "n_measurements": row.n_measurements,
            },
        )
    rows = [(i, v, u) for i, v, u in observed if np.isfinite(mean[i]) and np.isfinite(std[i])]
    n = len(rows)
    if n == 0:
        return mean, std, {"kind": "none", "n_results": 0}
    idx = np.array([i for i, _, _ in rows], dtype=np.int64)
    values = np.array([v for _, v, _ in rows], dtype=np.float64)
    if n >= MIN_MEASUREMENTS:
        unc = [np.nan if u is None else u for _, _, u in rows]
        fitted = fit_recalibration(
            prop, [formulas[i] for i in idx], mean[idx], std[idx], values, unc
        )
        m, s = fitted.apply(list(formulas), mean, std)
        return (
            np.asarray(m, dtype=np.float64),
            np.asarray(s, dtype=np.float64),
            {
                "kind": "surrogate",
                "fitted": fitted.kind,
                "n_results": n,
                "cv_mae_raw": fitted.cv_mae_raw,
                "cv_mae": fitted.cv_mae,
            },
        )
    resid = values - mean[idx]
    shift = float(np.median(resid))
    spread = float(resid.std(ddof=1)) if n > 1 else 0.0
    return (
        mean + shift,
        np.sqrt(std**2 + spread**2),
        {"kind": "shift", "n_results": n, "shift": shift, "spread": spread},
    )
