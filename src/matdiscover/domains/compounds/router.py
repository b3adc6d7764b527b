"""HTTP endpoints of the compounds domain: ``GET /compounds`` and ``GET /compounds/{key}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from matdiscover.api.deps import CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.compounds import service
from matdiscover.domains.compounds.schemas import (
    CompoundDetail,
    CompoundSearchPage,
    CompoundSearchParams,
)

router = APIRouter(prefix="/compounds", tags=["compounds"])


@router.get("", response_model=CompoundSearchPage, responses=error_responses(400, 422))
def list_compounds(
    session: SessionDep,
    caller: CallerDep,
    params: Annotated[CompoundSearchParams, Query()],
) -> CompoundSearchPage:
    """Search the known compounds (one per reduced formula, every shipped source merged).

    Property ranges (``band_gap_min=1&bulk_modulus_min=100``) apply to each compound's
    headline reference values, so several ranges return compounds that satisfy all of
    them. ``space_group_number`` and ``crystal_system`` match any known structure of the
    compound. Unknown parameters are a 422; an inverted range is a 400.
    """
    return service.search_page(session, params)


@router.get("/{key}", response_model=CompoundDetail, responses=error_responses(400, 404))
def get_compound(
    session: SessionDep,
    caller: CallerDep,
    key: Annotated[str, Path(max_length=200, description="Compound id or any formula")],
) -> CompoundDetail:
    """One compound: every reference value per property and source (value, entries, range,
    provenance), its known structures with citable ids, and your own materials of the
    same formula with their latest predictions."""
    return service.detail(session, key, organization_id=caller.organization_id)
