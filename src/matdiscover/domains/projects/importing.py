"""Importing a measurements file into a project: parse (science), map every row to an
item, then store all rows, or none when any row is bad (unless asked to store the good
ones)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from matdiscover.domains.compounds import service as compounds_service
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.projects import service
from matdiscover.domains.projects.models import Project, ProjectItem
from matdiscover.domains.projects.schemas import ItemCreate
from matdiscover.errors import InvalidInput, NotFound
from matdiscover.science.measurements import (
    MeasurementRow,
    ParsedMeasurements,
    RowError,
    parse_measurements,
)


@dataclass
class ImportOutcome:
    stored_ids: list[int] = field(default_factory=list)
    items_added: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rejected: bool = False


@dataclass
class _Target:
    item: ProjectItem | None = None  # an existing item
    material_id: int | None = None
    compound: str | None = None  # a known compound to add as an item


class _Resolver:
    """Maps rows to items without writing anything."""

    def __init__(self, session: Session, project: Project, organization_id: int) -> None:
        self.session = session
        self.project = project
        self.organization_id = organization_id
        items = service.items_of(session, project)
        self.by_material = {i.material_id: i for i in items if i.material_id is not None}
        self.by_formula: dict[str, list[ProjectItem]] = {}
        for item in items:
            self.by_formula.setdefault(item.reduced_formula, []).append(item)
        by_id = {i.id: i for i in items}
        self.by_sample = {
            s: by_id[i]
            for s, i in experiments.sample_items(session, project.id).items()
            if i in by_id
        }
        self.new_samples: dict[str, _Target] = {}
        self.materials: dict[int, bool] = {}
        self.compounds: dict[str, bool] = {}

    def _own(self, material_id: int) -> bool:
        if material_id not in self.materials:
            try:
                service.own_material(
                    self.session, material_id, organization_id=self.organization_id
                )
                self.materials[material_id] = True
            except NotFound:
                self.materials[material_id] = False
        return self.materials[material_id]

    def _known(self, formula: str) -> bool:
        if formula not in self.compounds:
            self.compounds[formula] = compounds_service.find(self.session, formula) is not None
        return self.compounds[formula]

    def resolve(self, row: MeasurementRow) -> _Target | RowError:
        target = self._resolve(row)
        if isinstance(target, _Target) and row.sample_id and row.sample_id not in self.by_sample:
            self.new_samples.setdefault(row.sample_id, target)
        return target

    def _resolve(self, row: MeasurementRow) -> _Target | RowError:
        if row.material_id is not None:
            if row.material_id in self.by_material:
                return _Target(item=self.by_material[row.material_id])
            if not self._own(row.material_id):
                return RowError(row.row, "material_id", f"unknown material id {row.material_id}")
            return _Target(material_id=row.material_id)
        if row.formula is not None:
            matches = self.by_formula.get(row.formula, [])
            if len(matches) == 1:
                return _Target(item=matches[0])
            if len(matches) > 1:
                compound = [m for m in matches if m.material_id is None]
                if compound:
                    return _Target(item=compound[0])
                return RowError(
                    row.row,
                    "formula",
                    f"{row.formula} matches {len(matches)} materials of this project; "
                    "give the material_id",
                )
            if self._known(row.formula):
                return _Target(compound=row.formula)
            return RowError(
                row.row,
                "formula",
                f"{row.formula} is neither in this project nor a known compound; add the "
                "material to the project first or give its material_id",
            )
        assert row.sample_id is not None
        if row.sample_id in self.by_sample:
            return _Target(item=self.by_sample[row.sample_id])
        if row.sample_id in self.new_samples:
            return self.new_samples[row.sample_id]
        return RowError(
            row.row,
            "sample_id",
            f"unknown sample id {row.sample_id!r}: give a material_id or formula with "
            "the sample's first measurement",
        )


def import_file(
    session: Session,
    project: Project,
    data: bytes,
    filename: str,
    *,
    organization_id: int,
    user_id: int | None,
    store_valid_rows: bool,
    max_bytes: int,
) -> ImportOutcome:
    parsed: ParsedMeasurements = parse_measurements(data, filename, max_bytes=max_bytes)
    resolver = _Resolver(session, project, organization_id)
    outcome = ImportOutcome(errors=list(parsed.errors), ignored_columns=parsed.ignored_columns)
    resolved: list[tuple[MeasurementRow, _Target]] = []
    for row in parsed.rows:
        target = resolver.resolve(row)
        if isinstance(target, RowError):
            outcome.errors.append(target)
        else:
            resolved.append((row, target))
    outcome.errors.sort(key=lambda e: (e.row, e.column or ""))
    if outcome.errors and not store_valid_rows:
        outcome.rejected = True
        return outcome
    if not resolved:
        if not outcome.errors:
            raise InvalidInput(f"{filename}: no measurement rows")
        return outcome
    service_items: dict[tuple[str, object], ProjectItem] = {}
    records: list[dict[str, Any]] = []
    item_ids: set[int] = set()
    for row, target in resolved:
        item = target.item
        if item is None:
            key = ("m", target.material_id) if target.material_id else ("c", target.compound)
            if key not in service_items:
                service_items[key] = _add_item(session, project, target, organization_id, user_id)
                if target.compound:
                    outcome.items_added.append(service_items[key].id)
            item = service_items[key]
        item_ids.add(item.id)
        records.append(
            {
                "organization_id": organization_id,
                "project_id": project.id,
                "item_id": item.id,
                "material_id": item.material_id,
                "formula": item.reduced_formula,
                "sample_id": row.sample_id,
                "property": row.property,
                "value": row.value,
                "unit": row.unit,
                "uncertainty": row.uncertainty,
                "method": row.method,
                "conditions": row.conditions,
                "measured_at": row.measured_at,
                "notes": row.notes,
                "source_row": row.row,
                "created_by_id": user_id,
            }
        )
    stored = experiments.add_many(session, records)
    service.mark_measured(session, sorted(item_ids))
    outcome.stored_ids = [m.id for m in stored]
    return outcome


def _add_item(
    session: Session,
    project: Project,
    target: _Target,
    organization_id: int,
    user_id: int | None,
) -> ProjectItem:
    body = (
        ItemCreate(material_id=target.material_id)
        if target.material_id
        else ItemCreate(formula=target.compound)
    )
    return service.add_item(
        session, project, body, organization_id=organization_id, user_id=user_id
    )
