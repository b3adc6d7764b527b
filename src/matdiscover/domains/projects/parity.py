"""Predicted versus measured for one project and property: points, metrics (overall, per
model, recalibrated), residuals by chemical family, and the recalibration fit on them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.projects import recalibrations
from matdiscover.domains.projects.models import Project
from matdiscover.domains.projects.models import Recalibration as RecalibrationRow
from matdiscover.domains.projects.schemas import (
    FamilyResiduals,
    Metrics,
    ModelMetrics,
    Parity,
    ParityPoint,
)
from matdiscover.domains.projects.service import items_of
from matdiscover.domains.projects.table import raw_predictions, recalibrated
from matdiscover.errors import InvalidInput
from matdiscover.science.measurements import chemical_family
from matdiscover.science.properties import CATALOGUE, PropertyName
from matdiscover.science.recalibration import parity_metrics


def _metrics(points: list[ParityPoint], *, recal: bool = False) -> Metrics | None:
    if not points:
        return None
    raw_sigmas = [p.recalibrated_sigma if recal else p.sigma for p in points]
    sigmas = [s for s in raw_sigmas if s is not None]
    predicted = [p.recalibrated if recal else p.predicted for p in points]
    m = parity_metrics(
        [float("nan") if v is None else v for v in predicted],
        [p.measured for p in points],
        sigma=sigmas if len(sigmas) == len(points) else None,
        measured_uncertainty=[
            float("nan") if p.uncertainty is None else p.uncertainty for p in points
        ],
    )
    return Metrics(
        n=m.n, mae=m.mae, rmse=m.rmse, bias=m.bias, coverage95=m.coverage95, spearman=m.spearman
    )


def points_for(
    session: Session, project: Project, prop: PropertyName, *, organization_id: int
) -> tuple[list[ParityPoint], int]:
    """Every live measurement of ``prop`` with its item's latest prediction; and how
    many measurements had no prediction."""
    items = items_of(session, project)
    predicted = raw_predictions(session, items, organization_id=organization_id)
    recalibrated(session, project, items, predicted)
    formula = {i.id: i.reduced_formula for i in items}
    points: list[ParityPoint] = []
    skipped = 0
    for m in experiments.for_project(session, project.id, prop=prop.value):
        p = predicted.get(m.item_id or -1, {}).get(prop.value)
        if p is None or m.item_id is None:
            skipped += 1
            continue
        points.append(
            ParityPoint(
                item_id=m.item_id,
                measurement_id=m.id,
                formula=formula[m.item_id],
                predicted=p.value,
                sigma=p.std,
                model_name=p.model_name,
                model_version=p.model_version,
                measured=m.value,
                uncertainty=m.uncertainty,
                recalibrated=p.recalibrated.value if p.recalibrated else None,
                recalibrated_sigma=p.recalibrated.std if p.recalibrated else None,
                family=chemical_family(formula[m.item_id]),
            )
        )
    return points, skipped


def _by_family(points: list[ParityPoint]) -> list[FamilyResiduals]:
    groups: dict[str, list[float]] = defaultdict(list)
    for p in points:
        groups[p.family].append(p.predicted - p.measured)
    return [
        FamilyResiduals(
            family=family,
            n=len(res),
            mean_residual=sum(res) / len(res),
            mae=sum(abs(r) for r in res) / len(res),
            residuals=res,
        )
        for family, res in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def parity(
    session: Session,
    project: Project,
    prop: PropertyName,
    *,
    organization_id: int,
    by: str | None = None,
) -> Parity:
    if by not in (None, "chemistry"):
        raise InvalidInput("by must be 'chemistry' or omitted")
    points, skipped = points_for(session, project, prop, organization_id=organization_id)
    per_model: dict[tuple[str, str], list[ParityPoint]] = defaultdict(list)
    for p in points:
        per_model[(p.model_name, p.model_version)].append(p)
    active = recalibrations.enabled(session, project).get(prop.value)
    recal_points = [p for p in points if p.recalibrated is not None]
    return Parity(
        property=prop,
        unit=CATALOGUE[prop].unit,
        points=points,
        metrics=_metrics(points),
        per_model=[
            ModelMetrics(model_name=name, model_version=version, metrics=m)
            for (name, version), group in sorted(per_model.items())
            if (m := _metrics(group)) is not None
        ],
        recalibrated_metrics=_metrics(recal_points, recal=True) if recal_points else None,
        recalibration=recalibrations.to_read(active.row) if active else None,
        by_chemistry=_by_family(points) if by == "chemistry" else None,
        skipped=skipped,
    )


def fit(
    session: Session,
    project: Project,
    prop: PropertyName,
    model_name: str | None,
    *,
    organization_id: int,
    user_id: int | None,
) -> RecalibrationRow:
    """Fit a recalibration of ``prop`` on the project's parity points (of one model when
    ``model_name`` is given; points without a predicted sigma are left out)."""
    points, _ = points_for(session, project, prop, organization_id=organization_id)
    chosen = [
        p
        for p in points
        if p.sigma is not None and (model_name is None or p.model_name == model_name)
    ]
    samples = [
        recalibrations.Sample(p.formula, p.predicted, p.sigma or 0.0, p.measured, p.uncertainty)
        for p in chosen
    ]
    return recalibrations.fit(
        session, project, prop.value, model_name or "", samples, user_id=user_id
    )
