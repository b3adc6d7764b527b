"""Task adapters: a payload in, a call into a domain service, results persisted.

Each task opens its own session and commits at the end (the task boundary), so a
task's writes become visible together with the queue marking it done.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import procrastinate
from procrastinate.retry import RetryValue

from matdiscover.db.engine import session_scope
from matdiscover.domains import tasks as contract
from matdiscover.errors import MatDiscoverError
from matdiscover.observability import metrics
from matdiscover.observability.models import ensure_loaded
from matdiscover.worker.context import session_factory

logger = logging.getLogger(__name__)

P = TypeVar("P", bound=contract.TaskPayload)


def queue_self_test(task: contract.QueueSelfTest) -> dict[str, Any]:
    """Round-trip check of the queue: which worker ran it, and how long after it was sent."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "latency_s": round(time.time() - task.sent_at, 3),
    }


def predict_material(task: contract.PredictMaterial) -> dict[str, Any]:
    """Predict and store all (or the given) properties of one stored material."""
    from matdiscover.domains.predictions import service
    from matdiscover.science.models.composition import PROPERTIES, load_composition_model
    from matdiscover.settings import get_settings

    # composition models are loaded (and timed) here; a structure model loads inside the
    # call on first use, so the first structure prediction's latency includes its load
    for prop in sorted(set(task.properties or PROPERTIES) - {"energy_above_hull"}):
        ensure_loaded(f"composition/{prop}", functools.partial(load_composition_model, prop))
    started = time.perf_counter()
    try:
        with session_scope(session_factory()) as session:
            report, rows = service.predict_material(
                session,
                task.material_id,
                organization_id=task.organization_id,
                properties=task.properties,
            )
        model = get_settings().structure_model if report.method == "structure" else "composition"
        metrics.PREDICTION_LATENCY.labels(model=model).observe(time.perf_counter() - started)
    except MatDiscoverError as exc:
        # bad input will not get better with retries: record and finish
        logger.warning("prediction of material %s failed: %s", task.material_id, exc.message)
        return {"material_id": task.material_id, "error": exc.message}
    return {"material_id": task.material_id, "stored": len(rows)}


def batch_chunk(task: contract.BatchChunk) -> dict[str, Any]:
    """Map step of a batch job: a prediction chunk, or a molecule batch's chunk."""
    from matdiscover.worker.batch import run_chunk

    if _is_molecule_batch(task.job_id):
        from matdiscover.worker.molecule_batch import run_molecule_chunk

        return run_molecule_chunk(task.job_id, task.chunk_index)
    return run_chunk(task.job_id, task.chunk_index)


def batch_reduce(task: contract.BatchReduce) -> dict[str, Any]:
    """Reduce step: assemble the results files."""
    from matdiscover.worker.batch import run_reduce

    if _is_molecule_batch(task.job_id):
        from matdiscover.worker.molecule_batch import run_molecule_reduce

        return run_molecule_reduce(task.job_id)
    return run_reduce(task.job_id)


def _is_molecule_batch(job_id: int) -> bool:
    from matdiscover.domains.molecules.batch.run import is_molecule_batch

    with session_scope(session_factory()) as session:
        return is_molecule_batch(session, job_id)


def optimade_import(task: contract.OptimadeImport) -> dict[str, Any]:
    """Run (or resume) an OPTIMADE import job."""
    from matdiscover.domains.optimade.importing import run_import
    from matdiscover.settings import get_settings

    run_import(session_factory(), task.job_id, settings=get_settings())
    return {"job_id": task.job_id}


def train_model(task: contract.TrainModel) -> dict[str, Any]:
    """Run (or resume) a model training job."""
    from matdiscover.worker.training import train_model as run

    return run(task.job_id)


def campaign_predict(task: contract.CampaignPredict) -> dict[str, Any]:
    """Predict one slice of a campaign round's pool."""
    from matdiscover.domains.campaigns.chunks import run_predict_chunk
    from matdiscover.worker.batch import object_store

    return run_predict_chunk(session_factory(), object_store(), task.job_id, task.chunk_index)


def campaign_round(task: contract.CampaignRound) -> dict[str, Any]:
    """Rank the next round of a discovery campaign from its chunks' predictions."""
    from matdiscover.domains.campaigns.rounds import run_round
    from matdiscover.worker.batch import object_store

    return run_round(session_factory(), task.job_id, object_store())


def taking(payload: type[P], body: Callable[[P], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``body`` as procrastinate calls a task (keyword arguments from the queue), the
    arguments validated into ``payload`` first (a malformed job fails at once)."""

    @functools.wraps(body)
    def run(**args: Any) -> dict[str, Any]:
        with counted(payload.TASK):
            return body(payload.model_validate(args))

    return run


@contextlib.contextmanager
def counted(task: str) -> Iterator[None]:
    """Count a task run as started, then finished or failed (it raised)."""
    metrics.JOBS_STARTED.labels(task=task).inc()
    try:
        yield
    except BaseException:
        metrics.JOBS_FAILED.labels(task=task).inc()
        raise
    metrics.JOBS_FINISHED.labels(task=task).inc()


#: A worker whose procrastinate heartbeat is older than this is considered dead (s).
STALLED_AFTER_S = 20.0


async def recover_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> dict[str, Any]:
    """Re-queue jobs held by dead workers (no heartbeat for ``STALLED_AFTER_S``)."""
    manager = context.app.job_manager
    with counted(contract.RECOVER_STALLED_JOBS):
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S))
        for job in stalled:
            await manager.retry_job(job)
            metrics.STALLED_RECOVERIES.inc()
            logger.warning("re-queued job %s (%s) of a dead worker", job.id, job.task_name)
        pruned = await manager.prune_stalled_workers(STALLED_AFTER_S)
    return {"requeued": [j.id for j in stalled], "pruned_workers": pruned}


def register(app: procrastinate.App) -> None:
    """Register every task of the queue contract (:mod:`matdiscover.domains.tasks`)."""

    def add(
        payload: type[P], body: Callable[[P], dict[str, Any]], retry: RetryValue = False
    ) -> None:
        task = taking(payload, body)
        app.task(name=payload.TASK, queue=payload.QUEUE, pass_context=False, retry=retry)(task)

    add(contract.QueueSelfTest, queue_self_test)
    add(
        contract.PredictMaterial,
        predict_material,
        retry=procrastinate.RetryStrategy(max_attempts=3, wait=5),
    )
    add(contract.BatchChunk, batch_chunk)
    add(contract.BatchReduce, batch_reduce)
    add(contract.OptimadeImport, optimade_import)
    add(contract.CampaignPredict, campaign_predict)
    add(contract.CampaignRound, campaign_round)
    add(contract.TrainModel, train_model)
    metrics.touch_tasks([*(p.TASK for p in contract.PAYLOADS), contract.RECOVER_STALLED_JOBS])
    metrics.touch_chunks(contract.BatchChunk.TASK)
    # croniter's optional sixth field is seconds: "* * * * * */10" = every 10 s. Top priority,
    # so the check never waits behind queued chunks.
    app.periodic(cron="* * * * * */10", periodic_id="recover-stalled", priority=100)(
        app.task(name=contract.RECOVER_STALLED_JOBS, queue="default", pass_context=True)(
            recover_stalled_jobs
        )
    )
