"""Predictions service: run the science core, store results with model versions, read history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from psycopg.errors import DeadlockDetected, SerializationFailure
from pymatgen.core import Composition
from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    ScalarSelect,
    Subquery,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matdiscover.domains import tasks
from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.model_registry import service as model_registry
from matdiscover.domains.predictions.models import MLModel, Prediction
from matdiscover.domains.predictions.schemas import PredictionRequest
from matdiscover.domains.usage import service as usage
from matdiscover.errors import InvalidInput
from matdiscover.science.io import read_structures_isolated
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.predict import (
    PredictionReport,
    predict_composition_report,
    predict_structure_report,
)
from matdiscover.settings import Settings, get_settings
from matdiscover.storage import ObjectStore

#: Attempts at registering model rows when PostgreSQL picks this transaction as a deadlock
#: victim (possible only against writers that do not follow the sorted order below).
REGISTER_ATTEMPTS = 3

ModelKey = tuple[str, str]


def register_models(
    session: Session, predictions: Sequence[PropertyPrediction]
) -> dict[ModelKey, MLModel]:
    """The registry rows of the models that made ``predictions``, by (name, version).

    Rows are created on first use with ``INSERT ... ON CONFLICT DO NOTHING`` in one
    statement, in sorted (name, version) order: a concurrent first use (an API request and
    workers predicting at once) waits for the other transaction and then reads its row
    instead of failing on the unique constraint, and two transactions never take the
    rows' locks in opposite orders. The insert runs in a savepoint and is retried if
    PostgreSQL still reports a deadlock or serialization failure.
    """
    specs: dict[ModelKey, PropertyPrediction] = {}
    for p in predictions:
        specs.setdefault((p.model, p.model_version), p)
    if not specs:
        return {}
    found = _select_models(session, specs)
    missing = sorted(set(specs) - set(found))
    if missing:
        stmt = (
            pg_insert(MLModel)
            .values(
                [
                    {
                        "name": name,
                        "version": version,
                        "property": specs[(name, version)].property,
                        "method": specs[(name, version)].method,
                        "unit": specs[(name, version)].unit,
                        "card": {},
                    }
                    for name, version in missing
                ]
            )
            .on_conflict_do_nothing(index_elements=["name", "version"])
        )
        for attempt in range(1, REGISTER_ATTEMPTS + 1):
            try:
                with session.begin_nested():
                    session.execute(stmt)
                break
            except OperationalError as exc:
                if attempt == REGISTER_ATTEMPTS or not isinstance(
                    exc.orig, DeadlockDetected | SerializationFailure
                ):
                    raise
        found = _select_models(session, specs)
    return found


def _select_models(session: Session, keys: Iterable[ModelKey]) -> dict[ModelKey, MLModel]:
    rows = session.scalars(
        select(MLModel).where(tuple_(MLModel.name, MLModel.version).in_(list(keys)))
    ).all()
    return {(row.name, row.version): row for row in rows}


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
    models = register_models(session, predictions)
    rows = []
    for p in predictions:
        model = models[(p.model, p.model_version)]
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
            details={**(details or {}), **dict(p.details)},
            job_id=job_id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def report_for_material(
    material: materials_service.Material,
    *,
    properties: Sequence[str] | None,
    relax: bool,
    structure_model: str | None = None,
) -> PredictionReport:
    """Predict a stored material from its structure, or its composition if it has none.

    ``structure_model`` ``None`` means the ``MATDISCOVER_STRUCTURE_MODEL`` setting."""
    structure = materials_service.structure_of(material)
    if structure is not None:
        return predict_structure_report(
            structure,
            properties=properties,
            relax=relax,
            label=f"material {material.id}",
            model=structure_model or get_settings().structure_model,
        )
    return predict_composition_report(Composition(material.formula), properties=properties)


def with_organization_models(
    session: Session,
    report: PredictionReport,
    *,
    organization_id: int,
    settings: Settings | None = None,
) -> PredictionReport:
    """``report`` with its composition predictions remade by the organisation's active
    model versions (model registry) where it has one for the property; each prediction
    records the exact model name and version that made it."""
    props = [p.property for p in report.predictions if p.method == "composition"]
    if not props:
        return report
    cfg = settings or get_settings()
    models = model_registry.models_in_use(
        session,
        ObjectStore(cfg.resolved_storage_url),
        organization_id=organization_id,
        properties=props,
        cache_dir=cfg.resolved_data_dir / "model-cache",
    )
    if not models:
        return report
    from matdiscover.science.models.composition.finetune import predict_with

    preds = tuple(
        predict_with(models[p.property], report.formula)
        if p.method == "composition" and p.property in models
        else p
        for p in report.predictions
    )
    return replace(report, predictions=preds)


def predict_material(
    session: Session,
    material_id: int,
    *,
    organization_id: int,
    properties: Sequence[str] | None = None,
    relax: bool = False,
    job_id: int | None = None,
    structure_model: str | None = None,
    settings: Settings | None = None,
) -> tuple[PredictionReport, list[Prediction]]:
    """Predict a stored material of the organisation and store the results (structure
    model: ``structure_model``, else the ``MATDISCOVER_STRUCTURE_MODEL`` setting;
    composition properties with an active model version of the organisation use it)."""
    material = materials_service.get(session, material_id, organization_id=organization_id)
    model = structure_model or get_settings().structure_model
    report = report_for_material(
        material, properties=properties, relax=relax, structure_model=model
    )
    report = with_organization_models(
        session, report, organization_id=organization_id, settings=settings
    )
    details: dict[str, Any] = {"report_warnings": list(report.warnings)}
    if report.method == "structure":
        details["structure_model"] = model
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


def prediction_pending(session: Session, material_id: int) -> bool:
    """An automatic prediction of the material is waiting in the queue or running."""
    return tasks.is_queued(session, tasks.predict_material_lock(material_id))


@dataclass
class PredictionOutcome:
    """What :func:`predict` made: the report and, for a stored material, its stored rows."""

    report: PredictionReport
    material_id: int | None = None
    rows: list[Prediction] = field(default_factory=list)


def predict(
    session: Session,
    request: PredictionRequest,
    *,
    organization_id: int,
    user_id: int | None,
    settings: Settings,
) -> PredictionOutcome:
    """One prediction, charged to the organisation's quota (:class:`QuotaExceeded` if it
    is used up): of a stored material (results stored), an inline structure or a formula
    (results returned, not stored)."""
    props = list(request.properties) if request.properties else None
    structure_model = request.structure_model or settings.structure_model
    usage.charge_predictions(
        session, organization_id, 1, settings.plan_limits, user_id=user_id, what="prediction"
    )
    if request.material_id is not None:
        report, rows = predict_material(
            session,
            request.material_id,
            organization_id=organization_id,
            properties=props,
            relax=request.relax,
            structure_model=structure_model,
            settings=settings,
        )
        return PredictionOutcome(report, material_id=request.material_id, rows=rows)
    if request.structure is not None:
        result = read_structures_isolated(
            request.structure.content.encode("utf-8"),
            request.structure.filename,
            symprec=settings.symprec,
            limits=settings.parse_limits(),
        )
        parsed = result.structures[0]
        report = predict_structure_report(
            parsed.structure,
            properties=props,
            relax=request.relax,
            label=parsed.label,
            model=structure_model,
        )
    else:
        assert request.formula is not None
        if request.relax:
            raise InvalidInput("relax needs a structure, not a formula")
        report = predict_composition_report(request.formula, properties=props)
    return PredictionOutcome(
        with_organization_models(
            session, report, organization_id=organization_id, settings=settings
        )
    )


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


# --- bulk rows for batch jobs ---


def insert_batch_predictions(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert many predictions (each a dict of ``Prediction`` column values) in one
    statement, without loading them as objects; how many were inserted."""
    if rows:
        session.execute(pg_insert(Prediction), list(rows))
    return len(rows)


def latest_for_materials(
    session: Session, material_ids: Sequence[int], *, organization_id: int
) -> dict[int, dict[str, Prediction]]:
    """The newest visible prediction per property of each of ``material_ids``:
    ``{material_id: {property: Prediction}}`` (one query)."""
    if not material_ids:
        return {}
    rows = session.scalars(
        select(Prediction)
        .where(
            Prediction.material_id.in_(sorted(set(material_ids))),
            _visible_predictions(organization_id),
        )
        .ext(distinct_on(Prediction.material_id, Prediction.property))
        .order_by(
            Prediction.material_id,
            Prediction.property,
            Prediction.created_at.desc(),
            Prediction.id.desc(),
        )
    ).all()
    out: dict[int, dict[str, Prediction]] = {}
    for row in rows:
        out.setdefault(row.material_id, {})[row.property] = row
    return out
