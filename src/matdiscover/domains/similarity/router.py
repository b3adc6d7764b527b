"""HTTP endpoints of similarity search (thin; delegate to the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matdiscover.api.deps import READ_ONLY, CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.similarity import service
from matdiscover.domains.similarity.schemas import SimilarBy, SimilarPage, SimilarRequest
from matdiscover.errors import InvalidStructure

router = APIRouter(tags=["similarity"])


@router.get(
    "/materials/{material_id}/similar",
    response_model=SimilarPage,
    responses=error_responses(400, 404, 422),
)
def similar_materials(
    material_id: int,
    session: SessionDep,
    caller: CallerDep,
    k: Annotated[int, Query(ge=1, le=200)] = 20,
    by: SimilarBy = "composition",
) -> SimilarPage:
    """The ``k`` materials most similar to one material by composition or structure."""
    return service.similar_to_material(
        session, material_id, organization_id=caller.organization_id, k=k, by=by
    )


@router.post(
    "/similar",
    response_model=SimilarPage,
    responses=error_responses(400, 422),
    openapi_extra=READ_ONLY,
)
def similar_to_input(
    body: SimilarRequest, session: SessionDep, caller: CallerDep, settings: SettingsDep
) -> SimilarPage:
    """The ``k`` materials most similar to an inline formula or structure file."""
    structure = None
    label = body.formula or ""
    if body.structure is not None:
        from matdiscover.science.io import read_structures_isolated

        data = body.structure.content.encode()
        result = read_structures_isolated(
            data, body.structure.filename, symprec=settings.symprec, limits=settings.parse_limits()
        )
        if not result.structures:
            detail = "; ".join(m for _, m in result.errors) or "no structure in the file"
            raise InvalidStructure(detail)
        structure = result.structures[0].structure
        label = body.structure.filename
    return service.similar_to_input(
        session,
        organization_id=caller.organization_id,
        formula=body.formula,
        structure=structure,
        label=label,
        k=body.k,
        by=body.by,
    )
