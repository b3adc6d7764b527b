"""HTTP endpoints of the materials domain: thin, look up, delegate.

The list/search route ``GET /materials`` belongs to the search domain
(``matdiscover.domains.search.router``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import ValidationIssue, error_responses
from matdiscover.domains.materials import service
from matdiscover.domains.materials.schemas import (
    MaterialRead,
    UploadedMaterial,
    UploadError,
    material_read,
)

router = APIRouter(prefix="/materials", tags=["materials"])


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
    outcome = service.upload(
        session,
        [(f.filename, f.file) for f in files],
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        settings=settings,
    )
    errors = [UploadError(filename=n, error=e) for n, e in outcome.errors]
    if not outcome.created:
        detail = [e.model_dump() for e in errors] or [
            {"filename": "", "error": "no files were uploaded"}
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    created: list[UploadedMaterial | UploadError] = [
        UploadedMaterial.model_validate({**material_read(row).model_dump(), "label": label})
        for row, label in outcome.created
    ]
    return created + errors


@router.get("/{material_id}", response_model=MaterialRead, responses=error_responses(404, 422))
def get_material(material_id: int, session: SessionDep, caller: CallerDep) -> MaterialRead:
    """One material, with ``known_match`` (computed and stored on first read for your
    structures uploaded before matching existed)."""
    row = service.get(session, material_id, organization_id=caller.organization_id)
    service.ensure_known_match(session, row)
    return material_read(row)


@router.delete("/{material_id}", status_code=204, responses=error_responses(404, 422))
def delete_material(material_id: int, session: SessionDep, caller: CallerDep) -> Response:
    """Delete one of your materials (reference entries cannot be deleted)."""
    service.delete(
        session, material_id, organization_id=caller.organization_id, user_id=caller.user_id
    )
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
    text = service.export_structure(row, format)
    name = f"{row.reduced_formula}_{row.id}{_SUFFIX[format]}"
    return Response(
        content=text,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
