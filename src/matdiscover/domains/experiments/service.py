"""Measurements: store, read, edit with history, soft-delete.

Every function works on the caller's (tenant-bound) session; ids of other organisations'
measurements are not found. Edits keep the replaced values in ``measurement_versions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.experiments.models import ExperimentalResult, MeasurementVersion
from matdiscover.domains.experiments.schemas import (
    MeasurementEdit,
    MeasurementHistory,
    MeasurementVersionRead,
)

EDITABLE = ("value", "uncertainty", "method", "conditions", "measured_at", "notes", "sample_id")


def add_many(session: Session, rows: Sequence[dict[str, Any]]) -> list[ExperimentalResult]:
    """Store measurements (each a dict of ``ExperimentalResult`` column values)."""
    objects = [ExperimentalResult(**row) for row in rows]
    session.add_all(objects)
    session.flush()
    return objects


def get(
    session: Session, measurement_id: int, *, include_deleted: bool = False
) -> ExperimentalResult:
    statement = select(ExperimentalResult).where(ExperimentalResult.id == measurement_id)
    if not include_deleted:
        statement = statement.where(ExperimentalResult.deleted_at.is_(None))
    return one_or_not_found(
        session, measurement_id, statement, f"measurement {measurement_id} not found"
    )


def for_project(
    session: Session, project_id: int, *, prop: str | None = None
) -> list[ExperimentalResult]:
    """A project's live measurements, oldest first."""
    statement = select(ExperimentalResult).where(
        ExperimentalResult.project_id == project_id, ExperimentalResult.deleted_at.is_(None)
    )
    if prop is not None:
        statement = statement.where(ExperimentalResult.property == prop)
    return list(session.scalars(statement.order_by(ExperimentalResult.id)))


def counts_by_project(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    rows = session.execute(
        select(ExperimentalResult.project_id, func.count())
        .where(
            ExperimentalResult.project_id.in_(list(project_ids)),
            ExperimentalResult.deleted_at.is_(None),
        )
        .group_by(ExperimentalResult.project_id)
    ).all()
    return {int(pid): int(n) for pid, n in rows if pid is not None}


def sample_items(session: Session, project_id: int) -> dict[str, int]:
    """``{sample_id: item_id}`` of the project's measurements that name a sample."""
    rows = session.execute(
        select(ExperimentalResult.sample_id, ExperimentalResult.item_id).where(
            ExperimentalResult.project_id == project_id,
            ExperimentalResult.sample_id.is_not(None),
            ExperimentalResult.item_id.is_not(None),
            ExperimentalResult.deleted_at.is_(None),
        )
    ).all()
    return {str(s): int(i) for s, i in rows if i is not None}


def _snapshot(row: ExperimentalResult) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in EDITABLE}
    if values["measured_at"] is not None:
        values["measured_at"] = values["measured_at"].isoformat()
    return values


def _keep_version(session: Session, row: ExperimentalResult, user_id: int | None) -> None:
    session.add(
        MeasurementVersion(
            organization_id=row.organization_id,
            measurement_id=row.id,
            version=row.version,
            values=_snapshot(row),
            edited_by_id=user_id,
        )
    )


def edit(
    session: Session, measurement_id: int, change: MeasurementEdit, *, user_id: int | None
) -> ExperimentalResult:
    """Apply ``change``; the replaced values become a stored version."""
    row = get(session, measurement_id)
    fields = change.model_dump(exclude_unset=True)
    if fields.get("value", 0.0) is None:
        fields.pop("value")
    if not fields or all(getattr(row, k) == v for k, v in fields.items()):
        return row
    _keep_version(session, row, user_id)
    for name, value in fields.items():
        setattr(row, name, value if name != "conditions" else dict(value or {}))
    row.version += 1
    session.flush()
    return row


def soft_delete(session: Session, measurement_id: int, *, user_id: int | None) -> None:
    """Hide a measurement from listings, parity and fits; its history stays."""
    row = get(session, measurement_id)
    _keep_version(session, row, user_id)
    row.deleted_at = datetime.now(UTC)
    session.flush()


def history(session: Session, measurement_id: int) -> MeasurementHistory:
    """Every version, newest (current) first."""
    row = get(session, measurement_id, include_deleted=True)
    older = session.scalars(
        select(MeasurementVersion)
        .where(MeasurementVersion.measurement_id == row.id)
        .order_by(MeasurementVersion.id.desc())
    ).all()
    last_change = older[0].edited_at if older else row.created_at
    current = MeasurementVersionRead(
        version=row.version,
        values=_snapshot(row),
        edited_by_id=older[0].edited_by_id if older else row.created_by_id,
        edited_at=last_change,
        current=True,
    )
    versions = [current] + [
        MeasurementVersionRead(
            version=v.version,
            values=v.values,
            edited_by_id=v.edited_by_id,
            edited_at=v.edited_at,
            current=False,
        )
        for v in older
        if v.version != row.version
    ]
    return MeasurementHistory(measurement_id=row.id, deleted_at=row.deleted_at, versions=versions)
