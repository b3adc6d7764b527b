"""Starting training jobs: validate the training rows (a clear 4xx before anything is
queued), snapshot them into the object store and queue the job.

The run itself is :mod:`.run` (called by the worker).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.orm import Session

from matdiscover.domains import tasks
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.projects import service as projects
from matdiscover.domains.training.schemas import StructureTrainingOptions, TrainingOptions
from matdiscover.errors import InvalidInput
from matdiscover.science.models.composition.finetune import TrainingRows, check_training_rows
from matdiscover.storage import ObjectStore

if TYPE_CHECKING:
    from matdiscover.science.models.chgnet_path.finetune import EnergyFrames

TRAINING_KIND = "model_training"
STRUCTURE_TRAINING_KIND = "structure_training"
#: What a structure fine-tune predicts: the potential's energy per atom on the scale of
#: the organisation's own calculations (registry property of its versions).
STRUCTURE_PROPERTY = "energy_per_atom"


def rows_key(job_id: int) -> str:
    return f"training/job-{job_id}/rows.parquet"


def frames_key(job_id: int) -> str:
    return f"training/job-{job_id}/frames.extxyz"


def checkpoint_key(job_id: int) -> str:
    return f"training/job-{job_id}/checkpoint.pt"


def project_rows(
    session: Session, project_id: int, prop: str, *, organization_id: int
) -> TrainingRows:
    """The project's live measurements of ``prop``, validated (``NotFound``: not the
    organisation's project; ``InvalidInput``: unusable rows)."""
    project = projects.get(session, project_id, organization_id=organization_id)
    rows = experiments.for_project(session, project.id, prop=prop)
    return check_training_rows(
        prop, [r.formula for r in rows], [r.value for r in rows], [r.unit for r in rows]
    )


def table_rows(data: bytes, filename: str, prop: str) -> TrainingRows:
    """Rows of an uploaded table with ``formula``, ``value`` and ``unit`` columns (read
    with the size limit: :func:`matdiscover.uploads.read_bounded`)."""
    from matdiscover.science.io.tables import read_composition_table

    frame = read_composition_table(data, filename)
    cols = {c.lower().strip(): c for c in frame.columns}
    if "value" not in cols:
        raise InvalidInput(f"{filename}: needs a 'value' column (and 'formula', 'unit')")
    if "unit" not in cols:
        raise InvalidInput(f"{filename}: needs a 'unit' column (the property's unit)")
    values = pd.to_numeric(frame[cols["value"]], errors="coerce").tolist()
    return check_training_rows(
        prop,
        frame["formula"].astype(str).tolist(),
        values,
        frame[cols["unit"]].astype(str).tolist(),
    )


def start_training(
    session: Session,
    store: ObjectStore,
    rows: TrainingRows,
    options: TrainingOptions,
    *,
    organization_id: int,
    user_id: int | None,
    source: dict[str, Any],
    plan_limits: dict[str, dict[str, int]] | None,
) -> jobs.Job:
    """Queue a fine-tune of the shipped model of ``rows.property`` on ``rows``."""
    return _queue(
        session,
        store,
        kind=TRAINING_KIND,
        key=rows_key,
        data=_rows_parquet(rows),
        params={
            "property": rows.property,
            "unit": rows.unit,
            "rows": len(rows),
            "data_fingerprint": rows.fingerprint(),
            "options": options.model_dump(),
            "source": source,
        },
        epochs=options.epochs,
        organization_id=organization_id,
        user_id=user_id,
        plan_limits=plan_limits,
    )


def structure_frames(data: bytes, filename: str) -> EnergyFrames:
    """The frames of an uploaded extxyz file with energies, validated (``InvalidInput``
    with the frame numbers for unusable frames; read with the size limit:
    :func:`matdiscover.uploads.read_bounded`)."""
    from matdiscover.science.models.chgnet_path.finetune import read_energy_frames

    return read_energy_frames(data, filename)


def start_structure_training(
    session: Session,
    store: ObjectStore,
    data: bytes,
    filename: str,
    frames: EnergyFrames,
    options: StructureTrainingOptions,
    *,
    organization_id: int,
    user_id: int | None,
    plan_limits: dict[str, dict[str, int]] | None,
) -> jobs.Job:
    """Queue a fine-tune of CHGNet on ``frames`` (read from ``data``, which is kept as the
    job's snapshot)."""
    return _queue(
        session,
        store,
        kind=STRUCTURE_TRAINING_KIND,
        key=frames_key,
        data=data,
        params={
            "property": STRUCTURE_PROPERTY,
            "unit": "eV/atom",
            "rows": len(frames),
            "filename": filename,
            "data_fingerprint": frames.fingerprint(),
            "options": options.model_dump(),
            "source": {"file": filename},
        },
        epochs=options.epochs,
        organization_id=organization_id,
        user_id=user_id,
        plan_limits=plan_limits,
    )


def _queue(
    session: Session,
    store: ObjectStore,
    *,
    kind: str,
    key: Callable[[int], str],
    data: bytes,
    params: dict[str, Any],
    epochs: int,
    organization_id: int,
    user_id: int | None,
    plan_limits: dict[str, dict[str, int]] | None,
) -> jobs.Job:
    """One job slot of the plan; the data is snapshotted, so later edits do not change
    the run."""
    jobs.check_job_slot(session, organization_id, plan_limits)
    job = jobs.Job(
        organization_id=organization_id,
        created_by_id=user_id,
        kind=kind,
        status=jobs.JobStatus.queued,
        params={**params, "learning_curve": []},
        total=epochs + 1,
    )
    session.add(job)
    session.flush()
    blob = key(job.id)
    job.input_uri = store.url_for(blob)
    tasks.defer(session, tasks.TrainModel(job_id=job.id))
    session.flush()
    store.put(blob, data)
    jobs.delete_blobs_on_rollback(session, store, [blob])
    return job


def _rows_parquet(rows: TrainingRows) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame({"formula": list(rows.formulas), "value": rows.values}).to_parquet(buf)
    return buf.getvalue()


def read_rows(store: ObjectStore, job_id: int, prop: str, unit: str) -> TrainingRows:
    frame = pd.read_parquet(io.BytesIO(store.get(rows_key(job_id))))
    formulas: Sequence[str] = frame["formula"].astype(str).tolist()
    return check_training_rows(prop, formulas, frame["value"].tolist(), [unit] * len(frame))


def read_frames(store: ObjectStore, job_id: int, filename: str) -> EnergyFrames:
    from matdiscover.science.models.chgnet_path.finetune import read_energy_frames

    return read_energy_frames(store.get(frames_key(job_id)), filename)
