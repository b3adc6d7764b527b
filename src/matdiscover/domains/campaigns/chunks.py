"""The map step of a campaign round: predict one slice of the pool on a worker.

A round's job has one chunk per slice of the pool (candidates in id order; see
:func:`plan_chunks`), so the workers predict in parallel. Each chunk writes its predictions
(``candidate_id``, and per property ``{p}_mean``, ``{p}_std``, ``{p}_in_domain``) as a
parquet file to the object store and, in one transaction with the job row locked, marks
itself done and adds its rows to the job's ``processed``; the chunk that completes the set
queues the ranking task (:func:`matdiscover.domains.campaigns.rounds.run_round`).
"""

from __future__ import annotations

import io
import logging
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains import tasks
from matdiscover.domains.campaigns.models import Campaign, CampaignCandidate, CampaignRound
from matdiscover.domains.campaigns.predict import PoolPredictions, model_versions, predict_pool
from matdiscover.domains.jobs import service as jobs
from matdiscover.storage import ObjectStore

logger = logging.getLogger(__name__)

#: pools up to this size are predicted in one chunk
MIN_CHUNK_ROWS = 2000
#: at most this many chunks per round
MAX_CHUNKS = 4


def plan_chunks(n: int) -> list[tuple[int, int]]:
    """``(start, end)`` row ranges of a pool of ``n`` candidates.

    >>> plan_chunks(1500), plan_chunks(10_000)
    ([(0, 1500)], [(0, 5000), (5000, 10000)])
    """
    k = 1 if n < MIN_CHUNK_ROWS else min(MAX_CHUNKS, max(2, n // 5000))
    bounds = np.linspace(0, n, k + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def needed_properties(campaign: Campaign) -> list[str]:
    """The properties a round predicts: the objectives' (and the energy above hull for a
    stability constraint)."""
    props = [str(o["property"]) for o in campaign.objectives]
    if campaign.constraints.get("max_e_above_hull") is not None:
        props.append("energy_above_hull")
    return list(dict.fromkeys(props))


def queue_chunks(session: Session, job: jobs.Job, n: int, *, priority: int) -> None:
    """Create the job's chunks and queue their prediction tasks (same transaction)."""
    for index, (start, end) in enumerate(plan_chunks(n)):
        chunk = jobs.JobChunk(
            job_id=job.id,
            index=index,
            status=jobs.JobStatus.queued,
            start_row=start,
            end_row=end,
        )
        session.add(chunk)
        session.flush()
        chunk.queue_job_id = tasks.defer(
            session, tasks.CampaignPredict(job_id=job.id, chunk_index=index), priority=priority
        )


def to_frame(ids: list[int], predicted: dict[str, PoolPredictions]) -> pd.DataFrame:
    cols: dict[str, Any] = {"candidate_id": np.asarray(ids, dtype=np.int64)}
    for p, pred in predicted.items():
        cols[f"{p}_mean"] = pred.mean
        cols[f"{p}_std"] = pred.std
        cols[f"{p}_in_domain"] = pred.in_domain
    return pd.DataFrame(cols)


def from_frame(frame: pd.DataFrame, props: list[str]) -> dict[str, PoolPredictions]:
    return {
        p: PoolPredictions(
            frame[f"{p}_mean"].to_numpy(dtype=np.float64),
            frame[f"{p}_std"].to_numpy(dtype=np.float64),
            frame[f"{p}_in_domain"].to_numpy(dtype=bool),
        )
        for p in props
    }


def run_predict_chunk(
    factory: sessionmaker[Session], store: ObjectStore, job_id: int, index: int
) -> dict[str, Any]:
    """Predict chunk ``index`` of a round's job (a chunk already done is left alone)."""
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id, with_for_update=True)
        chunk = session.scalar(
            select(jobs.JobChunk).where(
                jobs.JobChunk.job_id == job_id, jobs.JobChunk.index == index
            )
        )
        row = session.scalar(select(CampaignRound).where(CampaignRound.job_id == job_id))
        if job is None or chunk is None or row is None:
            return {"job_id": job_id, "skipped": "no such chunk"}
        if chunk.status == jobs.JobStatus.succeeded or job.status in jobs.TERMINAL:
            return {"job_id": job_id, "skipped": chunk.status.value}
        if job.status == jobs.JobStatus.cancelling:
            chunk.status = jobs.JobStatus.cancelled
            return {"job_id": job_id, "cancelled": True}
        chunk.status = jobs.JobStatus.running
        chunk.started_at = jobs.now()
        chunk.attempts += 1
        if job.status == jobs.JobStatus.queued:
            job.status = jobs.JobStatus.running
            job.started_at = jobs.now()
            row.status = "running"
        campaign = session.get(Campaign, row.campaign_id)
        assert campaign is not None
        props = needed_properties(campaign)
        start, end = chunk.start_row, chunk.end_row
        cands = session.execute(
            select(CampaignCandidate.id, CampaignCandidate.formula)
            .where(CampaignCandidate.campaign_id == campaign.id)
            .order_by(CampaignCandidate.id)
            .offset(start)
            .limit(end - start)
        ).all()
    ids = [int(c.id) for c in cands]
    key = jobs.chunk_result_key(job_id, index)
    try:
        predicted = predict_pool([str(c.formula) for c in cands], props)
        versions = model_versions(props)  # loaded here; the ranking task may run elsewhere
        buf = io.BytesIO()
        to_frame(ids, predicted).to_parquet(buf, index=False)
        store.put(key, buf.getvalue())
    except Exception as exc:
        logger.exception("campaign round job %s: chunk %s failed", job_id, index)
        _fail(factory, job_id, index, f"predicting chunk {index} failed: {exc}")
        raise
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id, with_for_update=True)
        chunk = session.scalar(
            select(jobs.JobChunk).where(
                jobs.JobChunk.job_id == job_id, jobs.JobChunk.index == index
            )
        )
        assert job is not None and chunk is not None
        if chunk.status == jobs.JobStatus.succeeded:
            return {"job_id": job_id, "skipped": "done meanwhile"}
        chunk.status = jobs.JobStatus.succeeded
        chunk.processed = len(ids)
        chunk.result_uri = key
        chunk.finished_at = jobs.now()
        job.processed += len(ids)
        job.params = {**job.params, "model_versions": versions}
        session.flush()
        pending = session.scalar(
            select(func.count()).where(
                jobs.JobChunk.job_id == job_id, jobs.JobChunk.status != jobs.JobStatus.succeeded
            )
        )
        if not pending:
            if job.status == jobs.JobStatus.cancelling:
                job.status = jobs.JobStatus.cancelled
            tasks.defer(
                session,
                tasks.CampaignRound(job_id=job_id),
                priority=int(job.params.get("queue_priority", 0)),
            )
    return {"job_id": job_id, "chunk": index, "rows": len(ids)}


def _fail(factory: sessionmaker[Session], job_id: int, index: int, error: str) -> None:
    """Mark the chunk, its job and round failed (the campaign can run another round)."""
    with session_scope(factory) as session:
        job = session.get(jobs.Job, job_id, with_for_update=True)
        chunk = session.scalar(
            select(jobs.JobChunk).where(
                jobs.JobChunk.job_id == job_id, jobs.JobChunk.index == index
            )
        )
        row = session.scalar(select(CampaignRound).where(CampaignRound.job_id == job_id))
        if job is None or chunk is None or row is None:
            return
        chunk.status = jobs.JobStatus.failed
        chunk.error = error
        chunk.finished_at = jobs.now()
        if job.status not in jobs.TERMINAL:
            job.status = jobs.JobStatus.failed
            job.error = error
            job.finished_at = jobs.now()
        row.status = "failed"
        row.error = error
        row.finished_at = jobs.now()
        campaign = session.get(Campaign, row.campaign_id)
        if campaign is not None:
            campaign.status = "ready"


def load_predictions(
    factory: sessionmaker[Session],
    store: ObjectStore,
    job_id: int,
    ids: list[int],
    props: list[str],
) -> dict[str, PoolPredictions] | None:
    """The chunks' predictions in the order of ``ids``; ``None`` if the job has no
    (complete) chunks."""
    with session_scope(factory) as session:
        keys = [
            (c.status, c.result_uri)
            for c in session.scalars(
                select(jobs.JobChunk)
                .where(jobs.JobChunk.job_id == job_id)
                .order_by(jobs.JobChunk.index)
            )
        ]
    if not keys or any(s != jobs.JobStatus.succeeded or not k for s, k in keys):
        return None
    frame = pd.concat(
        [pd.read_parquet(io.BytesIO(store.get(str(k)))) for _, k in keys], ignore_index=True
    )
    if not set(frame.columns) >= {f"{p}_mean" for p in props}:
        return None
    frame = frame.set_index("candidate_id").reindex(ids)
    return from_frame(frame.reset_index(), props)
