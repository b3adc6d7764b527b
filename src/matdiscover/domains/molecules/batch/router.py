"""``POST /molecules/batch``: a file of molecules profiled and stored on the job queue.

The job is an ordinary job of kind ``molecule_batch``: poll ``GET /jobs/{id}``, stream
``GET /jobs/{id}/events``, cancel, retry, read ``/jobs/{id}/results`` and
``/jobs/{id}/errors`` like any batch job.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep, StoreDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.jobs.schemas import JobRead
from matdiscover.domains.molecules.batch.submit import Priority, submit_molecule_batch
from matdiscover.domains.usage import service as usage
from matdiscover.science.chemistry.inputs import DEFAULT_MAX_BYTES
from matdiscover.uploads import read_bounded

router = APIRouter(tags=["molecules"])


@router.post(
    "/molecules/batch",
    status_code=202,
    response_model=JobRead,
    responses=error_responses(400, 402, 413, 422, 429),
)
def submit_molecule_batch_job(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[
        UploadFile,
        File(
            description="SMILES list (.smi), CSV/TSV with a 'smiles' column (optional name, "
            "id and ChEMBL-style activity columns) or SDF/MOL; at most 10 MB"
        ),
    ],
    priority: Annotated[
        Priority, Form(description="Queue priority: high runs before normal before low")
    ] = "normal",
) -> JobRead:
    """Profile and store every molecule of a file on the job queue; returns the job at once.

    Each molecule is standardised (InChIKey), described, checked for interference alerts,
    indexed against its activity and scored, then stored (an existing InChIKey is kept).
    Bad rows are listed by ``GET /jobs/{id}/errors`` with their line (record) number.
    Every molecule read counts against the monthly prediction quota (402 when it cannot).
    ``params.steps`` counts rows parsed, profiled and stored."""
    limit = min(settings.max_upload_bytes, DEFAULT_MAX_BYTES)
    data = read_bounded(file.file, limit)
    jobs.check_job_slot(session, caller.organization_id, settings.plan_limits)

    def check_quota(rows: int, molecules: int) -> None:  # before any file is stored
        usage.check_batch_rows(session, caller.organization_id, rows, settings.plan_limits)
        # like POST /molecules: a profile counts as a prediction; charged for every
        # molecule read at submission (also those the organisation already holds)
        usage.charge_predictions(
            session,
            caller.organization_id,
            molecules,
            settings.plan_limits,
            user_id=caller.user_id,
            what=f"molecule batch of {molecules:,} molecules",
        )

    job = submit_molecule_batch(
        session,
        store,
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        data=data,
        filename=file.filename or "molecules.csv",
        priority=priority,
        max_rows=settings.max_batch_rows,
        max_bytes=limit,
        check=check_quota,
    )
    return jobs.to_read(session, job)
