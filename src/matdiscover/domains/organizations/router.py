"""The caller's organisation: members (administrators) and plan usage. New members join
by invitation (``matdiscover.domains.invitations``)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response

from matdiscover.api.deps import ADMIN_ONLY, CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.organizations import service
from matdiscover.domains.organizations.schemas import (
    MemberRead,
    MemberUpdate,
    PlanLimitsRead,
    UsageRead,
)
from matdiscover.domains.usage import service as usage_service

router = APIRouter(prefix="/organization", tags=["organization"])


def member_read(member: service.Member) -> MemberRead:
    return MemberRead(
        user_id=member.user.id,
        email=member.user.email,
        full_name=member.user.full_name,
        role=member.role,
        is_active=member.user.is_active,
        joined_at=member.joined_at,
    )


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
        active_jobs=u.active_jobs,
    )


@router.get("/members", response_model=list[MemberRead], openapi_extra=ADMIN_ONLY)
def list_members(caller: CallerDep, session: SessionDep) -> list[MemberRead]:
    """Members of the organisation and their roles (administrators only)."""
    return [member_read(m) for m in service.list_members(session, caller.organization_id)]


@router.patch(
    "/members/{user_id}",
    response_model=MemberRead,
    responses=error_responses(400, 404, 409, 422),
    openapi_extra=ADMIN_ONLY,
)
def update_member(
    user_id: int, body: MemberUpdate, caller: CallerDep, session: SessionDep
) -> MemberRead:
    """Change a member's role (the last administrator cannot be demoted)."""
    return member_read(service.set_member_role(session, caller.organization_id, user_id, body.role))


@router.delete(
    "/members/{user_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(404, 409, 422),
    openapi_extra=ADMIN_ONLY,
)
def remove_member(user_id: int, caller: CallerDep, session: SessionDep) -> Response:
    """Remove a member from the organisation (their account stays)."""
    service.remove_member(session, caller.organization_id, user_id)
    return Response(status_code=204)
