"""Projects, their items (uploads and known compounds) and notes.

Every function takes the caller's tenant-bound session and organisation id; another
organisation's project, item or material is "not found", never "forbidden".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.compounds import service as compounds_service
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.projects.models import ItemStatus, Project, ProjectItem, ProjectNote
from matdiscover.domains.projects.schemas import (
    ItemCreate,
    ItemUpdate,
    NoteCreate,
    NoteRead,
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
)
from matdiscover.errors import Conflict, InvalidInput, MatDiscoverError, NotFound
from matdiscover.science.predict import predict_composition_report
from matdiscover.science.properties import PROPERTY_NAMES

#: items one project may hold
MAX_ITEMS = 5000


def _read(project: Project, n_items: int, n_measurements: int) -> ProjectRead:
    return ProjectRead(
        id=project.id,
        name=project.name,
        description=project.description,
        created_at=project.created_at,
        n_items=n_items,
        n_measurements=n_measurements,
    )


def _item_counts(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    rows = session.execute(
        select(ProjectItem.project_id, func.count())
        .where(ProjectItem.project_id.in_(list(project_ids)))
        .group_by(ProjectItem.project_id)
    ).all()
    return {int(p): int(n) for p, n in rows}


def list_projects(session: Session, *, organization_id: int) -> list[ProjectRead]:
    """The organisation's projects by name, with item and measurement counts."""
    rows = session.scalars(
        select(Project).where(Project.organization_id == organization_id).order_by(Project.name)
    ).all()
    ids = [p.id for p in rows]
    items, measured = _item_counts(session, ids), experiments.counts_by_project(session, ids)
    return [_read(p, items.get(p.id, 0), measured.get(p.id, 0)) for p in rows]


def get(session: Session, project_id: int, *, organization_id: int) -> Project:
    statement = select(Project).where(
        Project.id == project_id, Project.organization_id == organization_id
    )
    return one_or_not_found(session, project_id, statement, f"project {project_id} not found")


def read(session: Session, project: Project) -> ProjectRead:
    items = _item_counts(session, [project.id]).get(project.id, 0)
    measured = experiments.counts_by_project(session, [project.id]).get(project.id, 0)
    return _read(project, items, measured)


def _unique_name(session: Session, organization_id: int, name: str, skip: int | None) -> None:
    clash = session.scalar(
        select(Project.id).where(Project.organization_id == organization_id, Project.name == name)
    )
    if clash is not None and clash != skip:
        raise Conflict(f"a project named {name!r} already exists")


def create(session: Session, body: ProjectCreate, *, organization_id: int) -> Project:
    name = body.name.strip()
    if not name:
        raise InvalidInput("the project name must not be blank")
    _unique_name(session, organization_id, name, None)
    project = Project(organization_id=organization_id, name=name, description=body.description)
    session.add(project)
    session.flush()
    return project


def update(
    session: Session, project_id: int, body: ProjectUpdate, *, organization_id: int
) -> Project:
    project = get(session, project_id, organization_id=organization_id)
    if body.name is not None and body.name.strip() != project.name:
        _unique_name(session, organization_id, body.name.strip(), project.id)
        project.name = body.name.strip()
    if "description" in body.model_fields_set:
        project.description = body.description
    session.flush()
    return project


def delete(session: Session, project_id: int, *, organization_id: int) -> None:
    """Delete a project with its items, notes and recalibrations; its measurements stay
    (detached from the project) in the organisation's records."""
    session.delete(get(session, project_id, organization_id=organization_id))
    session.flush()


# ------------------------------------------------------------------------ items


def get_item(session: Session, project: Project, item_id: int) -> ProjectItem:
    statement = select(ProjectItem).where(
        ProjectItem.id == item_id, ProjectItem.project_id == project.id
    )
    return one_or_not_found(session, item_id, statement, f"item {item_id} not found")


def items_of(session: Session, project: Project) -> list[ProjectItem]:
    return list(
        session.scalars(
            select(ProjectItem).where(ProjectItem.project_id == project.id).order_by(ProjectItem.id)
        )
    )


def own_material(session: Session, material_id: int, *, organization_id: int) -> Any:
    """One of the organisation's uploads (reference rows and other organisations'
    materials are "not found", with the same message)."""
    missing = NotFound(f"material {material_id} not found")
    try:
        material = materials_service.get(session, material_id, organization_id=organization_id)
    except NotFound:
        raise missing from None
    if material.organization_id != organization_id:
        raise missing
    return material


def compound_predictions(formula: str) -> dict[str, Any]:
    """Composition-model predictions of a compound item, as stored on the item (one
    property at a time: a property whose model is unavailable is left out, not the rest)."""
    out: dict[str, Any] = {}
    for prop in PROPERTY_NAMES:
        try:
            report = predict_composition_report(formula, properties=[prop])
        except MatDiscoverError:
            continue
        for p in report.predictions:
            out[p.property] = {
                "value": p.value,
                "std": p.std,
                "model_name": p.model,
                "model_version": p.model_version,
            }
    return out


def _tags(tags: Sequence[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        text = tag.strip()
        if not text or len(text) > 64 or "\x00" in text:
            raise InvalidInput("tags must be 1-64 characters")
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _count_guard(session: Session, project: Project) -> None:
    if _item_counts(session, [project.id]).get(project.id, 0) >= MAX_ITEMS:
        raise InvalidInput(f"a project holds at most {MAX_ITEMS} items")


def add_item(
    session: Session,
    project: Project,
    body: ItemCreate,
    *,
    organization_id: int,
    user_id: int | None,
) -> ProjectItem:
    """Track an upload (``material_id``) or a known compound (``formula``)."""
    _count_guard(session, project)
    item = ProjectItem(
        organization_id=organization_id,
        project_id=project.id,
        status=body.status,
        tags=_tags(body.tags),
        added_by_id=user_id,
    )
    if body.material_id is not None:
        material = own_material(session, body.material_id, organization_id=organization_id)
        item.material_id = material.id
        item.reduced_formula = material.reduced_formula
        existing = select(ProjectItem.id).where(
            ProjectItem.project_id == project.id, ProjectItem.material_id == material.id
        )
        what = f"material {material.id}"
    else:
        assert body.formula is not None
        compound = compounds_service.find(session, body.formula)
        if compound is None:
            raise NotFound(
                f"{body.formula!r} is not a known compound; upload a structure or a "
                "composition to track it"
            )
        item.reduced_formula = compound.reduced_formula
        item.predicted = compound_predictions(compound.reduced_formula)
        existing = select(ProjectItem.id).where(
            ProjectItem.project_id == project.id,
            ProjectItem.material_id.is_(None),
            ProjectItem.reduced_formula == compound.reduced_formula,
        )
        what = compound.reduced_formula
    if session.scalar(existing) is not None:
        raise Conflict(f"{what} is already in this project")
    session.add(item)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"{what} is already in this project") from None
    return item


def update_item(session: Session, project: Project, item_id: int, body: ItemUpdate) -> ProjectItem:
    item = get_item(session, project, item_id)
    if body.status is not None:
        item.status = body.status
    if body.tags is not None:
        item.tags = _tags(body.tags)
    session.flush()
    return item


def delete_item(session: Session, project: Project, item_id: int) -> None:
    session.delete(get_item(session, project, item_id))
    session.flush()


def mark_measured(session: Session, item_ids: Sequence[int]) -> None:
    """Items that got their first measurement move from idea/selected/synthesised to
    measured (discarded items stay discarded)."""
    if not item_ids:
        return
    for item in session.scalars(select(ProjectItem).where(ProjectItem.id.in_(list(item_ids)))):
        if item.status in (ItemStatus.idea, ItemStatus.selected, ItemStatus.synthesised):
            item.status = ItemStatus.measured


# ------------------------------------------------------------------------ notes


def add_note(
    session: Session, project: Project, body: NoteCreate, *, user_id: int | None
) -> ProjectNote:
    if body.item_id is not None:
        get_item(session, project, body.item_id)
    note = ProjectNote(
        organization_id=project.organization_id,
        project_id=project.id,
        item_id=body.item_id,
        author_id=user_id,
        text=body.text,
    )
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, project: Project) -> list[NoteRead]:
    rows = session.scalars(
        select(ProjectNote)
        .where(ProjectNote.project_id == project.id)
        .order_by(ProjectNote.created_at.desc(), ProjectNote.id.desc())
    ).all()
    return [NoteRead.model_validate(n) for n in rows]


def enabled_recalibrations(session: Session, project: Project) -> dict[str, Any]:
    """The project's enabled recalibration per property (``recalibrations.Active``: call
    ``.apply(formulas, mean, sigma)`` and ``.applies_to(model_name)``)."""
    from matdiscover.domains.projects import recalibrations

    return dict(recalibrations.enabled(session, project))
