"""Invitations: administrators invite (``POST /organization/members``), list and revoke;
the invitee accepts with the one-time token (public) and is logged in.

Accepting is throttled per address like login, and wrong passwords for an existing account
count towards that account's failed-login lock-out.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from matdiscover.api.deps import (
    ADMIN_ONLY,
    CallerDep,
    PublicSessionDep,
    SessionDep,
    SettingsDep,
    actor_of,
)
from matdiscover.api.responses import error_responses
from matdiscover.domains.audit import service as audit
from matdiscover.domains.auth import service as auth
from matdiscover.domains.auth.schemas import OrganizationRef, TokenPair, UserRead
from matdiscover.domains.identity import Caller
from matdiscover.domains.invitations import service
from matdiscover.domains.invitations.models import Invitation
from matdiscover.domains.invitations.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
)
from matdiscover.errors import MatDiscoverError

router = APIRouter(prefix="/organization", tags=["organization"])
public_router = APIRouter(prefix="/auth", tags=["auth"])


def invitation_read(row: Invitation) -> InvitationRead:
    return InvitationRead(
        id=row.id,
        email=row.email,
        role=row.role,
        status=service.status_of(row),
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
        revoked_at=row.revoked_at,
    )


@router.post(
    "/members",
    status_code=201,
    response_model=InvitationCreated,
    responses=error_responses(400, 409, 422),
    openapi_extra=ADMIN_ONLY,
)
def invite_member(
    body: InvitationCreate, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> InvitationCreated:
    """Invite someone by email. Nobody joins until the invitee accepts with the one-time
    ``invitation_token`` (POST /auth/invitations/accept), choosing the password of a new
    account or proving they own an existing one. The answer is the same whether or not an
    account exists; inviting again replaces a pending invitation."""
    new = service.invite(
        session,
        caller.organization_id,
        email=body.email,
        role=body.role,
        invited_by=caller.user_id,
        valid_for=timedelta(days=settings.invitation_days),
    )
    session.refresh(new.invitation)
    return InvitationCreated(
        **invitation_read(new.invitation).model_dump(), invitation_token=new.token
    )


@router.get("/invitations", response_model=list[InvitationRead], openapi_extra=ADMIN_ONLY)
def list_invitations(caller: CallerDep, session: SessionDep) -> list[InvitationRead]:
    """The organisation's invitations, newest first, with their status (administrators)."""
    return [invitation_read(r) for r in service.list_invitations(session, caller.organization_id)]


@router.delete(
    "/invitations/{invitation_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(404, 409, 422),
    openapi_extra=ADMIN_ONLY,
)
def revoke_invitation(invitation_id: int, caller: CallerDep, session: SessionDep) -> Response:
    """Withdraw an invitation: its token stops working (an accepted one cannot be)."""
    service.revoke(session, caller.organization_id, invitation_id)
    return Response(status_code=204)


@public_router.post(
    "/invitations/accept",
    response_model=TokenPair,
    responses=error_responses(400, 401, 409, 422, 429),
)
def accept_invitation(
    body: InvitationAccept, request: Request, session: PublicSessionDep, settings: SettingsDep
) -> TokenPair:
    """Join an organisation with an invitation token. A new account gets ``password``; an
    existing account for the invited email must give its current password (unchanged).
    Returns tokens for the organisation, as login does."""
    engine = request.app.state.engine
    ip = request.client.host if request.client else None
    auth.throttle_address(
        engine,
        f"invite-ip:{ip}",
        limit=settings.login_attempts_per_minute_ip,
        what="invitation attempts from this address",
    )
    try:
        invitation = service.find_pending(session, body.token)
        fail_bucket = f"login-fail:{invitation.email}"
        auth.check_account_lock(engine, fail_bucket, settings)
        try:
            joined = service.accept(
                session, invitation, password=body.password, full_name=body.full_name
            )
        except service.WrongPassword:
            auth.count_failed_attempt(engine, fail_bucket, settings)
            raise
    except MatDiscoverError as exc:
        session.rollback()
        audit.record_now(
            engine,
            actor_of(request, None),
            "auth.invitation_failed",
            details={"reason": exc.message},
        )
        raise
    issued = auth.open_session(
        session,
        joined.user,
        joined.organization,
        joined.role,
        policy=auth.TokenPolicy(
            secret=request.app.state.token_secret,
            access_ttl=timedelta(minutes=settings.access_token_minutes),
            refresh_ttl=timedelta(days=settings.refresh_token_days),
        ),
        client=auth.ClientInfo(ip=ip, user_agent=request.headers.get("user-agent")),
    )
    caller = Caller(joined.organization.id, joined.user.id, joined.role, method="token")
    audit.record(
        session,
        actor_of(request, caller),
        "auth.invitation_accepted",
        object_type="invitation",
        object_id=str(joined.invitation.id),
        details={"role": joined.role.value},
    )
    return TokenPair(
        access_token=issued.access_token,
        expires_in=issued.access_expires_in,
        refresh_token=issued.refresh_token,
        refresh_expires_in=issued.refresh_expires_in,
        user=UserRead(id=issued.user.id, email=issued.user.email, full_name=issued.user.full_name),
        organization=OrganizationRef(
            id=issued.organization.id,
            slug=issued.organization.slug,
            name=issued.organization.name,
            plan=issued.organization.plan.value,
        ),
        role=issued.role,
    )
