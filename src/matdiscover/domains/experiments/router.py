"""HTTP endpoints of single measurements: read, edit (history kept), soft-delete.
Uploading and listing happen under ``/projects/{project_id}/measurements``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from matdiscover.api.deps import CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.experiments import service
from matdiscover.domains.experiments.schemas import (
    MeasurementEdit,
    MeasurementHistory,
    MeasurementRead,
)

router = APIRouter(prefix="/measurements", tags=["projects"])


@router.get(
    "/{measurement_id}", response_model=MeasurementRead, responses=error_responses(400, 404)
)
def get_measurement(session: SessionDep, caller: CallerDep, measurement_id: int) -> MeasurementRead:
    return MeasurementRead.model_validate(service.get(session, measurement_id))


@router.patch(
    "/{measurement_id}", response_model=MeasurementRead, responses=error_responses(400, 404, 422)
)
def edit_measurement(
    session: SessionDep, caller: CallerDep, measurement_id: int, body: MeasurementEdit
) -> MeasurementRead:
    """Change a measurement (values in its property's catalogue unit); the replaced
    values stay in its history and its ``version`` goes up by one."""
    row = service.edit(session, measurement_id, body, user_id=caller.user_id)
    return MeasurementRead.model_validate(row)


@router.delete(
    "/{measurement_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 404),
)
def delete_measurement(session: SessionDep, caller: CallerDep, measurement_id: int) -> Response:
    """Soft-delete: gone from listings, parity and fits; the history remains."""
    service.soft_delete(session, measurement_id, user_id=caller.user_id)
    return Response(status_code=204)


@router.get(
    "/{measurement_id}/history",
    response_model=MeasurementHistory,
    responses=error_responses(400, 404),
)
def measurement_history(
    session: SessionDep, caller: CallerDep, measurement_id: int
) -> MeasurementHistory:
    """Every version of the measurement, the current one first."""
    return service.history(session, measurement_id)
