"""``GET /organization/usage``: the plan's usage, composed of two domains' answers (metered
usage from ``usage``, active jobs from ``jobs``), so neither domain imports the other's
tables for it."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep
from matdiscover.domains.jobs import service as jobs_service
from matdiscover.domains.organizations.schemas import PlanLimitsRead, UsageRead
from matdiscover.domains.usage import service as usage_service

router = APIRouter(prefix="/organization", tags=["organization"])


@router.get("/usage", response_model=UsageRead)
def get_usage(caller: CallerDep, session: SessionDep, settings: SettingsDep) -> UsageRead:
    """This month's usage against the organisation's plan."""
    u = usage_service.usage(session, caller.organization_id, settings.plan_limits)
    return UsageRead(
        organization_id=u.organization.id,
        plan=u.organization.plan.value,
        period_start=u.period_start,
        period_end=u.period_end,
        limits=PlanLimitsRead(**asdict(u.limits)),
        predictions_used=u.predictions,
        predictions_left=max(0, u.limits.predictions_per_month - u.predictions),
        storage_bytes_used=u.storage_bytes,
        active_jobs=jobs_service.active_jobs(session, caller.organization_id),
    )
