"""HTTP endpoints of the visualisation domain."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from matdiscover.api.deps import CallerDep, SessionDep
from matdiscover.api.responses import ErrorBody, error_responses
from matdiscover.domains.visualization import service
from matdiscover.domains.visualization.schemas import ParityRead, SceneRead
from matdiscover.science.structures.scene import parse_supercell

scenes_router = APIRouter(prefix="/materials", tags=["visualization"])


@scenes_router.get(
    "/{material_id}/scene",
    response_model=SceneRead,
    responses={
        **error_responses(400, 422),
        404: {"model": ErrorBody, "description": "No such material, or composition only"},
    },
)
def get_scene(
    material_id: int,
    session: SessionDep,
    caller: CallerDep,
    supercell: Annotated[
        str,
        Query(
            pattern=r"^\s*[1-3]\s*(,\s*[1-3]\s*,\s*[1-3]\s*)?$",
            description="Repeats along a, b, c (1-3 each), e.g. 2,2,2",
            examples=["2,2,2"],
        ),
    ] = "1,1,1",
    bonding: Literal["crystalnn", "cutoff"] = "crystalnn",
    colours: Literal["jmol", "vesta"] = "jmol",
) -> SceneRead:
    """3D scene of a material: atoms, bonds (incl. across boundaries), polyhedra, cell.

    Bonds from CrystalNN (cutoff method above 120 sites). All lengths in Å.
    """
    return service.get_scene(
        session,
        material_id,
        organization_id=caller.organization_id,
        supercell=parse_supercell(supercell),
        bonding=bonding,
        colour_scheme=colours,
    )


models_router = APIRouter(prefix="/models", tags=["models"])


@models_router.get(
    "/{name}/parity",
    response_model=ParityRead,
    responses={404: {"model": ErrorBody, "description": "No such model"}},
)
def get_parity(name: str) -> ParityRead:
    """Held-out reference vs predicted values of a model (empty if it has no sample)."""
    return service.get_parity(name)


#: Everything this domain serves; include under the /api/v1 router.
router = APIRouter()
router.include_router(scenes_router)
router.include_router(models_router)
