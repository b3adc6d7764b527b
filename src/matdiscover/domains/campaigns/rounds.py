"""Running one campaign round in the worker: predict the pool, refit on the results so
far, rank with the campaign's acquisition and store the batch.

The job's ``processed`` counts candidates predicted (``total`` is the pool size); the
round's batch, model versions, refit and summary are written with the job's completion in
one transaction. A cancelled job leaves the round ``cancelled``; an input error (e.g. the
constraints exclude every candidate) leaves it ``failed`` with the message.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.campaigns import service
from matdiscover.domains.campaigns.chunks import load_predictions
from matdiscover.domains.campaigns.models import (
    Campaign,
    CampaignCandidate,
    CampaignResult,
    CampaignRound,
)
from matdiscover.domains.campaigns.predict import model_versions, predict_pool
from matdiscover.domains.campaigns.refit import refit
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.projects import service as projects
from matdiscover.errors import MatDiscoverError
from matdiscover.science.ranking.campaign import rank_round
from matdiscover.science.ranking.constraints import exclusion_counts
from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _finish(
    factory: sessionmaker[Session],
    job_id: int,
    round_id: int,
    *,
    status: str,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    chosen: list[int] | None = None,
) -> None:
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id)
        row = session.get(CampaignRound, round_id)
        if job is None or row is None:
            return
        row.status = status
        row.error = error
        row.finished_at = jobs.now()
        for key, value in (values or {}).items():
            setattr(row, key, value)
        campaign = session.get(Campaign, row.campaign_id)
        if campaign is not None:
            campaign.status = "ready"
        if chosen:
            service.mark_chosen(session, chosen, row.index)
        job.status = jobs.JobStatus(
            {"succeeded": "succeeded", "failed": "failed", "cancelled": "cancelled"}[status]
        )
        job.error = error
        if status == "succeeded":
            job.processed = job.total
        job.finished_at = jobs.now()


def _progress(factory: sessionmaker[Session], job_id: int, done: int) -> bool:
    """Record progress; ``False`` if the job was cancelled meanwhile."""
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id)
        if job is None:
            return False
        if job.status in (jobs.JobStatus.cancelling, jobs.JobStatus.cancelled):
            return False
        job.processed = done
        job.params = {**job.params, "steps": {**job.params.get("steps", {}), "predicted": done}}
        return True


class _Cancelled(Exception):
    pass


def run_round(
    factory: sessionmaker[Session], job_id: int, store: ObjectStore | None = None
) -> dict[str, Any]:
    """Rank the round of job ``job_id`` from its chunks' predictions (predicting here
    when there are none); idempotent: an ended job is left alone."""
    started = time.perf_counter()
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id, with_for_update=True)
        row = session.scalar(select(CampaignRound).where(CampaignRound.job_id == job_id))
        if job is None or row is None:
            return {"job_id": job_id, "skipped": "no such campaign round"}
        round_id = row.id
        if job.status in jobs.TERMINAL or row.status not in service.ACTIVE_ROUND:
            if job.status == jobs.JobStatus.cancelled and row.status in service.ACTIVE_ROUND:
                row.status = "cancelled"
                row.finished_at = jobs.now()
                campaign = session.get(Campaign, row.campaign_id)
                if campaign is not None:
                    campaign.status = "ready"
            return {"job_id": job_id, "skipped": job.status.value}
        cancelling = job.status == jobs.JobStatus.cancelling
        if job.status == jobs.JobStatus.queued:
            job.status = jobs.JobStatus.running
            job.started_at = jobs.now()
        row.status = "running"
    if cancelling:
        _finish(factory, job_id, round_id, status="cancelled")
        return {"job_id": job_id, "cancelled": True}
    try:
        values, chosen = _rank(factory, job_id, round_id, store)
    except _Cancelled:
        _finish(factory, job_id, round_id, status="cancelled")
        return {"job_id": job_id, "cancelled": True}
    except MatDiscoverError as exc:
        logger.warning("campaign round of job %s failed: %s", job_id, exc.message)
        _finish(factory, job_id, round_id, status="failed", error=exc.message)
        return {"job_id": job_id, "error": exc.message}
    except Exception as exc:
        logger.exception("campaign round of job %s failed", job_id)
        _finish(factory, job_id, round_id, status="failed", error=f"internal error: {exc}")
        raise
    values["summary"]["seconds"] = round(time.perf_counter() - started, 3)
    _finish(factory, job_id, round_id, status="succeeded", values=values, chosen=chosen)
    return {"job_id": job_id, "batch": chosen}


def _rank(
    factory: sessionmaker[Session], job_id: int, round_id: int, store: ObjectStore | None
) -> tuple[dict[str, Any], list[int]]:
    with session_scope(factory) as session:
        row = session.get(CampaignRound, round_id)
        assert row is not None
        campaign = session.get(Campaign, row.campaign_id)
        assert campaign is not None
        index = row.index
        objectives = service.objectives_of(campaign)
        constraints = dict(campaign.constraints)
        settings = (campaign.acquisition, campaign.batch_size, campaign.kappa, campaign.diversity)
        cands = session.execute(
            select(
                CampaignCandidate.id,
                CampaignCandidate.formula,
                CampaignCandidate.material_id,
                CampaignCandidate.origin,
                CampaignCandidate.chosen_round,
            )
            .where(CampaignCandidate.campaign_id == campaign.id)
            .order_by(CampaignCandidate.id)
        ).all()
        results = session.execute(
            select(
                CampaignResult.candidate_id,
                CampaignResult.property,
                CampaignResult.value,
                CampaignResult.uncertainty,
            ).where(CampaignResult.campaign_id == campaign.id)
        ).all()
        project = projects.get(
            session, campaign.project_id, organization_id=campaign.organization_id
        )
        recal = projects.enabled_recalibrations(session, project)
        best = service.best_observed(session, campaign)
    ids = [int(c.id) for c in cands]
    formulas = [str(c.formula) for c in cands]
    position = {cid: i for i, cid in enumerate(ids)}
    props = [o.property for o in objectives]
    needed = list(props)
    if constraints.get("max_e_above_hull") is not None and "energy_above_hull" not in needed:
        needed.append("energy_above_hull")

    def progress(done: int) -> None:
        if not _progress(factory, job_id, done):
            raise _Cancelled

    chunked = None if store is None else load_predictions(factory, store, job_id, ids, needed)
    predicted = chunked or predict_pool(formulas, needed, progress=progress)
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id)
        recorded = dict(job.params.get("model_versions") or {}) if job is not None else {}
    versions = recorded if chunked and set(needed) <= set(recorded) else model_versions(needed)
    corrected: dict[str, tuple[Any, Any]] = {}
    refits: dict[str, Any] = {}
    for p in props:
        observed = [
            (position[int(r.candidate_id)], float(r.value), r.uncertainty)
            for r in results
            if r.property == p and int(r.candidate_id) in position
        ]
        mean, std, info = refit(
            p,
            formulas,
            predicted[p].mean,
            predicted[p].std,
            observed,
            project_recalibration=recal.get(p),
            model_name=versions[p].split("/")[0],
        )
        corrected[p] = (mean, std)
        refits[p] = info
    measured = {int(r.candidate_id) for r in results}
    chosen_mask = [c.chosen_round is not None or int(c.id) in measured for c in cands]
    in_domain = np.all([predicted[p].in_domain for p in props], axis=0)
    acquisition, batch_size, kappa, diversity = settings
    ranked = rank_round(
        formulas,
        corrected,
        objectives=objectives,
        acquisition=acquisition,  # type: ignore[arg-type]
        batch_size=batch_size,
        kappa=kappa,
        diversity=diversity,
        best=best,
        chosen=chosen_mask,
        in_domain=in_domain,
        allowed_elements=constraints.get("allowed_elements"),
        excluded_elements=constraints.get("excluded_elements"),
        e_hull=predicted["energy_above_hull"].mean
        if "energy_above_hull" in predicted and constraints.get("max_e_above_hull") is not None
        else None,
        max_e_hull=constraints.get("max_e_above_hull"),
        exclude_out_of_domain=bool(constraints.get("exclude_out_of_domain", False)),
        seed=job_id,
    )
    batch: list[dict[str, Any]] = []
    for rank, (i, score, adjusted) in enumerate(
        zip(ranked.indices.tolist(), ranked.scores.tolist(), ranked.adjusted.tolist(), strict=True),
        start=1,
    ):
        c = cands[i]
        batch.append(
            {
                "rank": rank,
                "candidate_id": int(c.id),
                "formula": str(c.formula),
                "material_id": c.material_id,
                "origin": dict(c.origin),
                "score": float(score),
                "adjusted_score": float(adjusted),
                "mean": {p: _finite(corrected[p][0][i]) for p in props},
                "std": {p: _finite(corrected[p][1][i]) for p in props},
            }
        )
    reasons = exclusion_counts(ranked.excluded.values())
    summary = {
        "round": index,
        "n_pool": ranked.n_pool,
        "n_available": ranked.n_available,
        "n_previously_chosen": int(sum(chosen_mask)),
        "n_excluded": len(ranked.excluded),
        "excluded_reasons": reasons,
        "best_observed": best,
        "n_results": len(results),
    }
    values = {"batch": batch, "model_versions": versions, "refit": refits, "summary": summary}
    return values, [b["candidate_id"] for b in batch]
