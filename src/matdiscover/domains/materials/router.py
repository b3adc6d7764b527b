"""HTTP endpoints of the materials domain: thin, look up, delegate."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import ValidationIssue, error_responses
from matdiscover.domains.identity import Caller
from matdiscover.domains.materials import search, service
from matdiscover.domains.materials.schemas import (
    MaterialRead,
    UploadedMaterial,
    UploadError,
    material_read,
)
from matdiscover.domains.materials.search import MaterialSearchPage, MaterialSearchParams
from matdiscover.domains.usage import service as usage
from matdiscover.errors import InputTooLarge, InvalidInput, QuotaExceeded
from matdiscover.science.io import is_zip
from matdiscover.settings import Settings

router = APIRouter(prefix="/materials", tags=["materials"])
logger = logging.getLogger(__name__)


class UploadRejected(BaseModel):
    """422 from an upload: no file could be read (one entry per file), or the request
    does not match the schema."""

    detail: list[UploadError] | list[ValidationIssue] | str


_UPLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    201: {"description": "One entry per structure read or per file that failed."},
    **error_responses(400, 402, 413),
    422: {"model": UploadRejected, "description": "No file could be read; per-file errors."},
}


@router.post(
    "",
    status_code=201,
    response_model=list[UploadedMaterial | UploadError],
    responses=_UPLOAD_RESPONSES,
)
def upload_materials(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    files: Annotated[
        list[UploadFile],
        File(
            description="Structure files (CIF, POSCAR/CONTCAR/.vasp, extended XYZ, "
            "pymatgen JSON) or .zip archives of them"
        ),
    ],
) -> list[UploadedMaterial | UploadError] | JSONResponse:
    """Upload structure files; each valid structure becomes a material."""
    if len(files) > settings.max_files_per_upload:
        raise InputTooLarge(
            f"too many files in one upload ({len(files)}; limit {settings.max_files_per_upload})"
        )
    uploads: list[service.UploadFile] = []
    early_errors: list[UploadError] = []
    total = 0
    for f in files:
        name = service.sanitize_filename(f.filename)
        data = f.file.read(settings.max_upload_bytes + 1)
        total += len(data)
        if total > settings.max_upload_bytes:
            raise InputTooLarge(
                f"upload exceeds the limit of {settings.max_upload_bytes // (1024 * 1024)} MB"
            )
        if len(data) > settings.max_file_bytes and not is_zip(data):
            early_errors.append(
                UploadError(
                    filename=name,
                    error=f"file is {len(data) / 1e6:.1f} MB; the limit per structure file is "
                    f"{settings.max_file_bytes / 1e6:.0f} MB",
                )
            )
            continue
        uploads.append(service.UploadFile(name, data))
    usage.check_storage(
        session, caller.organization_id, sum(len(u.data) for u in uploads), settings.plan_limits
    )
    outcome = service.ingest_files(
        session,
        uploads,
        organization_id=caller.organization_id,
        limits=settings.parse_limits(),
        symprec=settings.symprec,
    )
    usage.record_storage(
        session,
        caller.organization_id,
        sum(service.stored_bytes(row) for row, _ in outcome.created),
        user_id=caller.user_id,
    )
    if (
        settings.auto_predict
        and outcome.created
        and _charge_auto_predictions(session, caller, settings, len(outcome.created))
    ):
        from matdiscover.db.enqueue import defer_in_session

        for row, _ in outcome.created:
            defer_in_session(
                session,
                "matdiscover.predict_material",
                {"material_id": row.id, "organization_id": caller.organization_id},
                queueing_lock=f"predict-material-{row.id}",
            )
    errors = early_errors + [UploadError(filename=n, error=e) for n, e in outcome.errors]
    if not outcome.created:
        session.rollback()
        detail = [e.model_dump() for e in errors] or [
            {"filename": "", "error": "no files were uploaded"}
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    created: list[UploadedMaterial | UploadError] = [
        UploadedMaterial.model_validate({**material_read(row).model_dump(), "label": label})
        for row, label in outcome.created
    ]
    return created + errors


def _charge_auto_predictions(
    session: Session, caller: Caller, settings: Settings, count: int
) -> bool:
    """Charge the automatic predictions of an upload; over quota the upload still succeeds,
    without them (the material page shows none, and "predict" explains the quota)."""
    try:
        with session.begin_nested():
            usage.charge_predictions(
                session,
                caller.organization_id,
                count,
                settings.plan_limits,
                user_id=caller.user_id,
                what="upload's automatic predictions",
            )
    except QuotaExceeded:
        logger.info(
            "organisation %s: over prediction quota, upload not auto-predicted",
            caller.organization_id,
        )
        return False
    return True


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
    result = search.search(
        session,
        params.filters(),
        organization_id=caller.organization_id,
        sort=params.sort,
        descending=params.order == "desc",
        limit=params.limit,
        cursor=params.cursor,
    )
    return MaterialSearchPage(
        items=[search.to_hit(m, v) for m, v in result.rows],
        total=result.total,
        total_is_estimate=result.total_is_estimate,
        next_cursor=result.next_cursor,
    )


@router.get("/{material_id}", response_model=MaterialRead, responses=error_responses(404, 422))
def get_material(material_id: int, session: SessionDep, caller: CallerDep) -> MaterialRead:
    """One material."""
    return material_read(service.get(session, material_id, organization_id=caller.organization_id))


@router.delete("/{material_id}", status_code=204, responses=error_responses(404, 422))
def delete_material(material_id: int, session: SessionDep, caller: CallerDep) -> Response:
    """Delete one of your materials (reference entries cannot be deleted)."""
    freed = service.delete(session, material_id, organization_id=caller.organization_id)
    usage.record_storage(session, caller.organization_id, -freed, user_id=caller.user_id)
    return Response(status_code=204)


_MEDIA = {"cif": "chemical/x-cif", "poscar": "text/plain", "json": "application/json"}
_SUFFIX = {"cif": ".cif", "poscar": ".vasp", "json": ".json"}


@router.get(
    "/{material_id}/structure",
    response_class=Response,
    responses={
        **error_responses(404, 422),
        200: {
            "content": {
                "chemical/x-cif": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            }
        },
    },
)
def get_structure(
    material_id: int,
    session: SessionDep,
    caller: CallerDep,
    format: Literal["cif", "poscar", "json"] = "cif",
) -> Response:
    """The stored structure as CIF, POSCAR or pymatgen JSON."""
    row = service.get(session, material_id, organization_id=caller.organization_id)
    if format not in _MEDIA:
        raise InvalidInput("format must be cif, poscar or json")
    text = service.export_structure(row, format)
    name = f"{row.reduced_formula}_{row.id}{_SUFFIX[format]}"
    return Response(
        content=text,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
