"""Recalibrations of a project: fit on its measurements, version, enable, apply.

The raw predictions are never changed: an enabled recalibration is applied when items
and parity data are read, and shown beside the raw value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.projects.models import Project
from matdiscover.domains.projects.models import Recalibration as RecalibrationRow
from matdiscover.domains.projects.schemas import RecalibratedValue, RecalibrationRead
from matdiscover.science.recalibration import Recalibration, fit_recalibration


def label(n: int) -> str:
    return f"recalibrated on {n} measurement{'s' if n != 1 else ''}"


def to_read(row: RecalibrationRow) -> RecalibrationRead:
    params = row.params or {}
    return RecalibrationRead(
        id=row.id,
        project_id=row.project_id,
        property=row.property,
        model_name=row.model_name,
        kind=row.kind,
        n_measurements=row.n_measurements,
        enabled=row.enabled,
        version=row.version,
        created_at=row.created_at,
        created_by_id=row.created_by_id,
        cv_mae_raw=params.get("cv_mae_raw"),
        cv_mae=params.get("cv_mae"),
        cv_coverage95=params.get("cv_coverage95"),
        label=label(row.n_measurements),
    )


def list_for(session: Session, project: Project) -> list[RecalibrationRow]:
    return list(
        session.scalars(
            select(RecalibrationRow)
            .where(RecalibrationRow.project_id == project.id)
            .order_by(RecalibrationRow.property, RecalibrationRow.version.desc())
        )
    )


def get(session: Session, project: Project, recalibration_id: int) -> RecalibrationRow:
    statement = select(RecalibrationRow).where(
        RecalibrationRow.id == recalibration_id, RecalibrationRow.project_id == project.id
    )
    return one_or_not_found(
        session, recalibration_id, statement, f"recalibration {recalibration_id} not found"
    )


@dataclass(frozen=True)
class Active:
    """An enabled recalibration, ready to apply."""

    row: RecalibrationRow
    model: Recalibration

    def applies_to(self, model_name: str) -> bool:
        return not self.row.model_name or self.row.model_name == model_name

    def apply(
        self, formulas: Sequence[str], mean: Sequence[float], sigma: Sequence[float | None]
    ) -> list[RecalibratedValue]:
        sig = [np.nan if s is None else s for s in sigma]
        out_mean, out_sigma = self.model.apply(list(formulas), mean, sig)
        return [
            RecalibratedValue(
                value=float(m),
                std=float(s) if np.isfinite(s) else float(self.model.params["sigma_floor"]),
                recalibration_id=self.row.id,
                version=self.row.version,
                n_measurements=self.row.n_measurements,
                label=label(self.row.n_measurements),
            )
            for m, s in zip(out_mean, out_sigma, strict=True)
        ]


def enabled(session: Session, project: Project) -> dict[str, Active]:
    """The enabled recalibration per property (at most one each)."""
    rows = session.scalars(
        select(RecalibrationRow).where(
            RecalibrationRow.project_id == project.id, RecalibrationRow.enabled.is_(True)
        )
    ).all()
    return {r.property: Active(r, Recalibration.from_json(r.params)) for r in rows}


@dataclass(frozen=True)
class Sample:
    formula: str
    predicted: float
    sigma: float
    measured: float
    uncertainty: float | None


def fit(
    session: Session,
    project: Project,
    prop: str,
    model_name: str,
    samples: Sequence[Sample],
    *,
    user_id: int | None,
) -> RecalibrationRow:
    """Fit and store a new (disabled) version; ``NotEnoughMeasurements`` (400) below the
    science minimum."""
    fitted = fit_recalibration(
        prop,
        [s.formula for s in samples],
        [s.predicted for s in samples],
        [s.sigma for s in samples],
        [s.measured for s in samples],
        [np.nan if s.uncertainty is None else s.uncertainty for s in samples],
    )
    latest = session.scalar(
        select(func.max(RecalibrationRow.version)).where(
            RecalibrationRow.project_id == project.id,
            RecalibrationRow.property == prop,
            RecalibrationRow.model_name == model_name,
        )
    )
    row = RecalibrationRow(
        organization_id=project.organization_id,
        project_id=project.id,
        property=prop,
        model_name=model_name,
        kind=fitted.kind,
        n_measurements=fitted.n_measurements,
        params=fitted.to_json(),
        enabled=False,
        version=(latest or 0) + 1,
        created_by_id=user_id,
    )
    session.add(row)
    session.flush()
    return row


def set_enabled(
    session: Session, project: Project, recalibration_id: int, on: bool
) -> RecalibrationRow:
    """Turn a version on (any other version of the property goes off) or off."""
    row = get(session, project, recalibration_id)
    if on:
        session.execute(
            update(RecalibrationRow)
            .where(
                RecalibrationRow.project_id == project.id,
                RecalibrationRow.property == row.property,
                RecalibrationRow.id != row.id,
            )
            .values(enabled=False)
        )
    row.enabled = on
    session.flush()
    return row
