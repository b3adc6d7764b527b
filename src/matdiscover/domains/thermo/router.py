"""HTTP endpoints: phase diagrams and material stability (thin; delegate to the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matdiscover.api.deps import CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.thermo import service
from matdiscover.domains.thermo.schemas import PhaseDiagramRead, StabilityRead

# the reference hull is built in the background when the API starts
router = APIRouter(tags=["thermo"], lifespan=service.warm_up_lifespan)


@router.get("/phase-diagram", response_model=PhaseDiagramRead, responses=error_responses(400, 422))
def get_phase_diagram(
    session: SessionDep,
    caller: CallerDep,
    chemsys: Annotated[str, Query(max_length=40, examples=["Li-Fe-O"])],
) -> PhaseDiagramRead:
    """Convex hull of up to 4 components over the Materials Project reference formation
    energies plus your materials with a predicted formation energy."""
    return service.get_phase_diagram(session, chemsys, organization_id=caller.organization_id)


@router.get(
    "/materials/{material_id}/stability",
    response_model=StabilityRead,
    responses=error_responses(404, 422),
)
def get_stability(material_id: int, session: SessionDep, caller: CallerDep) -> StabilityRead:
    """Energy above the reference hull and decomposition products of one material."""
    return service.get_stability(session, material_id, organization_id=caller.organization_id)
