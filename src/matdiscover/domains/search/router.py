"""HTTP endpoint of the search domain: ``GET /materials``, the list/search route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matdiscover.api.deps import CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.search import service
from matdiscover.domains.search.schemas import MaterialSearchPage, MaterialSearchParams

router = APIRouter(prefix="/materials", tags=["materials"])


@router.get("", response_model=MaterialSearchPage, responses=error_responses(400, 422))
def list_materials(
    session: SessionDep,
    caller: CallerDep,
    params: Annotated[MaterialSearchParams, Query()],
) -> MaterialSearchPage:
    """Search materials (see ``MaterialQuery``) with sorting and cursor pagination.

    ``total`` is exact when it can be counted quickly, else the planner's estimate
    (``total_is_estimate``). Unknown query parameters are a 422.
    """
    return service.search_page(session, params, organization_id=caller.organization_id)
