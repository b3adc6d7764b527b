"""Metering and plan quotas: record what an organisation used, refuse what exceeds its plan.

Usage kinds: ``prediction`` (one per material, structure or formula predicted; batch rows
count one each) and ``storage_bytes`` (uploaded bytes; negative on delete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matdiscover.domains.organizations import service as organizations
from matdiscover.domains.organizations.service import Organization
from matdiscover.domains.usage.models import UsageRecord
from matdiscover.domains.usage.plans import PlanLimits, limits_for
from matdiscover.errors import NotFound, QuotaExceeded

PREDICTION = "prediction"
STORAGE = "storage_bytes"


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime | None = None) -> datetime:
    start = month_start(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


@dataclass(frozen=True)
class Usage:
    organization: Organization
    limits: PlanLimits
    period_start: datetime
    period_end: datetime
    predictions: int
    storage_bytes: int


def _org(session: Session, organization_id: int) -> Organization:
    org = organizations.find_organization(session, organization_id)
    if org is None:
        raise NotFound(f"organisation {organization_id} not found")
    return org


def plan_limits(
    session: Session, organization_id: int, overrides: dict[str, dict[str, int]] | None
) -> PlanLimits:
    return limits_for(_org(session, organization_id).plan, overrides)


def used(session: Session, organization_id: int, kind: str, since: datetime | None) -> int:
    query = select(func.coalesce(func.sum(UsageRecord.quantity), 0)).where(
        UsageRecord.organization_id == organization_id, UsageRecord.kind == kind
    )
    if since is not None:
        query = query.where(UsageRecord.created_at >= since)
    return int(session.scalar(query) or 0)


def usage(
    session: Session, organization_id: int, overrides: dict[str, dict[str, int]] | None
) -> Usage:
    org = _org(session, organization_id)
    start = month_start()
    return Usage(
        organization=org,
        limits=limits_for(org.plan, overrides),
        period_start=start,
        period_end=next_month_start(start),
        predictions=used(session, organization_id, PREDICTION, start),
        storage_bytes=used(session, organization_id, STORAGE, None),
    )


def record(
    session: Session,
    organization_id: int,
    kind: str,
    quantity: int,
    *,
    user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    if quantity:
        session.add(
            UsageRecord(
                organization_id=organization_id,
                user_id=user_id,
                kind=kind,
                quantity=quantity,
                details=details or {},
            )
        )


def lock_organization(session: Session, organization_id: int) -> None:
    """Serialise quota checks of one organisation (concurrent requests cannot both pass).

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: inserts of rows referencing the organisation
    (a worker storing predictions) take a key-share lock on it for the foreign key and
    must not wait for a quota check that may itself wait for them (a deadlock)."""
    organizations.lock_row(session, organization_id)


def charge_predictions(
    session: Session,
    organization_id: int,
    count: int,
    overrides: dict[str, dict[str, int]] | None,
    *,
    user_id: int | None = None,
    what: str = "prediction",
) -> None:
    """Record ``count`` predictions, or raise :class:`QuotaExceeded` if the plan's monthly
    allowance cannot cover them (nothing is recorded then)."""
    if count <= 0:
        return
    lock_organization(session, organization_id)
    limits = plan_limits(session, organization_id, overrides)
    so_far = used(session, organization_id, PREDICTION, month_start())
    if so_far + count > limits.predictions_per_month:
        left = max(0, limits.predictions_per_month - so_far)
        raise QuotaExceeded(
            f"monthly prediction quota reached: {so_far:,} of {limits.predictions_per_month:,} "
            f"used, {left:,} left, this {what} needs {count:,}; the quota resets on "
            f"{next_month_start():%Y-%m-%d} (UTC) or ask your administrator to change plan"
        )
    record(session, organization_id, PREDICTION, count, user_id=user_id, details={"for": what})


def check_batch_rows(
    session: Session, organization_id: int, rows: int, overrides: dict[str, dict[str, int]] | None
) -> None:
    limits = plan_limits(session, organization_id, overrides)
    if rows > limits.batch_rows:
        raise QuotaExceeded(
            f"this batch has {rows:,} rows; your plan allows {limits.batch_rows:,} per job"
        )


def check_storage(
    session: Session,
    organization_id: int,
    nbytes: int,
    overrides: dict[str, dict[str, int]] | None,
) -> None:
    """Refuse an upload of ``nbytes`` that would not fit the plan's storage (what is stored
    is recorded afterwards with :func:`record_storage`)."""
    if nbytes <= 0:
        return
    lock_organization(session, organization_id)
    limits = plan_limits(session, organization_id, overrides)
    so_far = used(session, organization_id, STORAGE, None)
    if so_far + nbytes > limits.storage_bytes:
        raise QuotaExceeded(
            f"storage quota reached: {so_far / 1e6:,.1f} MB of "
            f"{limits.storage_bytes / 1e6:,.0f} MB used; this upload needs {nbytes / 1e6:,.1f} MB"
        )


def record_storage(
    session: Session, organization_id: int, nbytes: int, *, user_id: int | None = None
) -> None:
    """Record stored bytes (negative when something is deleted)."""
    record(session, organization_id, STORAGE, nbytes, user_id=user_id)
