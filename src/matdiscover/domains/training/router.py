"""HTTP endpoints of training jobs (progress, events and cancel are the jobs routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep, StoreDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.jobs.schemas import JobRead
from matdiscover.domains.training import service
from matdiscover.domains.training.schemas import (
    StructureTrainingOptions,
    TrainingOptions,
    TrainingRequest,
)
from matdiscover.uploads import read_bounded

router = APIRouter(prefix="/models", tags=["models"])


@router.post(
    "/training",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(400, 404, 422, 429),
)
def start_training(
    body: TrainingRequest,
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    store: StoreDep,
) -> JobRead:
    """Fine-tune the shipped composition model of ``property`` with the project's
    measurements of it (a ``model_training`` job; follow it with ``GET /jobs/{id}`` or
    ``/jobs/{id}/events``, stop it with ``POST /jobs/{id}/cancel``). The result is a
    ``candidate`` model version (``params.model_version_id``) with its comparison on your
    held-out measurements and on the shipped test split. Unusable rows (none, constant,
    not finite, wrong unit) are a 400 and nothing is queued."""
    rows = service.project_rows(
        session, body.project_id, body.property, organization_id=caller.organization_id
    )
    job = service.start_training(
        session,
        store,
        rows,
        TrainingOptions.model_validate(body.model_dump(exclude={"project_id", "property"})),
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        source={"project_id": body.project_id},
        plan_limits=settings.plan_limits,
    )
    return jobs.to_read(session, job)


@router.post(
    "/training/upload",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(400, 413, 422, 429),
)
def start_training_upload(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    store: StoreDep,
    property: Annotated[str, Form(description="e.g. band_gap")],
    file: Annotated[
        UploadFile, File(description="CSV/TSV/XLSX/Parquet with formula, value and unit")
    ],
    epochs: Annotated[int, Form(ge=1, le=200)] = 12,
    user_weight: Annotated[float, Form(gt=0, le=1000)] = 10.0,
) -> JobRead:
    """Like ``POST /models/training`` with the rows from a file (above the file size
    limit: 413, before anything is read into a job)."""
    data = read_bounded(file.file, settings.max_file_bytes)
    rows = service.table_rows(data, file.filename or "training.csv", property)
    job = service.start_training(
        session,
        store,
        rows,
        TrainingOptions(epochs=epochs, user_weight=user_weight),
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        source={"file": file.filename},
        plan_limits=settings.plan_limits,
    )
    return jobs.to_read(session, job)


@router.post(
    "/training/structures",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(400, 413, 422, 429),
)
def start_structure_training(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[
        UploadFile,
        File(description="extended XYZ: periodic frames, each with its total energy (eV)"),
    ],
    epochs: Annotated[int, Form(ge=1, le=200)] = 20,
    freeze_backbone: Annotated[bool, Form()] = True,
    holdout_fraction: Annotated[float, Form(ge=0.05, le=0.5)] = 0.2,
    seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
) -> JobRead:
    """Fine-tune the structure model (CHGNet) on your structures with energies (a
    ``structure_training`` job; follow and cancel it like any job). Every frame needs a
    periodic cell and a total energy (``energy=`` in the comment line or a calculator
    result); forces are used when present. Whole structures are held out for the
    comparison. The result is a ``candidate`` version of ``energy_per_atom`` with its
    held-out energy and force errors next to the shipped CHGNet's. Unusable frames are a
    400 naming them; above the file size limit a 413; nothing is queued."""
    data = read_bounded(file.file, settings.max_file_bytes)
    name = file.filename or "frames.extxyz"
    frames = service.structure_frames(data, name)
    job = service.start_structure_training(
        session,
        store,
        data,
        name,
        frames,
        StructureTrainingOptions(
            epochs=epochs,
            freeze_backbone=freeze_backbone,
            holdout_fraction=holdout_fraction,
            seed=seed,
        ),
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        plan_limits=settings.plan_limits,
    )
    return jobs.to_read(session, job)
