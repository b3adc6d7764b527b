"""HTTP endpoints of the model registry: versions, promotion and rollback."""

from __future__ import annotations

from fastapi import APIRouter, Response

from matdiscover.api.deps import CallerDep, SessionDep, StoreDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.model_registry import service
from matdiscover.domains.model_registry.schemas import (
    ActiveModelRead,
    ModelVersionList,
    ModelVersionRead,
)

router = APIRouter(prefix="/models", tags=["models"])


@router.get("/versions", response_model=ModelVersionList, responses=error_responses(422))
def list_versions(
    session: SessionDep, caller: CallerDep, property: str | None = None
) -> ModelVersionList:
    """The organisation's model versions (newest first), then the shipped models as
    read-only versions; ``in_use`` marks what predictions of each property use now."""
    return ModelVersionList(
        items=service.catalogue(session, organization_id=caller.organization_id, prop=property)
    )


@router.get(
    "/versions/{version_id}",
    response_model=ModelVersionRead,
    responses=error_responses(404, 422),
)
def get_version(version_id: int, session: SessionDep, caller: CallerDep) -> ModelVersionRead:
    """One of the organisation's versions with its card, metrics and learning curve."""
    return service.to_read(service.get(session, version_id, organization_id=caller.organization_id))


@router.post(
    "/versions/{version_id}/promote",
    response_model=ModelVersionRead,
    responses=error_responses(404, 409, 422),
)
def promote_version(version_id: int, session: SessionDep, caller: CallerDep) -> ModelVersionRead:
    """Make the version active: the organisation's predictions of its property use it from
    the next prediction on (the previously active version is retired)."""
    row = service.promote(session, version_id, organization_id=caller.organization_id)
    return service.to_read(row)


@router.post(
    "/{property}/rollback",
    response_model=ActiveModelRead,
    responses=error_responses(404, 409, 422),
)
def rollback(property: str, session: SessionDep, caller: CallerDep) -> ActiveModelRead:
    """Retire the active version of ``property`` and restore the previous one (the shipped
    model if there was none): one call."""
    return service.rollback(session, property, organization_id=caller.organization_id)


@router.get(
    "/versions/{version_id}/files/{name}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the file"},
        **error_responses(404, 422),
    },
)
def download_file(
    version_id: int, name: str, session: SessionDep, caller: CallerDep, store: StoreDep
) -> Response:
    """One file of a version's artifact: ``chgnet.pt`` (a fine-tuned structure model:
    ``matdiscover.science.models.chgnet_path.finetune.load_finetuned_chgnet(bytes)`` gives
    the CHGNet), ``model.json.xz`` and ``mlp.npz`` (a composition model), ``card.json``."""
    data = service.artifact_file(
        session, store, version_id, name, organization_id=caller.organization_id
    )
    media = "application/json" if name.endswith(".json") else "application/octet-stream"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="version-{version_id}-{name}"'},
    )
