"""The group's training rows of a fine-tune: validation (a clear error before any job
starts), the grouped held-out split, evaluation and single predictions with a given model.

Example:
    >>> formulas = ["NaCl", "ZnO", "GaN", "Si", "MgO", "Cu", "GaAs", "CdS", "TiO2", "Al2O3"]
    >>> gaps = [8.5, 3.4, 3.4, 1.1, 7.8, 0.0, 1.4, 2.4, 3.0, 8.8]
    >>> rows = check_training_rows("band_gap", formulas, gaps, ["eV"] * 10)
    >>> len(rows), rows.unit
    (10, 'eV')
    >>> check_training_rows("band_gap", formulas, [1.0] * 10, ["eV"] * 10)
    Traceback (most recent call last):
    ...
    matdiscover.errors.InvalidInput: every band_gap value is 1 eV: nothing to learn from
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matdiscover.errors import InvalidComposition, InvalidInput
from matdiscover.science.featurize import reduced_formula_key
from matdiscover.science.models.composition.ensemble import CompositionModel
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.properties import CATALOGUE

__all__ = [
    "FINETUNABLE",
    "MAX_TRAINING_ROWS",
    "MIN_TRAINING_ROWS",
    "TrainingRows",
    "check_training_rows",
    "evaluate",
    "holdout_split",
    "predict_with",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Fewest usable rows a fine-tune starts with.
MIN_TRAINING_ROWS = 10
#: Most rows a fine-tune accepts.
MAX_TRAINING_ROWS = 100_000
#: Properties that can be fine-tuned (``energy_above_hull`` is derived from the hull).
FINETUNABLE = tuple(p for p in PROPERTIES if p != "energy_above_hull")


@dataclass(frozen=True)
class TrainingRows:
    """The group's validated rows of one property (values in ``unit``)."""

    property: str
    unit: str
    formulas: tuple[str, ...]
    values: FloatArray

    def __len__(self) -> int:
        return len(self.formulas)

    def fingerprint(self) -> str:
        """sha256 of the sorted ``(formula, value)`` rows: equal data, equal print."""
        rows = sorted(zip(self.formulas, (f"{v:.6g}" for v in self.values), strict=True))
        payload = json.dumps([self.property, self.unit, rows]).encode()
        return hashlib.sha256(payload).hexdigest()


def check_training_rows(
    prop: str,
    formulas: Sequence[str | None],
    values: Sequence[float | None],
    units: Sequence[str | None],
) -> TrainingRows:
    """Validate a group's rows before any training starts.

    Raises:
        InvalidInput: unknown or not fine-tunable property; no rows; too many rows; a
            missing or non-finite value; a unit other than the property's (catalogue) unit;
            fewer than :data:`MIN_TRAINING_ROWS` rows with a formula; a constant target;
            a log-trained property with a value <= 0; a classifier property whose rows are
            all one class.
    """
    if prop not in FINETUNABLE:
        raise InvalidInput(
            f"cannot fine-tune {prop!r}; choose one of {', '.join(sorted(FINETUNABLE))}"
        )
    spec = PROPERTIES[prop]
    unit = CATALOGUE[spec.key].unit
    n = len(values)
    if n == 0:
        raise InvalidInput(f"no {prop} measurements to train on")
    if n > MAX_TRAINING_ROWS:
        raise InvalidInput(f"{n:,} rows; a fine-tune takes at most {MAX_TRAINING_ROWS:,}")
    bad_units = sorted({str(u) for u in units if (u or "").strip() != unit})
    if bad_units:
        raise InvalidInput(
            f"{prop} is trained in {unit}; found measurements in {', '.join(bad_units)} "
            "(convert them first)"
        )
    nan_rows = [i + 1 for i, v in enumerate(values) if v is None or not math.isfinite(float(v))]
    if nan_rows:
        raise InvalidInput(
            f"{len(nan_rows)} {prop} value(s) are missing or not finite (rows {nan_rows[:10]})"
        )
    keep = [i for i, f in enumerate(formulas) if f and f.strip()]
    if len(keep) < MIN_TRAINING_ROWS:
        raise InvalidInput(
            f"{len(keep)} {prop} measurement(s) with a formula; a fine-tune needs at least "
            f"{MIN_TRAINING_ROWS}"
        )
    vals = np.array([float(values[i]) for i in keep], dtype=np.float64)  # type: ignore[arg-type]
    if np.ptp(vals) == 0.0:
        raise InvalidInput(f"every {prop} value is {vals[0]:g} {unit}: nothing to learn from")
    if spec.transform == "log10" and (vals <= 0).any():
        raise InvalidInput(f"{prop} values must be positive (trained on log10)")
    if spec.metal_classifier is not None:
        metals = int((vals <= 0).sum())
        if metals == 0 and (vals > 0).sum() < MIN_TRAINING_ROWS:
            raise InvalidInput(f"too few non-zero {prop} values")
        if metals == len(vals):
            raise InvalidInput(f"every {prop} value is 0 (one class): nothing to learn from")
    forms = tuple(str(formulas[i]).strip() for i in keep)
    return TrainingRows(property=prop, unit=unit, formulas=forms, values=vals)


def holdout_split(
    formulas: Sequence[str], *, fraction: float, seed: int
) -> tuple[IntArray, IntArray]:
    """``(train, held_out)`` row indices, grouped by reduced formula (a formula's rows are
    all on one side). At least one group is held out and at least one trains.

    Example:
        >>> tr, ho = holdout_split(["NaCl", "ClNa", "ZnO", "GaN", "MgO"], fraction=0.4, seed=0)
        >>> sorted(tr.tolist() + ho.tolist())
        [0, 1, 2, 3, 4]
    """
    keys = np.array([_group(f) for f in formulas])
    groups = np.unique(keys)
    rng = np.random.default_rng(seed)
    n_hold = min(max(1, round(fraction * len(groups))), len(groups) - 1)
    held = set(rng.permutation(groups)[:n_hold].tolist())
    mask = np.array([k in held for k in keys])
    return np.flatnonzero(~mask).astype(np.int64), np.flatnonzero(mask).astype(np.int64)


def _group(formula: str) -> str:
    try:
        return reduced_formula_key(formula)
    except Exception:  # unparseable rows are dropped later; keep them apart
        return f"?{formula}"


def evaluate(model: CompositionModel, formulas: Sequence[str], truth: FloatArray) -> dict[str, Any]:
    """MAE, RMSE and 95 % interval coverage of ``model`` on rows (values in unit)."""
    pred = model.predict(list(formulas))
    ok = np.isfinite(pred.value)
    err = pred.value[ok] - truth[ok]
    inside = (truth[ok] >= pred.low95[ok]) & (truth[ok] <= pred.high95[ok])
    return {
        "n": int(ok.sum()),
        "mae": float(np.mean(np.abs(err))) if ok.any() else float("nan"),
        "rmse": float(np.sqrt(np.mean(err**2))) if ok.any() else float("nan"),
        "coverage95": float(np.mean(inside)) if ok.any() else float("nan"),
    }


def predict_with(model: CompositionModel, formula: str) -> PropertyPrediction:
    """One formula's prediction by ``model`` (a fine-tuned or any loaded composition model),
    shaped like :func:`~matdiscover.science.models.composition.predict_composition`'s.

    Raises:
        InvalidComposition: the formula cannot be featurised.
    """
    pred = model.predict([formula])
    if pred.errors[0] is not None:
        raise InvalidComposition(pred.errors[0])
    details: dict[str, Any] = {}
    if pred.p_metal is not None and model.metal_gate is not None:
        pm = float(pred.p_metal[0])
        details = {"p_metal": pm, "metal": bool(pm >= model.metal_gate.threshold)}
    return PropertyPrediction(
        property=model.spec.key,
        value=float(pred.value[0]),
        unit=pred.unit,
        std=float(pred.std[0]),
        interval_95=(float(pred.low95[0]), float(pred.high95[0])),
        method="composition",
        model=model.name,
        model_version=model.version,
        warnings=pred.warnings[0],
        in_domain=bool(pred.in_domain[0]),
        details=details,
    )
