"""Value sources: where a material's property value comes from, as SQL expressions.

``property_source`` picks the source of every property filter and property sort:

* ``reference``: the value stored with a reference entry, ``(properties ->> prop)::float8``
  (:func:`reference_value`; it matches the partial expression indexes);
* ``predicted``: the caller's latest prediction (or a shared one), read through
  ``matdiscover.domains.predictions.service`` (:func:`predicted_value`);
* ``any``: the reference value where present, otherwise the latest prediction.

Units are those of ``matdiscover.science.reference_entries`` (band gap eV, energies
eV/atom, moduli GPa, Debye temperature K).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, func, or_, select

from matdiscover.domains.materials.service import Material
from matdiscover.domains.predictions import service as predictions_service
from matdiscover.domains.search.schemas import PropertySource


def reference_value(prop: str) -> ColumnElement[float]:
    """``(properties ->> prop)::float8`` — matches the partial expression indexes."""
    return cast(Material.properties[prop].astext, Float)


def predicted_value(prop: str, organization_id: int) -> ColumnElement[float]:
    """The caller's latest prediction of ``prop`` for the row (correlated scalar)."""
    return predictions_service.latest_prediction_value(
        prop, organization_id=organization_id, material_id=Material.id
    ).correlate(Material)


def property_value(prop: str, source: PropertySource, organization_id: int) -> ColumnElement[float]:
    """The value of ``prop`` for the row, from ``source`` (see the module docstring)."""
    if source == "reference":
        return reference_value(prop)
    if source == "predicted":
        return predicted_value(prop, organization_id)
    return func.coalesce(reference_value(prop), predicted_value(prop, organization_id))


def _between(expr: Any, lo: float | None, hi: float | None) -> ColumnElement[bool]:
    conds = []
    if lo is not None:
        conds.append(expr >= lo)
    if hi is not None:
        conds.append(expr <= hi)
    return and_(*conds)


def range_condition(
    prop: str, lo: float | None, hi: float | None, source: PropertySource, org: int
) -> ColumnElement[bool]:
    """``lo ≤ value ≤ hi`` (either bound optional) with the value taken from ``source``.

    Predicted values are matched through the latest-prediction-per-material subquery
    (``material_id IN (...)``), which the planner can drive from the predictions side.
    """
    ref = reference_value(prop)
    if source == "reference":
        return _between(ref, lo, hi)
    latest = predictions_service.latest_predictions(prop, organization_id=org)
    pred_ids = select(latest.c.material_id).where(_between(latest.c.value, lo, hi))
    if source == "predicted":
        return Material.id.in_(pred_ids)
    return or_(_between(ref, lo, hi), and_(ref.is_(None), Material.id.in_(pred_ids)))


__all__ = ["predicted_value", "property_value", "range_condition", "reference_value"]
