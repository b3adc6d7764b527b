"""Predictions service: run the science core, store results with model versions, read history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymatgen.core import Composition, Structure
from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    ScalarSelect,
    Subquery,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.materials.models import Material
from matdiscover.domains.predictions.models import MLModel, Prediction
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.predict import (
    PredictionReport,
    predict_composition_report,
    predict_structure_report,
)


def register_model(session: Session, pred: PropertyPrediction) -> MLModel:
    """The registry row of the model that made ``pred`` (created on first use)."""
    row = session.scalar(
        select(MLModel).where(MLModel.name == pred.model, MLModel.version == pred.model_version)
    )
    if row is None:
        row = MLModel(
            name=pred.model,
            version=pred.model_version,
            property=pred.property,
            method=pred.method,
            unit=pred.unit,
            card={},
        )
        session.add(row)
        session.flush()
    return row


def store_predictions(
    session: Session,
    predictions: Sequence[PropertyPrediction],
    *,
    material_id: int,
    organization_id: int | None,
    details: dict[str, Any] | None = None,
    job_id: int | None = None,
) -> list[Prediction]:
    """Insert one row per prediction (history is kept; the newest is the current value)."""
    rows = []
    for p in predictions:
        model = register_model(session, p)
        row = Prediction(
            organization_id=organization_id,
            material_id=material_id,
            ml_model_id=model.id,
            property=p.property,
            value=float(p.value),
            std=float(p.std),
            interval_low=float(p.interval_95[0]),
            interval_high=float(p.interval_95[1]),
            unit=p.unit,
            method=p.method,
            model_name=p.model,
            model_version=p.model_version,
            in_domain=p.in_domain,
            warnings=list(p.warnings),
            details=details or {},
            job_id=job_id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def report_for_material(
    material: Material, *, properties: Sequence[str] | None, relax: bool
) -> PredictionReport:
    """Predict a stored material from its structure, or its composition if it has none."""
    if material.structure is not None:
        return predict_structure_report(
            Structure.from_dict(material.structure),
            properties=properties,
            relax=relax,
            label=f"material {material.id}",
        )
    return predict_composition_report(Composition(material.formula), properties=properties)


def predict_material(
    session: Session,
    material_id: int,
    *,
    organization_id: int,
    properties: Sequence[str] | None = None,
    relax: bool = False,
    job_id: int | None = None,
) -> tuple[PredictionReport, list[Prediction]]:
    """Predict a stored material of the organisation and store the results."""
    material = materials_service.get(session, material_id, organization_id=organization_id)
    report = report_for_material(material, properties=properties, relax=relax)
    details: dict[str, Any] = {"report_warnings": list(report.warnings)}
    if report.relaxation is not None:
        details["relaxation"] = {
            "converged": report.relaxation.converged,
            "steps": report.relaxation.steps,
            "max_force": report.relaxation.max_force,
        }
    rows = store_predictions(
        session,
        report.predictions,
        material_id=material.id,
        organization_id=organization_id,
        details=details,
        job_id=job_id,
    )
    return report, rows


def list_for_material(
    session: Session, material_id: int, *, organization_id: int
) -> tuple[list[Prediction], list[Prediction]]:
    """(latest per property, full history newest first) for a visible material."""
    materials_service.get(session, material_id, organization_id=organization_id)
    history = list(
        session.scalars(
            select(Prediction)
            .where(
                Prediction.material_id == material_id,
                (Prediction.organization_id == organization_id)
                | Prediction.organization_id.is_(None),
            )
            .order_by(Prediction.created_at.desc(), Prediction.id.desc())
        ).all()
    )
    latest: dict[str, Prediction] = {}
    for row in history:
        latest.setdefault(row.property, row)
    return list(latest.values()), history


# ---------------------------------------------------------------- latest values, as SQL


def _visible_predictions(organization_id: int) -> ColumnElement[bool]:
    """The organisation's predictions plus shared ones (``organization_id IS NULL``)."""
    return or_(Prediction.organization_id == organization_id, Prediction.organization_id.is_(None))


def latest_predictions(prop: str, *, organization_id: int) -> Subquery:
    """``(material_id, value)`` of the newest visible prediction of ``prop`` per material.

    A ``DISTINCT ON (material_id)`` subquery, newest by ``(created_at, id)``; materials
    search filters on its ``value`` to find materials by predicted property ranges.
    """
    return (
        select(Prediction.material_id, Prediction.value)
        .where(Prediction.property == prop, _visible_predictions(organization_id))
        .ext(distinct_on(Prediction.material_id))
        .order_by(Prediction.material_id, Prediction.created_at.desc(), Prediction.id.desc())
        .subquery()
    )


def latest_prediction_value(
    prop: str, *, organization_id: int, material_id: ColumnExpressionArgument[int]
) -> ScalarSelect[float]:
    """The newest visible prediction of ``prop`` for ``material_id`` (NULL if none).

    A scalar subquery; pass a column of the enclosing query (``Material.id``) and
    correlate it there, e.g. ``latest_prediction_value(...).correlate(Material)``.
    """
    return (
        select(Prediction.value)
        .where(
            Prediction.material_id == material_id,
            Prediction.property == prop,
            _visible_predictions(organization_id),
        )
        .order_by(Prediction.created_at.desc(), Prediction.id.desc())
        .limit(1)
        .scalar_subquery()
    )
