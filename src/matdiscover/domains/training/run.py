"""Running a training job (the worker's side): load the snapshot rows, fine-tune with a
checkpoint in the object store after every epoch, register the candidate version.

A worker killed mid-run loses at most the epoch it was in: the queue hands the task to
another worker, which resumes from the last checkpoint. Cancelling the job (the jobs
service) stops the run after the current epoch.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.model_registry import service as registry
from matdiscover.domains.training.service import TRAINING_KIND, checkpoint_key, read_rows
from matdiscover.storage import ObjectStore

log = logging.getLogger(__name__)

STOPPING = (jobs.JobStatus.cancelling, jobs.JobStatus.cancelled)


def _now() -> datetime:
    return datetime.now(UTC)


def run_training(factory: sessionmaker[Session], store: ObjectStore, job_id: int) -> dict[str, Any]:
    """Run (or resume) training job ``job_id`` until it succeeds, fails or is cancelled."""
    from matdiscover.science.models.composition import load_composition_model
    from matdiscover.science.models.composition.finetune import (
        EpochPoint,
        FineTuneConfig,
        finetune_composition,
        read_checkpoint,
    )
    from matdiscover.science.models.registry import get_model_card

    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id)
        if job is None or job.kind != TRAINING_KIND:
            return {"job_id": job_id, "missing": True}
        if job.status in STOPPING:
            _cancelled(job)
            return {"job_id": job_id, "status": "cancelled"}
        if job.status in jobs.TERMINAL:
            return {"job_id": job_id, "status": job.status.value}
        job.status = jobs.JobStatus.running
        job.started_at = job.started_at or _now()
        params = dict(job.params)
        organization_id, user_id = job.organization_id, job.created_by_id
    prop, unit = str(params["property"]), str(params["unit"])
    options = dict(params.get("options") or {})
    config = FineTuneConfig(
        epochs=int(options.get("epochs", 12)),
        user_weight=float(options.get("user_weight", 10.0)),
        holdout_fraction=float(options.get("holdout_fraction", 0.2)),
        replay_rows=int(options.get("replay_rows", 3000)),
        seed=int(options.get("seed", 0)),
    )
    ckpt = checkpoint_key(job_id)
    resume = store.get(ckpt) if store.exists(ckpt) else None
    if resume is not None:
        epoch, curve = read_checkpoint(resume)
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

    def on_epoch(point: EpochPoint, state: bytes) -> bool:
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
            return {"job_id": job_id, "status": "cancelled"}
        tracked = _track(factory, store, job_id, organization_id, prop, params, result)
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
                name=f"{base.name}-ft",
                unit=unit,
                base_name=base.name,
                base_version=base.version,
                card={},
                metrics=result.metrics,
                data_fingerprint=rows.fingerprint(),
                job_id=job_id,
                user_id=user_id,
            )
            result.model.version = version.version_label
            result.card.update(
                version=version.version_label, source=params.get("source"), **tracked
            )
            version.card = json.loads(json.dumps(result.card, default=float))
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                result.model.save(folder)
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
                "warnings": result.card.get("warnings", []),
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


def _track(
    factory: sessionmaker[Session],
    store: ObjectStore,
    job_id: int,
    organization_id: int,
    prop: str,
    params: dict[str, Any],
    result: Any,
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
                "rows": params.get("rows"),
                "data_fingerprint": params.get("data_fingerprint"),
                "base_model": result.card.get("base_model", {}).get("name"),
                "source": params.get("source"),
            },
            curve=[asdict(p) for p in result.learning_curve],
            metrics=result.metrics,
            card=result.card,
            tags={"job_id": job_id, "organization_id": organization_id},
        )
    except Exception as exc:
        log.warning("MLflow tracking of training job %s failed", job_id, exc_info=True)
        return {"mlflow_error": f"{type(exc).__name__}: {exc}"[:500]}
    return {"mlflow_run_id": run_id}


def _cancelled(job: jobs.Job) -> None:
    job.status = jobs.JobStatus.cancelled
    job.finished_at = job.finished_at or _now()
