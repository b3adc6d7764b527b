"""The project table: each item with its latest predictions (raw and, when enabled,
recalibrated), its measurements and its compound's reference values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.orm import Session

from matdiscover.domains.compounds import service as compounds_service
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.predictions import service as predictions_service
from matdiscover.domains.projects import recalibrations
from matdiscover.domains.projects.models import Project, ProjectItem
from matdiscover.domains.projects.schemas import (
    ItemRead,
    MeasuredValue,
    NoteRead,
    PredictedValue,
)
from matdiscover.domains.projects.service import items_of, notes_of
from matdiscover.errors import InvalidInput
from matdiscover.science.properties import PROPERTY_NAMES

SORT_HELP = (
    "added, formula, status, predicted.<property> or measured.<property> "
    "(e.g. predicted.band_gap); items without the value sort last"
)


def raw_predictions(
    session: Session, items: Sequence[ProjectItem], *, organization_id: int
) -> dict[int, dict[str, PredictedValue]]:
    """``{item_id: {property: raw latest prediction}}``: a material's stored predictions,
    a compound item's composition-model predictions."""
    material_ids = [i.material_id for i in items if i.material_id is not None]
    stored = predictions_service.latest_for_materials(
        session, material_ids, organization_id=organization_id
    )
    out: dict[int, dict[str, PredictedValue]] = {}
    for item in items:
        if item.material_id is not None:
            out[item.id] = {
                prop: PredictedValue(
                    value=p.value,
                    std=p.std,
                    model_name=p.model_name,
                    model_version=p.model_version,
                )
                for prop, p in stored.get(item.material_id, {}).items()
            }
        else:
            out[item.id] = {
                prop: PredictedValue.model_validate(p) for prop, p in item.predicted.items()
            }
    return out


def recalibrated(
    session: Session,
    project: Project,
    items: Sequence[ProjectItem],
    predicted: dict[int, dict[str, PredictedValue]],
) -> None:
    """Fill ``recalibrated`` of the predictions an enabled recalibration applies to."""
    formula = {i.id: i.reduced_formula for i in items}
    for prop, active in recalibrations.enabled(session, project).items():
        targets = [
            (item_id, values[prop])
            for item_id, values in predicted.items()
            if prop in values and active.applies_to(values[prop].model_name)
        ]
        if not targets:
            continue
        results = active.apply(
            [formula[i] for i, _ in targets],
            [p.value for _, p in targets],
            [p.std for _, p in targets],
        )
        for (_, value), result in zip(targets, results, strict=True):
            value.recalibrated = result


def _sort_key(sort: str) -> Any:
    if sort == "added":
        return lambda r: (r.id,)
    if sort == "formula":
        return lambda r: (r.reduced_formula,)
    if sort == "status":
        return lambda r: (r.status.value,)
    kind, _, prop = sort.partition(".")
    if kind not in ("predicted", "measured") or prop not in PROPERTY_NAMES:
        raise InvalidInput(f"unknown sort {sort!r}; use {SORT_HELP}")
    if kind == "predicted":
        return lambda r: (r.predicted[prop].value,) if prop in r.predicted else None
    return lambda r: (r.measured[prop][0].value,) if r.measured.get(prop) else None


def item_table(
    session: Session,
    project: Project,
    *,
    organization_id: int,
    sort: str = "added",
    order: Literal["asc", "desc"] = "asc",
) -> list[ItemRead]:
    key = _sort_key(sort)
    items = items_of(session, project)
    predicted = raw_predictions(session, items, organization_id=organization_id)
    recalibrated(session, project, items, predicted)
    measured: dict[int, dict[str, list[MeasuredValue]]] = defaultdict(lambda: defaultdict(list))
    for m in reversed(experiments.for_project(session, project.id)):
        if m.item_id is not None:
            measured[m.item_id][m.property].append(
                MeasuredValue(
                    measurement_id=m.id,
                    value=m.value,
                    uncertainty=m.uncertainty,
                    version=m.version,
                    method=m.method,
                    sample_id=m.sample_id,
                )
            )
    references = compounds_service.summaries(session, [i.reduced_formula for i in items])
    notes: dict[int, list[NoteRead]] = defaultdict(list)
    for note in notes_of(session, project):
        if note.item_id is not None:
            notes[note.item_id].append(note)
    rows = [
        ItemRead(
            id=i.id,
            project_id=i.project_id,
            kind="material" if i.material_id is not None else "compound",
            material_id=i.material_id,
            reduced_formula=i.reduced_formula,
            status=i.status,
            tags=list(i.tags),
            added_by_id=i.added_by_id,
            created_at=i.created_at,
            updated_at=i.updated_at,
            predicted=predicted.get(i.id, {}),
            measured={p: list(v) for p, v in measured.get(i.id, {}).items()},
            reference=dict(references[i.reduced_formula].properties)
            if i.reduced_formula in references
            else {},
            notes=notes.get(i.id, []),
        )
        for i in items
    ]
    present = [r for r in rows if key(r) is not None]
    present.sort(key=key, reverse=order == "desc")
    return present + [r for r in rows if key(r) is None]
