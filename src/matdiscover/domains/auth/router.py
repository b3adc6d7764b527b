"""Auth endpoints: log in/out, refresh, who am I, password change and API keys.

Login, refresh and logout are public (they carry their own proof); the rest need a caller.
Login is throttled per address and per account, so password guessing stalls quickly.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from matdiscover.api.deps import (
    SELF_SERVICE,
    CallerDep,
    PublicSessionDep,
    SessionDep,
    SettingsDep,
    actor_of,
)
from matdiscover.api.responses import error_responses
from matdiscover.domains.audit import service as audit
from matdiscover.domains.auth import service
from matdiscover.domains.auth.models import ApiKey
from matdiscover.domains.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    LoginRequest,
    Me,
    Membership,
    OrganizationRef,
    PasswordChange,
    RefreshRequest,
    TokenPair,
    UserRead,
)
from matdiscover.domains.identity import Caller
from matdiscover.domains.organizations.service import Organization, User
from matdiscover.errors import Forbidden, Unauthenticated
from matdiscover.settings import Settings

public_router = APIRouter(
    prefix="/auth", tags=["auth"], responses=error_responses(400, 401, 422, 429)
)
router = APIRouter(tags=["auth"], responses=error_responses(400, 404, 422))


def _policy(request: Request, settings: Settings) -> service.TokenPolicy:
    return service.TokenPolicy(
        secret=request.app.state.token_secret,
        access_ttl=timedelta(minutes=settings.access_token_minutes),
        refresh_ttl=timedelta(days=settings.refresh_token_days),
    )


def org_ref(org: Organization) -> OrganizationRef:
    return OrganizationRef(id=org.id, slug=org.slug, name=org.name, plan=org.plan.value)


def user_read(user: User) -> UserRead:
    return UserRead(id=user.id, email=user.email, full_name=user.full_name)


def _pair(issued: service.IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=issued.access_token,
        expires_in=issued.access_expires_in,
        refresh_token=issued.refresh_token,
        refresh_expires_in=issued.refresh_expires_in,
        user=user_read(issued.user),
        organization=org_ref(issued.organization),
        role=issued.role,
    )


def _opened(
    session: Session, request: Request, issued: service.IssuedTokens, action: str
) -> TokenPair:
    """Audit a session opened by login or refresh (same transaction) and answer it."""
    caller = Caller(issued.organization.id, issued.user.id, issued.role, method="token")
    audit.record(
        session,
        actor_of(request, caller),
        action,
        object_type="user",
        object_id=str(issued.user.id),
    )
    return _pair(issued)


def _client(request: Request) -> service.ClientInfo:
    return service.ClientInfo(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


@public_router.post("/login", response_model=TokenPair)
def login(
    body: LoginRequest, request: Request, session: PublicSessionDep, settings: SettingsDep
) -> TokenPair:
    """Exchange email and password for a short-lived access token and a refresh token."""
    policy = _policy(request, settings)
    engine = request.app.state.engine
    client = _client(request)
    service.throttle_address(
        engine,
        f"login-ip:{client.ip}",
        limit=settings.login_attempts_per_minute_ip,
        what="login attempts from this address",
    )
    account = body.email.strip().lower()[:320]
    service.check_account_lock(engine, f"login-fail:{account}", settings)
    try:
        issued = service.login(
            session,
            email=body.email,
            password=body.password,
            organization=body.organization,
            policy=policy,
            client=client,
        )
    except Unauthenticated as exc:
        session.rollback()
        service.count_failed_attempt(engine, f"login-fail:{account}", settings)
        audit.record_now(
            engine,
            actor_of(request, None),
            "auth.login_failed",
            details={"email": account, "reason": exc.message},
        )
        raise
    return _opened(session, request, issued, "auth.login")


@public_router.post("/refresh", response_model=TokenPair)
def refresh(
    body: RefreshRequest, request: Request, session: PublicSessionDep, settings: SettingsDep
) -> TokenPair:
    """Rotate a refresh token: the old one stops working, a new pair is returned."""
    policy = _policy(request, settings)
    service.throttle_address(
        request.app.state.engine,
        f"refresh-ip:{request.client.host if request.client else None}",
        limit=settings.login_attempts_per_minute_ip * 4,
        what="token refreshes from this address",
    )
    try:
        issued = service.refresh(
            session, body.refresh_token, policy=policy, client=_client(request)
        )
    except Unauthenticated as exc:
        session.commit()  # keep a family revocation caused by a replayed token
        audit.record_now(
            request.app.state.engine,
            actor_of(request, None),
            "auth.refresh_failed",
            details={"reason": exc.message},
        )
        raise
    return _opened(session, request, issued, "auth.refresh")


@public_router.post("/logout", status_code=204, response_class=Response)
def logout(body: RefreshRequest, request: Request, session: PublicSessionDep) -> Response:
    """Revoke the refresh token's session (its access token expires on its own, soon)."""
    user_id = service.logout(session, body.refresh_token)
    if user_id is not None:
        audit.record(
            session,
            audit.Actor(None, user_id, _client(request).ip, _client(request).user_agent),
            "auth.logout",
            object_type="user",
            object_id=str(user_id),
        )
    return Response(status_code=204)


@router.get("/auth/me", response_model=Me)
def me(caller: CallerDep, session: SessionDep, settings: SettingsDep) -> Me:
    """The calling user, organisation, role and how they authenticated."""
    who = service.whoami(session, caller)
    return Me(
        user=user_read(who.user),
        organization=org_ref(who.organization),
        role=caller.role,
        auth_method=caller.method,  # type: ignore[arg-type]
        auth_required=settings.auth_required,
        memberships=[Membership(organization=org_ref(o), role=r) for o, r in who.memberships],
    )


@router.post("/auth/password", status_code=204, response_class=Response, openapi_extra=SELF_SERVICE)
def change_password(
    body: PasswordChange,
    request: Request,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Change your password; every session (access and refresh tokens) ends. Wrong current
    passwords count towards the same per-account lock-out as failed logins."""
    if caller.method != "token" or caller.user_id is None:
        raise Forbidden("log in with your password to change it (not with an API key)")
    engine = request.app.state.engine
    bucket = f"password-fail:user:{caller.user_id}"
    service.check_account_lock(engine, bucket, settings)
    try:
        service.change_password(session, caller.user_id, body.current_password, body.new_password)
    except Forbidden as exc:
        service.count_failed_attempt(engine, bucket, settings)
        audit.record_now(
            engine,
            actor_of(request, caller),
            "auth.password_change_failed",
            object_type="user",
            object_id=str(caller.user_id),
            details={"reason": exc.message},
        )
        raise
    return Response(status_code=204)


def key_read(row: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=row.id,
        name=row.name,
        prefix=f"mdk_{row.key_id}",
        role=row.role,
        user_id=row.user_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@router.get("/api-keys", response_model=list[ApiKeyRead])
def list_api_keys(caller: CallerDep, session: SessionDep) -> list[ApiKeyRead]:
    """Your API keys (administrators: every key of the organisation)."""
    return [key_read(k) for k in service.list_api_keys(session, caller)]


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated, openapi_extra=SELF_SERVICE)
def create_api_key(body: ApiKeyCreate, caller: CallerDep, session: SessionDep) -> ApiKeyCreated:
    """Create an API key for scripts. The secret is in this response only."""
    row, key = service.create_api_key(
        session, caller, name=body.name, role=body.role, expires_in_days=body.expires_in_days
    )
    session.refresh(row)
    return ApiKeyCreated(**key_read(row).model_dump(), key=key)


@router.delete(
    "/api-keys/{api_key_id}", status_code=204, response_class=Response, openapi_extra=SELF_SERVICE
)
def revoke_api_key(api_key_id: int, caller: CallerDep, session: SessionDep) -> Response:
    """Revoke an API key at once."""
    service.revoke_api_key(session, caller, api_key_id)
    return Response(status_code=204)
