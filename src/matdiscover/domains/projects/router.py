"""HTTP endpoints of projects: ``/projects``, their items, notes, measurements, parity
data, recalibrations and CSV export. Viewers read, researchers write, administrators
delete projects; another organisation's project is a 404."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from matdiscover.api.deps import ADMIN_ONLY, CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.experiments.schemas import MeasurementRead
from matdiscover.domains.projects import export, importing, parity, recalibrations, service
from matdiscover.domains.projects.schemas import (
    ItemCreate,
    ItemList,
    ItemRead,
    ItemUpdate,
    MeasurementImport,
    MeasurementList,
    MeasurementRejected,
    NoteCreate,
    NoteList,
    NoteRead,
    Parity,
    ProjectCreate,
    ProjectList,
    ProjectRead,
    ProjectUpdate,
    RecalibrationCreate,
    RecalibrationList,
    RecalibrationRead,
    RecalibrationUpdate,
    RowErrorRead,
)
from matdiscover.domains.projects.table import SORT_HELP, item_table
from matdiscover.science.properties import PropertyName
from matdiscover.uploads import read_bounded

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=ProjectList, responses=error_responses(400))
def list_projects(session: SessionDep, caller: CallerDep) -> ProjectList:
    """Your organisation's projects by name, with item and measurement counts."""
    return ProjectList(items=service.list_projects(session, organization_id=caller.organization_id))


@router.post(
    "", status_code=201, response_model=ProjectRead, responses=error_responses(400, 409, 422)
)
def create_project(session: SessionDep, caller: CallerDep, body: ProjectCreate) -> ProjectRead:
    """A new project (names are unique within the organisation: 409 otherwise)."""
    project = service.create(session, body, organization_id=caller.organization_id)
    return service.read(session, project)


@router.get("/{project_id}", response_model=ProjectRead, responses=error_responses(400, 404))
def get_project(session: SessionDep, caller: CallerDep, project_id: int) -> ProjectRead:
    return service.read(
        session, service.get(session, project_id, organization_id=caller.organization_id)
    )


@router.patch(
    "/{project_id}", response_model=ProjectRead, responses=error_responses(400, 404, 409, 422)
)
def update_project(
    session: SessionDep, caller: CallerDep, project_id: int, body: ProjectUpdate
) -> ProjectRead:
    project = service.update(session, project_id, body, organization_id=caller.organization_id)
    return service.read(session, project)


@router.delete(
    "/{project_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 404),
    openapi_extra=ADMIN_ONLY,
)
def delete_project(session: SessionDep, caller: CallerDep, project_id: int) -> Response:
    """Delete a project (administrators): its items, notes and recalibrations go; its
    measurements stay in the organisation's records, detached from the project."""
    service.delete(session, project_id, organization_id=caller.organization_id)
    return Response(status_code=204)


# ------------------------------------------------------------------------ items


@router.get("/{project_id}/items", response_model=ItemList, responses=error_responses(400, 404))
def list_items(
    session: SessionDep,
    caller: CallerDep,
    project_id: int,
    sort: Annotated[str, Query(max_length=64, description=SORT_HELP)] = "added",
    order: Literal["asc", "desc"] = "asc",
) -> ItemList:
    """The project table: every item with its latest prediction per property (±σ, model
    name and version; the recalibrated value beside it when a recalibration is enabled),
    its measured values (latest version of each) and its compound's reference values."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    rows = item_table(
        session, project, organization_id=caller.organization_id, sort=sort, order=order
    )
    return ItemList(items=rows, sort=sort, order=order)


def _item_read(session: SessionDep, caller: CallerDep, project_id: int, item_id: int) -> ItemRead:
    project = service.get(session, project_id, organization_id=caller.organization_id)
    rows = item_table(session, project, organization_id=caller.organization_id)
    return next(r for r in rows if r.id == item_id)


@router.post(
    "/{project_id}/items",
    status_code=201,
    response_model=ItemRead,
    responses=error_responses(400, 404, 409, 422),
)
def add_item(session: SessionDep, caller: CallerDep, project_id: int, body: ItemCreate) -> ItemRead:
    """Track one of your uploads (``material_id``) or a known compound (``formula``:
    404 if it is not a known compound; 409 if already tracked)."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    item = service.add_item(
        session, project, body, organization_id=caller.organization_id, user_id=caller.user_id
    )
    return _item_read(session, caller, project_id, item.id)


@router.patch(
    "/{project_id}/items/{item_id}",
    response_model=ItemRead,
    responses=error_responses(400, 404, 422),
)
def update_item(
    session: SessionDep, caller: CallerDep, project_id: int, item_id: int, body: ItemUpdate
) -> ItemRead:
    """Change an item's status and/or tags."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    service.update_item(session, project, item_id, body)
    return _item_read(session, caller, project_id, item_id)


@router.delete(
    "/{project_id}/items/{item_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 404),
)
def delete_item(session: SessionDep, caller: CallerDep, project_id: int, item_id: int) -> Response:
    """Stop tracking an item (its measurements stay, detached from it)."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    service.delete_item(session, project, item_id)
    return Response(status_code=204)


# ------------------------------------------------------------------------ notes


@router.get("/{project_id}/notes", response_model=NoteList, responses=error_responses(400, 404))
def list_notes(session: SessionDep, caller: CallerDep, project_id: int) -> NoteList:
    """Notes on the project and its items, newest first, with author and time."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    return NoteList(items=service.notes_of(session, project))


@router.post(
    "/{project_id}/notes",
    status_code=201,
    response_model=NoteRead,
    responses=error_responses(400, 404, 422),
)
def add_note(session: SessionDep, caller: CallerDep, project_id: int, body: NoteCreate) -> NoteRead:
    project = service.get(session, project_id, organization_id=caller.organization_id)
    note = service.add_note(session, project, body, user_id=caller.user_id)
    return NoteRead.model_validate(note)


# ------------------------------------------------------------------------ measurements


@router.get(
    "/{project_id}/measurements",
    response_model=MeasurementList,
    responses=error_responses(400, 404),
)
def list_measurements(session: SessionDep, caller: CallerDep, project_id: int) -> MeasurementList:
    """The project's live measurements (latest version each), oldest first."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    rows = experiments.for_project(session, project.id)
    return MeasurementList(items=[MeasurementRead.model_validate(m) for m in rows])


@router.post(
    "/{project_id}/measurements",
    status_code=201,
    response_model=MeasurementImport,
    responses={
        **error_responses(400, 404, 413),
        422: {"model": MeasurementRejected, "description": "Bad rows; nothing was stored"},
    },
)
def upload_measurements(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    project_id: int,
    file: Annotated[UploadFile, File(description="CSV, TSV or XLSX of measurements")],
    store_valid_rows: Annotated[
        bool, Form(description="Store the good rows even if some rows are bad")
    ] = False,
) -> MeasurementImport | JSONResponse:
    """Import measured values (see the README for the columns). All or nothing: any bad
    row is a 422 listing every bad row (row, column, message) and nothing is stored,
    unless ``store_valid_rows`` is set (then the good rows are stored and the bad ones
    listed). A file that cannot be read as a whole is a 400; above the file size limit a
    413."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    limit = settings.max_file_bytes
    data = read_bounded(file.file, limit)
    outcome = importing.import_file(
        session,
        project,
        data,
        file.filename or "measurements.csv",
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        store_valid_rows=store_valid_rows,
        max_bytes=limit,
    )
    errors = [RowErrorRead(row=e.row, column=e.column, message=e.message) for e in outcome.errors]
    if outcome.rejected:
        rows = len({e.row for e in errors})
        body = MeasurementRejected(
            detail=f"{rows} bad row(s); nothing was stored (fix them, or send "
            "store_valid_rows=true to store the good rows)",
            errors=errors,
        )
        return JSONResponse(body.model_dump(), status_code=422)
    return MeasurementImport(
        stored=len(outcome.stored_ids),
        measurement_ids=outcome.stored_ids,
        items_added=outcome.items_added,
        errors=errors,
        ignored_columns=outcome.ignored_columns,
    )


# ------------------------------------------------------------------------ parity


@router.get("/{project_id}/parity", response_model=Parity, responses=error_responses(400, 404))
def get_parity(
    session: SessionDep,
    caller: CallerDep,
    project_id: int,
    property: PropertyName,
    by: Annotated[Literal["chemistry"] | None, Query(description="Group residuals")] = None,
) -> Parity:
    """Predicted (±σ, model and version) versus measured (± uncertainty) for one
    property: the points, MAE/RMSE/bias/95 % coverage overall and per model, the
    recalibrated values and metrics when a recalibration is enabled, and with
    ``by=chemistry`` the residuals by chemical family."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    return parity.parity(session, project, property, organization_id=caller.organization_id, by=by)


# ------------------------------------------------------------------------ recalibrations


@router.get(
    "/{project_id}/recalibrations",
    response_model=RecalibrationList,
    responses=error_responses(400, 404),
)
def list_recalibrations(
    session: SessionDep, caller: CallerDep, project_id: int
) -> RecalibrationList:
    project = service.get(session, project_id, organization_id=caller.organization_id)
    rows = recalibrations.list_for(session, project)
    return RecalibrationList(items=[recalibrations.to_read(r) for r in rows])


@router.post(
    "/{project_id}/recalibrations",
    status_code=201,
    response_model=RecalibrationRead,
    responses=error_responses(400, 404, 422),
)
def create_recalibration(
    session: SessionDep, caller: CallerDep, project_id: int, body: RecalibrationCreate
) -> RecalibrationRead:
    """Fit a correction of the property's predictions on the project's measurements and
    store it as a new version, disabled (400 with too few measurements)."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    row = parity.fit(
        session,
        project,
        body.property,
        body.model_name,
        organization_id=caller.organization_id,
        user_id=caller.user_id,
    )
    return recalibrations.to_read(row)


@router.patch(
    "/{project_id}/recalibrations/{recalibration_id}",
    response_model=RecalibrationRead,
    responses=error_responses(400, 404, 422),
)
def update_recalibration(
    session: SessionDep,
    caller: CallerDep,
    project_id: int,
    recalibration_id: int,
    body: RecalibrationUpdate,
) -> RecalibrationRead:
    """Turn a recalibration on (other versions of the property go off) or off."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    row = recalibrations.set_enabled(session, project, recalibration_id, body.enabled)
    return recalibrations.to_read(row)


# ------------------------------------------------------------------------ export


@router.get(
    "/{project_id}/export.csv",
    response_class=Response,
    responses={**error_responses(400, 404), 200: {"content": {"text/csv": {}}}},
)
def export_csv(
    session: SessionDep,
    caller: CallerDep,
    project_id: int,
    excel: Annotated[bool, Query(description="Excel-friendly: UTF-8 with a BOM")] = False,
) -> Response:
    """The project table as CSV (header documented in the README); text cells that a
    spreadsheet would run as formulas are prefixed with ``'``."""
    project = service.get(session, project_id, organization_id=caller.organization_id)
    rows = item_table(session, project, organization_id=caller.organization_id)
    filename = f"project-{project.id}.csv"
    return Response(
        export.to_csv(rows, excel=excel),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
