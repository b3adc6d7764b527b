"""The audit log, for administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from matdiscover.api.deps import ADMIN_ONLY, CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.db.base import MAX_ID
from matdiscover.domains.audit import service

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditRead(BaseModel):
    id: int
    created_at: datetime
    action: str
    user_id: int | None
    object_type: str | None
    object_id: str | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_before_id: int | None


@router.get(
    "", response_model=AuditPage, responses=error_responses(400, 422), openapi_extra=ADMIN_ONLY
)
def list_audit(
    caller: CallerDep,
    session: SessionDep,
    action: Annotated[
        str | None, Query(max_length=64, description="Exact, or a prefix ending in '*'.")
    ] = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> AuditPage:
    """Writes and authentication events of this organisation, newest first."""
    rows = service.search(
        session,
        caller.organization_id,
        service.AuditFilter(action, user_id, object_type, object_id, since, until),
        limit=limit,
        before_id=before_id,
    )
    return AuditPage(
        items=[
            AuditRead(
                id=r.id,
                created_at=r.created_at,
                action=r.action,
                user_id=r.user_id,
                object_type=r.object_type,
                object_id=r.object_id,
                ip=r.ip,
                user_agent=r.user_agent,
                details=r.details,
            )
            for r in rows
        ],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )
