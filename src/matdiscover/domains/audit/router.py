"""The audit log, for administrators (thin: the service filters and pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from matdiscover.api.deps import ADMIN_ONLY, CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.db.base import MAX_ID
from matdiscover.domains.audit import service
from matdiscover.domains.audit.schemas import AuditPage, AuditRead

router = APIRouter(prefix="/audit", tags=["audit"])


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
    page = service.search(
        session,
        organization_id=caller.organization_id,
        flt=service.AuditFilter(action, user_id, object_type, object_id, since, until),
        limit=limit,
        before_id=before_id,
    )
    return AuditPage(
        items=[AuditRead.model_validate(r) for r in page.entries],
        next_before_id=page.next_before_id,
    )
