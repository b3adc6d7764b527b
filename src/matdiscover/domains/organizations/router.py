"""The caller's organisation: its members (administrators). New members join by
invitation (``matdiscover.domains.invitations``); plan usage is ``GET /organization/usage``
(``matdiscover.api.routes.usage``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from matdiscover.api.deps import ADMIN_ONLY, CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.organizations import service
from matdiscover.domains.organizations.schemas import MemberRead, MemberUpdate

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
