"""Request dependencies, declared once as typed aliases.

Security lives here, in one place:

- ``CallerDep`` resolves who is calling (local mode: the implicit local user, loopback
  clients only; otherwise a bearer access token or API key, else 401).
- ``SessionDep`` is bound to the caller's organisation (see ``matdiscover.db.tenancy``):
  every endpoint that uses it is tenant-scoped without remembering to be. Write requests
  are audited in the same transaction as the write.
- ``authorize`` runs on every protected router: viewers get 403 on writes, non-admins 403
  on admin operations, and writes are rate limited per user/key and per IP.
- ``PublicSessionDep`` is the explicit, unscoped opt-out for public endpoints (health,
  login, token refresh).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from matdiscover.db.engine import session_scope, transaction
from matdiscover.db.tenancy import bind_tenant, touched_rows
from matdiscover.domains.audit import service as audit
from matdiscover.domains.auth import ratelimit
from matdiscover.domains.auth.service import caller_from_bearer
from matdiscover.domains.identity import Caller
from matdiscover.errors import Forbidden, Unauthenticated
from matdiscover.settings import Settings
from matdiscover.storage import ObjectStore

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ACCESS_KEY = "x-access"
# openapi_extra markers for routes whose access differs from their HTTP method's default
READ_ONLY: dict[str, Any] = {ACCESS_KEY: "read"}  # a POST that only reads (e.g. a search)
ADMIN_ONLY: dict[str, Any] = {ACCESS_KEY: "admin"}
# a write on the caller's own account (password, own API keys): any role may do it
SELF_SERVICE: dict[str, Any] = {ACCESS_KEY: "self"}
# rows that are bookkeeping, not the object a write is about
_NOT_AUDIT_OBJECTS = frozenset({"audit_log", "usage_records", "rate_limit_windows"})

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from POST /api/v1/auth/login, or an API key (mdk_...).",
)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> ObjectStore:
    store: ObjectStore = request.app.state.store
    return store


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def actor_of(request: Request, caller: Caller | None) -> audit.Actor:
    return audit.Actor(
        organization_id=caller.organization_id if caller else None,
        user_id=caller.user_id if caller else None,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        api_key_id=caller.api_key_id if caller else None,
    )


def _require_loopback_peer(request: Request) -> None:
    host = client_ip(request)
    try:
        peer = ipaddress.ip_address(host or "")
    except ValueError:
        return  # Unix socket or in-process client
    if not peer.is_loopback:
        raise Forbidden(
            "this server runs in local mode (no accounts) and accepts requests from this "
            "machine only; set MATDISCOVER_AUTH=required and MATDISCOVER_SECRET_KEY to serve "
            "other machines"
        )


def _credential(request: Request, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if request.headers.get("authorization") and bearer is None:
        raise Unauthenticated("use 'Authorization: Bearer <access token or API key>'")
    if bearer is not None:
        return bearer.credentials.strip() or None
    key = request.headers.get("x-api-key", "").strip()
    return key or None


def get_caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Who is calling. Credentials, when sent, are always checked (also in local mode)."""
    settings: Settings = request.app.state.settings
    credential = _credential(request, bearer)
    if credential is None:
        if settings.auth_required:
            raise Unauthenticated()
        _require_loopback_peer(request)
        local: Caller = request.app.state.local_caller
        return local
    secret: str = request.app.state.token_secret
    session: Session = request.app.state.session_factory()
    try:
        caller = caller_from_bearer(session, credential, secret=secret)
        session.commit()  # API key last-used time
    except Unauthenticated as exc:
        session.rollback()
        audit.record_now(
            request.app.state.engine,
            actor_of(request, None),
            "auth.rejected",
            details={"reason": exc.message, "path": request.url.path[:200]},
        )
        raise
    finally:
        session.close()
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def access_of(request: Request) -> str:
    """'read', 'write', 'self' or 'admin': the route's marker, else by HTTP method."""
    route = request.scope.get("route")
    extra = getattr(route, "openapi_extra", None) or {}
    marked = extra.get(ACCESS_KEY)
    if isinstance(marked, str):
        return marked
    return "write" if request.method in WRITE_METHODS else "read"


def authorize(request: Request, caller: CallerDep) -> None:
    """Role check and write rate limits for every protected route."""
    access = access_of(request)
    if access == "admin" and not caller.is_admin:
        raise Forbidden("only administrators of this organisation can do this")
    if access == "write" and not caller.can_write:
        raise Forbidden("your role in this organisation is read-only (viewer)")
    if access == "read" or caller.method == "local":
        return
    settings: Settings = request.app.state.settings
    engine = request.app.state.engine
    ratelimit.hit(
        engine,
        f"write:{caller.principal}",
        limit=settings.writes_per_minute,
        what="write requests for this user or API key",
    )
    ratelimit.hit(
        engine,
        f"write-ip:{client_ip(request)}",
        limit=settings.writes_per_minute_ip,
        what="write requests from this address",
    )


def route_template(request: Request) -> str:
    """The matched route's full path template, e.g. ``/api/v1/materials/{material_id}``
    (routes of nested routers know only their own part; the request path gives the rest)."""
    tail = getattr(request.scope.get("route"), "path_format", None)
    path = request.url.path
    if not tail:
        return path
    segments = tail.count("/")
    return path.rsplit("/", segments)[0] + tail


def _audit_write(session: Session, request: Request, caller: Caller) -> None:
    path = route_template(request)
    objects = [t for t in touched_rows(session) if t[0] not in _NOT_AUDIT_OBJECTS]
    object_type, object_id = objects[0] if objects else (None, None)
    for name, value in request.path_params.items():
        if name.endswith("_id"):
            object_type, object_id = name[:-3], str(value)
            break
    audit.record(
        session,
        actor_of(request, caller),
        f"{request.method} {path}",
        object_type=object_type,
        object_id=object_id,
        details={"objects": [f"{t}:{i}" for t, i in objects[:20]]} if objects else None,
    )


def get_session(request: Request, caller: CallerDep) -> Iterator[Session]:
    """One session per request, scoped to the caller's organisation; commits when the
    endpoint returns (before the response is sent, see ``SessionDep``), rolls back on error.
    Write requests are audited in the same transaction."""
    tenant_session = bind_tenant(request.app.state.session_factory(), caller.organization_id)
    with transaction(tenant_session) as session:
        yield session
        if request.method in WRITE_METHODS and access_of(request) != "read":
            session.flush()
            _audit_write(session, request, caller)


def get_public_session(request: Request) -> Iterator[Session]:
    """An unscoped session for public endpoints (no caller)."""
    with session_scope(request.app.state.session_factory) as session:
        yield session


@contextmanager
def scoped_session(request: Request, caller: Caller) -> Iterator[Session]:
    """A caller-scoped session outside the request's own (e.g. inside a stream)."""
    with session_scope(request.app.state.session_factory) as session:
        yield bind_tenant(session, caller.organization_id)


# scope="function": commit before the response leaves, so a client that GETs what it just
# created never races the commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PublicSessionDep = Annotated[Session, Depends(get_public_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
