"""Batch and single-formula predictions for all composition-model properties."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from matdiscover.errors import InvalidComposition, NotFound
from matdiscover.science.featurize import featurize_compositions
from matdiscover.science.models.composition.ensemble import load_composition_model
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.models.types import PropertyPrediction

__all__ = ["predict_composition", "predict_compositions"]


def _check(properties: Sequence[str] | None) -> list[str]:
    props = list(PROPERTIES) if properties is None else list(properties)
    unknown = [p for p in props if p not in PROPERTIES]
    if unknown:
        raise NotFound(f"unknown properties {unknown}; known: {sorted(PROPERTIES)}")
    return props


def predict_compositions(
    formulas: Sequence[str],
    *,
    properties: Sequence[str] | None = None,
    root: Path | str | None = None,
) -> pd.DataFrame:
    """Predict properties for many formulas at once (features computed once).

    Args:
        formulas: chemical formulas.
        properties: subset of :data:`PROPERTIES` keys; all six by default.
        root: optional data directory.

    Returns:
        One row per input formula, in input order, with columns ``formula``, ``error``
        (``None`` when valid) and, for each property ``p``: ``p`` (value in the unit of
        ``PROPERTIES[p].unit``), ``p_std``, ``p_low95``, ``p_high95``, ``p_in_domain``,
        ``p_warnings`` (``"; "``-joined, empty when none). Invalid rows have ``NaN``.

    Example:
        >>> df = predict_compositions(["NaCl", "Fe2O3"], properties=["band_gap"])
        >>> list(df.columns)[:3]
        ['formula', 'error', 'band_gap']
    """
    props = _check(properties)
    base = Path(root) if root is not None else None
    batch = featurize_compositions(formulas, root=base)
    n = len(formulas)
    errors: list[str | None] = [None] * n
    for row, msg in batch.errors:
        errors[row] = msg
    cols: dict[str, object] = {"formula": list(formulas), "error": errors}
    for p in props:
        pred = load_composition_model(p, root=base).predict_features(batch, n)
        cols[p] = pred.value
        cols[f"{p}_std"] = pred.std
        cols[f"{p}_low95"] = pred.low95
        cols[f"{p}_high95"] = pred.high95
        cols[f"{p}_in_domain"] = pred.in_domain
        cols[f"{p}_warnings"] = ["; ".join(w) for w in pred.warnings]
    return pd.DataFrame(cols)


def predict_composition(
    formula: str,
    *,
    properties: Sequence[str] | None = None,
    root: Path | str | None = None,
) -> list[PropertyPrediction]:
    """Predict properties of one formula.

    Raises:
        InvalidComposition: the formula cannot be parsed or has unsupported elements.

    Example:
        >>> [p.property for p in predict_composition("NaCl", properties=["band_gap"])]
        ['band_gap']
    """
    props = _check(properties)
    base = Path(root) if root is not None else None
    batch = featurize_compositions([formula], root=base)
    if batch.errors:
        raise InvalidComposition(batch.errors[0][1])
    out = []
    for p in props:
        model = load_composition_model(p, root=base)
        pred = model.predict_features(batch, 1)
        out.append(
            PropertyPrediction(
                property=p,
                value=float(pred.value[0]),
                unit=pred.unit,
                std=float(pred.std[0]),
                interval_95=(float(pred.low95[0]), float(pred.high95[0])),
                method="composition",
                model=model.name,
                model_version=model.version,
                warnings=pred.warnings[0],
                in_domain=bool(pred.in_domain[0]),
            )
        )
    return out
