"""Predicted versus measured: parity metrics and recalibration from a group's own data.

A research group measures some of the materials it predicted. :func:`parity_metrics`
compares the two (MAE, RMSE, bias, coverage of the predicted 95 % interval, rank
correlation); :func:`fit_recalibration` learns a correction of the model from those
measurements and returns a :class:`Recalibration` that can be stored as JSON and applied
to any later prediction of the same property.

Two kinds of correction, chosen by cross-validation on the group's own data:

* ``"linear"``: ``measured ~ a + b * predicted`` fitted by least absolute deviations
  (median regression, robust to outliers; least squares is pulled by the few large
  misses) with the slope clipped to ``[0.5, 2]``, or a plain shift (``b = 1``) when that
  cross-validates better (few points);
* ``"residual_model"``: the linear correction plus a small, regularised LightGBM model
  (L1 loss, one thread) of what remains, on the composition features of
  :mod:`matdiscover.science.featurize` and the raw prediction and its sigma. Fitted only
  with at least :data:`MIN_RESIDUAL_MODEL` measurements and kept only when its K-fold
  cross-validated MAE is lower than the linear correction's.

Either way the uncertainty is re-calibrated: ``sigma' = sqrt((s * sigma)^2 + tau^2)``
with ``s`` and ``tau`` chosen on out-of-fold residuals by the 95 % interval score, so
that ``mean +- 1.96 sigma'`` covers about 95 % of measured values. Values of properties
that cannot be negative (band gap, moduli, Debye temperature, energy above hull) are
clipped at zero, which also keeps predicted metals at a zero gap.

Example:
    >>> m = parity_metrics([1.0, 2.0, 4.0], [1.5, 2.0, 3.0], sigma=[0.5, 0.5, 0.5])
    >>> m.n, m.mae, round(m.bias, 4), round(m.coverage95, 4)
    (3, 0.5, 0.1667, 0.6667)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from matdiscover.errors import InvalidInput

__all__ = [
    "MIN_MEASUREMENTS",
    "MIN_RESIDUAL_MODEL",
    "NotEnoughMeasurements",
    "ParityMetrics",
    "Recalibration",
    "fit_recalibration",
    "parity_metrics",
]

FloatArray = npt.NDArray[np.float64]
Kind = Literal["linear", "residual_model"]

Z95 = 1.959963984540054
#: Fewest measurements a recalibration is fitted on.
MIN_MEASUREMENTS = 5
#: Fewest measurements (with parseable formulas) before a residual model is tried.
MIN_RESIDUAL_MODEL = 50
SLOPE_BOUNDS = (0.5, 2.0)
N_FOLDS = 5
#: Properties whose values cannot be negative: corrected values are clipped at 0.
NONNEGATIVE = frozenset(
    {"band_gap", "bulk_modulus", "shear_modulus", "debye_temperature", "energy_above_hull"}
)
FORMAT_VERSION = 1
_LGBM_PARAMS: dict[str, Any] = {
    "objective": "l1",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
_LGBM_ROUNDS = 300


class NotEnoughMeasurements(InvalidInput, ValueError):
    """Too few measurements to fit a recalibration."""


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class ParityMetrics:
    """Predicted versus measured values of one property.

    Attributes:
        n: number of pairs.
        mae: mean absolute error.
        rmse: root mean squared error.
        bias: mean of predicted - measured (negative: the model predicts too low).
        coverage95: share of measured values inside ``mean +- 1.96 sigma`` (sigma combined
            in quadrature with the measurement uncertainty when given); ``None`` without
            sigma.
        spearman: Spearman rank correlation of predicted and measured values; ``None``
            for fewer than 3 pairs or constant values.
    """

    n: int
    mae: float
    rmse: float
    bias: float
    coverage95: float | None
    spearman: float | None


def _array(name: str, values: ArrayLike, n: int | None = None) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} values, expected {n}")
    return arr


def _reject_nan(**arrays: FloatArray) -> None:
    bad = np.zeros(next(iter(arrays.values())).shape[0], dtype=bool)
    for arr in arrays.values():
        bad |= ~np.isfinite(arr)
    if bad.any():
        names = ", ".join(arrays)
        raise ValueError(
            f"{int(bad.sum())} of {bad.size} rows have NaN or infinite values in {names}; "
            "drop them first"
        )


def _uncertainty(values: ArrayLike | None, n: int) -> FloatArray:
    """Measurement uncertainties (1 sigma); missing (None/NaN) counts as 0."""
    if values is None:
        return np.zeros(n)
    arr = _array("measured_uncertainty", values, n)
    if (arr < 0).any():
        raise ValueError("measured_uncertainty must not be negative")
    return np.where(np.isfinite(arr), arr, 0.0)


def _spearman(a: FloatArray, b: FloatArray) -> float | None:
    from scipy.stats import rankdata

    if a.size < 3:
        return None
    ra, rb = rankdata(a) - (a.size + 1) / 2, rankdata(b) - (b.size + 1) / 2
    denom = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return None if denom == 0 else float(ra @ rb) / denom


def parity_metrics(
    predicted: ArrayLike,
    measured: ArrayLike,
    sigma: ArrayLike | None = None,
    measured_uncertainty: ArrayLike | None = None,
) -> ParityMetrics:
    """Parity metrics of predicted against measured values.

    Args:
        predicted: predicted values.
        measured: measured values, same length and unit.
        sigma: predicted standard deviations (for the 95 % interval coverage).
        measured_uncertainty: measurement standard uncertainties; NaN means unknown (0).

    Raises:
        ValueError: lengths differ, no rows, or rows with NaN/inf (the count is named).

    Example:
        >>> m = parity_metrics([0.0, 1.0, 3.0], [0.0, 2.0, 1.0])
        >>> m.mae, m.rmse, m.bias, m.coverage95
        (1.0, 1.2909944487358056, 0.3333333333333333, None)
        >>> parity_metrics([1.0, 2.0], [1.0, 2.5], sigma=[0.1, 0.2]).coverage95
        0.5
        >>> parity_metrics([1.0, 2.0], [1.0, 2.5], sigma=[0.1, 0.2],
        ...                measured_uncertainty=[0.0, 0.2]).coverage95
        1.0
    """
    pred = _array("predicted", predicted)
    meas = _array("measured", measured, pred.shape[0])
    if pred.size == 0:
        raise ValueError("no rows to compare")
    arrays = {"predicted": pred, "measured": meas}
    sig = None if sigma is None else _array("sigma", sigma, pred.shape[0])
    if sig is not None:
        arrays["sigma"] = sig
    _reject_nan(**arrays)
    err = pred - meas
    coverage = None
    if sig is not None:
        unc = _uncertainty(measured_uncertainty, pred.size)
        half = Z95 * np.sqrt(sig**2 + unc**2)
        coverage = float(np.mean(np.abs(err) <= half))
    return ParityMetrics(
        n=int(pred.size),
        mae=float(np.mean(np.abs(err))),
        rmse=float(np.sqrt(np.mean(err**2))),
        bias=float(np.mean(err)),
        coverage95=coverage,
        spearman=_spearman(pred, meas),
    )


# --------------------------------------------------------------------- recalibration


@dataclass(frozen=True)
class Recalibration:
    """A correction of one property's predictions learned from measurements.

    Attributes:
        property: property key, e.g. ``"band_gap"``.
        kind: ``"linear"`` or ``"residual_model"``.
        n_measurements: number of measurements it was fitted on ("recalibrated on N").
        params: JSON-able parameters: ``intercept``, ``slope``, ``lower_bound`` (``None``
            or 0), ``sigma_floor`` (tau), ``linear_variant`` (``"l1"`` or ``"shift"``) and
            for residual models ``booster`` (LightGBM model text) and ``n_features``.
        sigma_scale: ``s`` in ``sigma' = sqrt((s * sigma)^2 + tau^2)``.
        cv_mae_raw: MAE of the raw predictions on the measurements.
        cv_mae: K-fold cross-validated MAE of the correction on the measurements.
        cv_coverage95: out-of-fold coverage of the recalibrated 95 % interval.
        created_with: how it was made, for people.
    """

    property: str
    kind: Kind
    n_measurements: int
    params: dict[str, Any] = field(repr=False)
    sigma_scale: float
    cv_mae_raw: float
    cv_mae: float
    cv_coverage95: float
    created_with: str

    def apply(
        self, formulas: Sequence[str], mean: ArrayLike, sigma: ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Recalibrated ``(mean, sigma)`` for raw predictions of :attr:`property`.

        ``formulas`` are only read by residual models; rows whose formula cannot be
        featurised get the linear part of the correction. NaN inputs stay NaN.

        Example:
            >>> r = Recalibration("band_gap", "linear", 10, {"intercept": 0.5, "slope": 2.0,
            ...     "lower_bound": 0.0, "sigma_floor": 0.3}, 1.5, 1.0, 0.5, 0.9, "example")
            >>> mean, sigma = r.apply(["NaCl", "Si"], [1.0, -1.0], [0.4, 0.0])
            >>> mean.tolist(), sigma.round(3).tolist()
            ([2.5, 0.0], [0.671, 0.3])
        """
        mu = _array("mean", mean)
        sig = _array("sigma", sigma, mu.shape[0])
        if len(formulas) != mu.shape[0]:
            raise ValueError(f"formulas has {len(formulas)} values, expected {mu.shape[0]}")
        out = float(self.params["intercept"]) + float(self.params["slope"]) * mu
        booster = self.params.get("booster")
        if self.kind == "residual_model" and booster and mu.size:
            feats, rows = _features(formulas, mu, sig)
            if rows.size:
                out[rows] += _booster(str(booster)).predict(feats, num_threads=1)
        lower = self.params.get("lower_bound")
        if lower is not None:
            out = np.where(np.isnan(out), out, np.maximum(out, float(lower)))
        tau = float(self.params["sigma_floor"])
        return out, np.sqrt((self.sigma_scale * sig) ** 2 + tau**2)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (``from_json(r.to_json()) == r``)."""
        data = asdict(self)
        data["params"] = dict(self.params)
        data["format_version"] = FORMAT_VERSION
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recalibration:
        """Rebuild from :meth:`to_json` output; ``ValueError`` on anything else."""
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported recalibration format {data.get('format_version')!r}")
        if data.get("kind") not in ("linear", "residual_model"):
            raise ValueError(f"unknown recalibration kind {data.get('kind')!r}")
        params = data.get("params")
        needed = {"intercept", "slope", "lower_bound", "sigma_floor"}
        if not isinstance(params, dict) or not needed <= params.keys():
            raise ValueError(f"recalibration params must hold {sorted(needed)}")
        if data["kind"] == "residual_model" and not isinstance(params.get("booster"), str):
            raise ValueError("a residual_model recalibration needs its booster")
        try:
            return cls(
                property=str(data["property"]),
                kind=data["kind"],
                n_measurements=int(data["n_measurements"]),
                params=dict(params),
                sigma_scale=float(data["sigma_scale"]),
                cv_mae_raw=float(data["cv_mae_raw"]),
                cv_mae=float(data["cv_mae"]),
                cv_coverage95=float(data["cv_coverage95"]),
                created_with=str(data["created_with"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"incomplete recalibration: {exc}") from exc


@lru_cache(maxsize=16)
def _booster(text: str) -> Any:
    import lightgbm as lgb

    return lgb.Booster(model_str=text)


def _features(
    formulas: Sequence[str], mean: FloatArray, sigma: FloatArray
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Residual-model inputs (raw mean, raw sigma, composition features) of valid rows."""
    from matdiscover.science.featurize import featurize_compositions

    batch = featurize_compositions([str(f) for f in formulas])
    rows = batch.rows
    feats = np.column_stack([mean[rows], sigma[rows], batch.features])
    keep = np.isfinite(mean[rows]) & np.isfinite(sigma[rows])
    return feats[keep], rows[keep]


# ----------------------------------------------------------------------------- fitting


def fit_l1_line(
    x: FloatArray, y: FloatArray, slope_bounds: tuple[float, float] = SLOPE_BOUNDS
) -> tuple[float, float]:
    """Least-absolute-deviations line ``y ~ a + b x`` with ``b`` in ``slope_bounds``.

    Solved exactly as a linear programme (HiGHS), so the result is deterministic.

    Example:
        >>> a, b = fit_l1_line(np.array([1.0, 2, 3, 4]), np.array([1.5, 3, 4.5, 50]))
        >>> round(a, 9) + 0.0, round(b, 9)
        (0.0, 1.5)
    """
    from scipy import sparse
    from scipy.optimize import linprog

    n = x.size
    cost = np.concatenate([[0.0, 0.0], np.ones(2 * n)])
    eye = sparse.identity(n, format="csr")
    a_eq = sparse.hstack(
        [sparse.csr_matrix(np.column_stack([np.ones(n), x])), eye, -eye], format="csr"
    )
    bounds = [(None, None), slope_bounds] + [(0.0, None)] * (2 * n)
    res = linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    if not res.success:  # pragma: no cover - an L1 line always exists
        raise RuntimeError(f"L1 line fit failed: {res.message}")
    return float(res.x[0]), float(res.x[1])


def _folds(formulas: Sequence[str], n_folds: int, seed: int) -> npt.NDArray[np.int64]:
    """Fold index per row; rows of one reduced formula share a fold (no leak)."""
    from matdiscover.errors import InvalidComposition
    from matdiscover.science.featurize import reduced_formula_key

    keys = []
    for f in formulas:
        try:
            keys.append(reduced_formula_key(str(f)))
        except InvalidComposition:
            keys.append(str(f))
    unique = sorted(set(keys))
    if len(unique) < n_folds:  # e.g. repeated measurements of few compounds
        keys, unique = [str(i) for i in range(len(keys))], [str(i) for i in range(len(keys))]
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {unique[j]: k % n_folds for k, j in enumerate(order)}
    return np.array([fold_of[k] for k in keys], dtype=np.int64)


def _clip(values: FloatArray, lower: float | None) -> FloatArray:
    return values if lower is None else np.maximum(values, lower)


def _line(x: FloatArray, y: FloatArray, variant: str) -> tuple[float, float]:
    if variant == "shift":
        return float(np.median(y - x)), 1.0
    return fit_l1_line(x, y)


def _fit_booster(feats: FloatArray, target: FloatArray, seed: int) -> Any:
    import lightgbm as lgb

    params = dict(_LGBM_PARAMS, seed=seed)
    data = lgb.Dataset(feats, target, params={"verbose": -1})
    return lgb.train(params, data, num_boost_round=_LGBM_ROUNDS)


def calibrate_sigma(
    residual: FloatArray, sigma: FloatArray, uncertainty: FloatArray
) -> tuple[float, float]:
    """``(s, tau)`` minimising the mean 95 % interval score of ``mean +- 1.96 sigma'``.

    ``sigma' = sqrt((s sigma)^2 + tau^2)``, combined with the measurement uncertainty in
    quadrature; the interval score (width plus 40 times any miss) is a proper scoring
    rule whose optimum covers about 95 %.

    Example:
        >>> r = np.linspace(-1.0, 1.0, 201)  # residuals spread evenly over [-1, 1]
        >>> s, tau = calibrate_sigma(r, np.full(201, 0.1), np.zeros(201))
        >>> round(float(np.mean(np.abs(r) <= Z95 * np.hypot(s * 0.1, tau))), 2)
        0.95
    """
    scale = float(np.median(np.abs(residual))) or float(np.mean(np.abs(residual))) or 1e-6
    s_grid = np.concatenate([[0.0], np.geomspace(0.2, 10.0, 60)])
    tau_grid = scale * np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0])
    best, best_score = (1.0, scale), math.inf
    abs_r = np.abs(residual)
    for tau in tau_grid:
        for s in s_grid:
            if s == 0.0 and tau == 0.0:
                continue
            half = Z95 * np.sqrt((s * sigma) ** 2 + tau**2 + uncertainty**2)
            score = float(np.mean(2 * half + 40.0 * np.maximum(abs_r - half, 0.0)))
            if score < best_score - 1e-12:
                best, best_score = (float(s), float(tau)), score
    return best


def fit_recalibration(
    property: str,
    formulas: Sequence[str],
    predicted_mean: ArrayLike,
    predicted_sigma: ArrayLike,
    measured: ArrayLike,
    measured_uncertainty: ArrayLike | None = None,
    *,
    seed: int = 0,
) -> Recalibration:
    """Learn a correction of ``property`` predictions from measurements.

    Args:
        property: property key (values of non-negative properties are clipped at 0).
        formulas: formula of each measured material (folds group equal reduced
            formulas; the residual model reads their composition features).
        predicted_mean: raw predictions, in the unit of ``measured``.
        predicted_sigma: raw predicted standard deviations.
        measured: measured values.
        measured_uncertainty: measurement standard uncertainties (NaN: unknown).
        seed: seed of the fold assignment and the residual model (same seed, same result).

    Raises:
        NotEnoughMeasurements: fewer than :data:`MIN_MEASUREMENTS` rows (a ``ValueError``).
        ValueError: lengths differ or rows hold NaN/inf (the count is named).

    Example:
        >>> x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
        >>> r = fit_recalibration("formation_energy", ["NaCl"] * 6, x, [0.1] * 6,
        ...                       0.5 + 2.0 * x)
        >>> r.kind, round(r.params["intercept"], 6), round(r.params["slope"], 6)
        ('linear', 0.5, 2.0)
    """
    pred = _array("predicted_mean", predicted_mean)
    n = pred.shape[0]
    sig = _array("predicted_sigma", predicted_sigma, n)
    meas = _array("measured", measured, n)
    if len(formulas) != n:
        raise ValueError(f"formulas has {len(formulas)} values, expected {n}")
    _reject_nan(predicted_mean=pred, predicted_sigma=sig, measured=meas)
    if n < MIN_MEASUREMENTS:
        raise NotEnoughMeasurements(
            f"a recalibration needs at least {MIN_MEASUREMENTS} measurements of {property}; got {n}"
        )
    unc = _uncertainty(measured_uncertainty, n)
    lower = 0.0 if property in NONNEGATIVE else None
    folds = _folds(formulas, min(N_FOLDS, n), seed)
    n_folds = int(folds.max()) + 1

    # 1. linear: L1 line or plain shift, whichever cross-validates better
    oof: dict[str, FloatArray] = {v: np.empty(n) for v in ("l1", "shift")}
    for k in range(n_folds):
        test, train = folds == k, folds != k
        for variant, out in oof.items():
            a, b = _line(pred[train], meas[train], variant)
            out[test] = _clip(a + b * pred[test], lower)
    cv = {v: float(np.mean(np.abs(o - meas))) for v, o in oof.items()}
    variant = "l1" if cv["l1"] <= cv["shift"] else "shift"
    kind: Kind = "linear"
    best_oof = oof[variant]
    intercept, slope = _line(pred, meas, variant)
    booster_text: str | None = None
    n_features = 0

    # 2. residual model on composition features, kept only when it cross-validates better
    feats, rows = _features(formulas, pred, sig)
    if rows.size >= MIN_RESIDUAL_MODEL:
        res_oof = best_oof.copy()
        fold_rows = folds[rows]
        for k in range(n_folds):
            test, train = fold_rows == k, fold_rows != k
            if not test.any():
                continue
            a, b = _line(pred[rows[train]], meas[rows[train]], variant)
            target = meas[rows[train]] - (a + b * pred[rows[train]])
            booster = _fit_booster(feats[train], target, seed)
            corr = a + b * pred[rows[test]] + booster.predict(feats[test], num_threads=1)
            res_oof[rows[test]] = _clip(corr, lower)
        res_cv = float(np.mean(np.abs(res_oof - meas)))
        if res_cv < cv[variant]:
            kind, best_oof = "residual_model", res_oof
            target = meas[rows] - (intercept + slope * pred[rows])
            booster_text = str(_fit_booster(feats, target, seed).model_to_string())
            n_features = int(feats.shape[1])

    # 3. sigma on the chosen correction's out-of-fold residuals
    s, tau = calibrate_sigma(meas - best_oof, sig, unc)
    half = Z95 * np.sqrt((s * sig) ** 2 + tau**2 + unc**2)
    params: dict[str, Any] = {
        "intercept": intercept,
        "slope": slope,
        "lower_bound": lower,
        "sigma_floor": tau,
        "linear_variant": variant,
    }
    how = (
        "least-absolute-deviations line measured ~ a + b*predicted (slope in [0.5, 2])"
        if variant == "l1"
        else "median shift measured ~ a + predicted"
    )
    if kind == "residual_model":
        params.update(booster=booster_text, n_features=n_features)
        how += (
            f" plus a LightGBM residual model (L1 loss, {_LGBM_ROUNDS} rounds of 7 leaves) on "
            "the raw prediction, its sigma and Magpie-style composition features"
        )
    how += (
        f"; chosen by {n_folds}-fold cross-validation grouped by reduced formula (seed {seed})"
        "; sigma' = sqrt((s*sigma)^2 + tau^2) fitted on out-of-fold residuals by the 95 %"
        " interval score"
    )
    if lower is not None:
        how += "; values clipped at 0"
    return Recalibration(
        property=property,
        kind=kind,
        n_measurements=n,
        params=params,
        sigma_scale=s,
        cv_mae_raw=float(np.mean(np.abs(pred - meas))),
        cv_mae=float(np.mean(np.abs(best_oof - meas))),
        cv_coverage95=float(np.mean(np.abs(meas - best_oof) <= half)),
        created_with=how,
    )
