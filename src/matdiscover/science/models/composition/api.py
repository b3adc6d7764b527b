"""Batch and single-formula predictions for all composition-model properties."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matdiscover.errors import InvalidComposition, NotFound
from matdiscover.science.featurize import CompositionFeatures, featurize_compositions
from matdiscover.science.models.composition.ensemble import (
    CompositionModel,
    CompositionPredictions,
    load_composition_model,
)
from matdiscover.science.models.composition.hull_route import load_hull_route
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.models.types import PropertyPrediction

__all__ = ["predict_composition", "predict_compositions"]


def _check(properties: Sequence[str] | None) -> list[str]:
    props = list(PROPERTIES) if properties is None else list(properties)
    unknown = [p for p in props if p not in PROPERTIES]
    if unknown:
        raise NotFound(f"unknown properties {unknown}; known: {sorted(PROPERTIES)}")
    return props


E_HULL = "energy_above_hull"


def _predict_all(
    formulas: Sequence[str],
    props: list[str],
    batch: CompositionFeatures,
    root: Path | None,
    models: Mapping[str, CompositionModel] | None = None,
) -> dict[str, tuple[CompositionPredictions, str, str, list[dict[str, Any]]]]:
    """Per property: predictions, model name, version and per-row details.

    ``models`` replaces the shipped model of a property (e.g. an organisation's
    fine-tuned version). ``energy_above_hull`` is the hull of the shipped model's
    formation energy (one definition, :func:`matdiscover.science.thermo.stability`); see
    :mod:`~matdiscover.science.models.composition.hull_route`.
    """
    n = len(formulas)
    out: dict[str, tuple[CompositionPredictions, str, str, list[dict[str, Any]]]] = {}
    eform = None
    given = models or {}
    for p in props:
        if p == E_HULL:
            continue
        model = given.get(p) or load_composition_model(p, root=root)
        pred = model.predict_features(batch, n)
        details: list[dict[str, Any]] = [{} for _ in range(n)]
        if pred.p_metal is not None and model.metal_gate is not None:
            thr = model.metal_gate.threshold
            for i, pm in enumerate(pred.p_metal):
                if np.isfinite(pm):
                    details[i] = {"p_metal": float(pm), "metal": bool(pm >= thr)}
        out[p] = (pred, model.name, model.version, details)
        if p == "formation_energy" and p not in given:
            eform = pred
    if E_HULL in props:
        if eform is None:
            eform = load_composition_model("formation_energy", root=root).predict_features(batch, n)
        route = load_hull_route(root=root)
        hull_pred, hull_details = route.predict(list(formulas), eform)
        out[E_HULL] = (hull_pred, route.name, route.version, hull_details)
    return {p: out[p] for p in props}


def predict_compositions(
    formulas: Sequence[str],
    *,
    properties: Sequence[str] | None = None,
    root: Path | str | None = None,
    models: Mapping[str, CompositionModel] | None = None,
) -> pd.DataFrame:
    """Predict properties for many formulas at once (features computed once).

    Args:
        formulas: chemical formulas.
        properties: subset of :data:`PROPERTIES` keys; all six by default.
        root: optional data directory.
        models: loaded models to use instead of the shipped ones, by property.

    Returns:
        One row per input formula, in input order, with columns ``formula``, ``error``
        (``None`` when valid) and, for each property ``p``: ``p`` (value in the unit of
        ``PROPERTIES[p].unit``), ``p_std``, ``p_low95``, ``p_high95``, ``p_in_domain``,
        ``p_warnings`` (``"; "``-joined, empty when none); for ``band_gap`` also
        ``band_gap_p_metal`` (classifier P(metal)) and ``band_gap_metal`` (reported as a
        metal: value 0). Invalid rows have ``NaN``. ``energy_above_hull`` is the hull of
        the predicted formation energy (one hull placement per formula). ``frame.attrs
        ["models"]`` maps each property to ``(model name, model version)``.

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
    used: dict[str, tuple[str, str]] = {}
    for p, (pred, name, version, details) in _predict_all(
        formulas, props, batch, base, models
    ).items():
        used[p] = (name, version)
        cols[p] = pred.value
        cols[f"{p}_std"] = pred.std
        cols[f"{p}_low95"] = pred.low95
        cols[f"{p}_high95"] = pred.high95
        cols[f"{p}_in_domain"] = pred.in_domain
        cols[f"{p}_warnings"] = ["; ".join(w) for w in pred.warnings]
        if pred.p_metal is not None:
            cols[f"{p}_p_metal"] = pred.p_metal
            cols[f"{p}_metal"] = [bool(d.get("metal", False)) for d in details]
    frame = pd.DataFrame(cols)
    frame.attrs["models"] = used
    return frame


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
    for p, (pred, name, version, details) in _predict_all([formula], props, batch, base).items():
        out.append(
            PropertyPrediction(
                property=p,
                value=float(pred.value[0]),
                unit=pred.unit,
                std=float(pred.std[0]),
                interval_95=(float(pred.low95[0]), float(pred.high95[0])),
                method="composition",
                model=name,
                model_version=version,
                warnings=pred.warnings[0],
                in_domain=bool(pred.in_domain[0]),
                details=details[0],
            )
        )
    return out
