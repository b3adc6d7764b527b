"""Running a training job (the worker's side): load the snapshot data, fine-tune with a
checkpoint in the object store after every epoch, register the candidate version.

Two kinds share this lifecycle: ``model_training`` (a composition model fine-tuned on
measurements, :mod:`matdiscover.science.models.composition.finetune`) and
``structure_training`` (CHGNet fine-tuned on structures with energies,
:mod:`matdiscover.science.models.chgnet_path.finetune`).

A worker killed mid-run loses at most the epoch it was in: the queue hands the task to
another worker, which resumes from the last checkpoint. Cancelling the job (the jobs
service) stops the run after the current epoch.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.model_registry import service as registry
from matdiscover.domains.training.service import (
    STRUCTURE_TRAINING_KIND,
    TRAINING_KIND,
    checkpoint_key,
    read_frames,
    read_rows,
)
from matdiscover.storage import ObjectStore

log = logging.getLogger(__name__)

STOPPING = (jobs.JobStatus.cancelling, jobs.JobStatus.cancelled)
KINDS = (TRAINING_KIND, STRUCTURE_TRAINING_KIND)

#: ``on_epoch(point, checkpoint) -> keep going`` handed to the science fine-tunes.
OnEpoch = Callable[[Any, bytes], bool]


@dataclass
class Trained:
    """What a finished fine-tune hands to registration."""

    name: str
    method: str
    base_name: str
    base_version: str
    data_fingerprint: str
    metrics: dict[str, Any]
    learning_curve: list[Any]
    card: dict[str, Any]
    #: writes the model's artifact files into a folder, given the version label
    save: Callable[[Path, str], None]


def _now() -> datetime:
    return datetime.now(UTC)


def run_training(factory: sessionmaker[Session], store: ObjectStore, job_id: int) -> dict[str, Any]:
    """Run (or resume) training job ``job_id`` until it succeeds, fails or is cancelled."""
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id)
        if job is None or job.kind not in KINDS:
            return {"job_id": job_id, "missing": True}
        if job.status in STOPPING:
            _cancelled(job)
            return {"job_id": job_id, "status": "cancelled"}
        if job.status in jobs.TERMINAL:
            return {"job_id": job_id, "status": job.status.value}
        job.status = jobs.JobStatus.running
        job.started_at = job.started_at or _now()
        params, kind = dict(job.params), job.kind
        organization_id, user_id = job.organization_id, job.created_by_id
    ckpt = checkpoint_key(job_id)
    resume = store.get(ckpt) if store.exists(ckpt) else None
    if resume is not None:
        _record_resume(factory, job_id, kind, resume)

    def on_epoch(point: Any, state: bytes) -> bool:
        store.put(ckpt, state)  # before the progress: a resumed run never repeats it
        with session_scope(factory) as session:
            row = session.get(jobs.Job, job_id, with_for_update=True)
            if row is None or row.status in STOPPING:
                if row is not None:
                    _cancelled(row)
                return False
            row.processed = point.epoch
            curve = [*row.params.get("learning_curve", [])][: point.epoch - 1]
            row.params = {**row.params, "learning_curve": [*curve, asdict(point)]}
        return True

    try:
        train = _train_structure if kind == STRUCTURE_TRAINING_KIND else _train_composition
        trained = train(store, job_id, params, resume, on_epoch)
        if trained is None:
            return {"job_id": job_id, "status": "cancelled"}
        prop = str(params["property"])
        tracked = _track(factory, store, job_id, organization_id, prop, params, trained)
        with session_scope(factory) as session:
            job = session.get(jobs.Job, job_id, with_for_update=True)
            if job is None or job.status in STOPPING:
                if job is not None:
                    _cancelled(job)
                return {"job_id": job_id, "status": "cancelled"}
            version = registry.register(
                session,
                organization_id=organization_id,
                prop=prop,
                name=trained.name,
                unit=str(params["unit"]),
                base_name=trained.base_name,
                base_version=trained.base_version,
                card={},
                metrics=trained.metrics,
                data_fingerprint=trained.data_fingerprint,
                job_id=job_id,
                user_id=user_id,
                method=trained.method,
            )
            trained.card.update(
                version=version.version_label, source=params.get("source"), **tracked
            )
            version.card = json.loads(json.dumps(trained.card, default=float))
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                trained.save(folder, version.version_label)
                (folder / "card.json").write_text(json.dumps(version.card, indent=2))
                registry.store_artifact(store, version, folder)
            job.processed = job.total
            job.status = jobs.JobStatus.succeeded
            job.finished_at = _now()
            job.params = {
                **job.params,
                "model_version_id": version.id,
                "model_version": version.version_label,
                "metrics": version.metrics,
                "warnings": trained.card.get("warnings", []),
                **tracked,
            }
            version_id = version.id
        store.delete(ckpt)
        return {"job_id": job_id, "model_version_id": version_id}
    except Exception as exc:
        log.exception("training job %s failed", job_id)
        with session_scope(factory) as session:
            job = session.get(jobs.Job, job_id)
            if job is not None and job.status not in jobs.TERMINAL:
                job.status = jobs.JobStatus.failed
                job.error = f"{type(exc).__name__}: {exc}"[:2000]
                job.finished_at = _now()
        return {"job_id": job_id, "error": str(exc)}


def _record_resume(factory: sessionmaker[Session], job_id: int, kind: str, resume: bytes) -> None:
    """Put the progress and learning curve of the checkpoint back on the job."""
    if kind == STRUCTURE_TRAINING_KIND:
        from matdiscover.science.models.chgnet_path import finetune
    else:
        from matdiscover.science.models.composition import finetune  # type: ignore[no-redef]

    epoch, curve = finetune.read_checkpoint(resume)
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id, with_for_update=True)
        if job is not None:
            job.processed = epoch
            job.params = {
                **job.params,
                "resumed_from_epoch": epoch,
                "learning_curve": [asdict(p) for p in curve],
            }
    log.info("training job %s resumes after epoch %d", job_id, epoch)


def _train_composition(
    store: ObjectStore, job_id: int, params: dict[str, Any], resume: bytes | None, on_epoch: OnEpoch
) -> Trained | None:
    from matdiscover.science.models.composition import load_composition_model
    from matdiscover.science.models.composition.finetune import (
        FineTuneConfig,
        finetune_composition,
    )
    from matdiscover.science.models.registry import get_model_card

    prop, unit = str(params["property"]), str(params["unit"])
    options = dict(params.get("options") or {})
    config = FineTuneConfig(
        epochs=int(options.get("epochs", 12)),
        user_weight=float(options.get("user_weight", 10.0)),
        holdout_fraction=float(options.get("holdout_fraction", 0.2)),
        replay_rows=int(options.get("replay_rows", 3000)),
        seed=int(options.get("seed", 0)),
    )
    rows = read_rows(store, job_id, prop, unit)
    base = load_composition_model(prop)
    result = finetune_composition(
        base,
        rows,
        config=config,
        resume=resume,
        on_epoch=on_epoch,
        base_card=get_model_card(base.name),
    )
    if result is None:
        return None
    model = result.model

    def save(folder: Path, label: str) -> None:
        model.version = label
        model.save(folder)

    return Trained(
        name=f"{base.name}-ft",
        method="composition",
        base_name=base.name,
        base_version=base.version,
        data_fingerprint=rows.fingerprint(),
        metrics=result.metrics,
        learning_curve=result.learning_curve,
        card=result.card,
        save=save,
    )


def _train_structure(
    store: ObjectStore, job_id: int, params: dict[str, Any], resume: bytes | None, on_epoch: OnEpoch
) -> Trained | None:
    from matdiscover.science.models.chgnet_path._model import chgnet_version
    from matdiscover.science.models.chgnet_path.finetune import (
        StructureFineTuneConfig,
        finetune_chgnet,
    )

    options = dict(params.get("options") or {})
    frames = read_frames(store, job_id, str(params.get("filename", "frames.extxyz")))
    config = StructureFineTuneConfig(
        epochs=int(options.get("epochs", 20)),
        freeze_backbone=bool(options.get("freeze_backbone", True)),
        holdout_fraction=float(options.get("holdout_fraction", 0.2)),
        seed=int(options.get("seed", 0)),
    )
    result = finetune_chgnet(frames, config=config, resume=resume, on_epoch=on_epoch)
    if result is None:
        return None
    state = result.state

    def save(folder: Path, label: str) -> None:
        (folder / registry.STRUCTURE_ARTIFACT).write_bytes(state)

    version = chgnet_version()
    return Trained(
        name=f"chgnet-{version}-ft",
        method="structure",
        base_name=f"chgnet-{version}",
        base_version=version,
        data_fingerprint=frames.fingerprint(),
        metrics=result.metrics,
        learning_curve=result.learning_curve,
        card=result.card,
        save=save,
    )


def _track(
    factory: sessionmaker[Session],
    store: ObjectStore,
    job_id: int,
    organization_id: int,
    prop: str,
    params: dict[str, Any],
    trained: Trained,
) -> dict[str, str]:
    """Log the run to MLflow: ``{"mlflow_run_id": ...}``, or ``{"mlflow_error": ...}``
    when tracking fails (best effort: a tracking failure never loses a trained model)."""
    from matdiscover.domains.training import tracking

    try:
        run_id = tracking.log_training_run(
            factory,
            store,
            organization_id=organization_id,
            prop=prop,
            params={
                **(params.get("options") or {}),
                "property": prop,
                "method": trained.method,
                "rows": params.get("rows"),
                "data_fingerprint": params.get("data_fingerprint"),
                "base_model": trained.base_name,
                "source": params.get("source"),
            },
            curve=[asdict(p) for p in trained.learning_curve],
            metrics=trained.metrics,
            card=trained.card,
            tags={"job_id": job_id, "organization_id": organization_id},
        )
    except Exception as exc:
        log.warning("MLflow tracking of training job %s failed", job_id, exc_info=True)
        return {"mlflow_error": f"{type(exc).__name__}: {exc}"[:500]}
    return {"mlflow_run_id": run_id}


def _cancelled(job: jobs.Job) -> None:
    job.status = jobs.JobStatus.cancelled
    job.finished_at = job.finished_at or _now()
