"""The queue's contract: every task's name and payload, and one typed way to enqueue.

Whoever enqueues (the jobs service, the API, the CLI) builds a payload model and calls
:func:`defer`; the worker registers a function under the same model's ``TASK`` name and
validates what the queue hands it back into that model. A task name or argument spelt
differently on the two sides is then a type error or a validation error, not a job that
sits in the queue forever.

>>> BatchChunk(job_id=7, chunk_index=0).TASK
'matdiscover.batch_chunk'
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import text
from sqlalchemy.orm import Session

from matdiscover.db.enqueue import defer_in_session


class TaskPayload(BaseModel):
    """The arguments of one queued task; ``TASK`` names it, ``QUEUE`` is where it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TASK: ClassVar[str]
    QUEUE: ClassVar[str] = "default"


class QueueSelfTest(TaskPayload):
    """Round-trip check of the queue (``sent_at``: the sender's ``time.time()``)."""

    TASK: ClassVar[str] = "matdiscover.queue_self_test"
    sent_at: float


class PredictMaterial(TaskPayload):
    """Predict and store all (or the given) properties of one stored material."""

    TASK: ClassVar[str] = "matdiscover.predict_material"
    material_id: int
    organization_id: int
    properties: list[str] | None = None


class BatchChunk(TaskPayload):
    """Map step of a batch prediction job: predict one chunk's rows."""

    TASK: ClassVar[str] = "matdiscover.batch_chunk"
    job_id: int
    chunk_index: int


class BatchReduce(TaskPayload):
    """Reduce step of a batch prediction job: assemble the results files."""

    TASK: ClassVar[str] = "matdiscover.batch_reduce"
    job_id: int


class OptimadeImport(TaskPayload):
    """Run (or resume) an import from an OPTIMADE provider."""

    TASK: ClassVar[str] = "matdiscover.optimade_import"
    job_id: int


class TrainModel(TaskPayload):
    """Run (or resume from its last checkpoint) a model training job."""

    TASK: ClassVar[str] = "matdiscover.train_model"
    job_id: int


class CampaignPredict(TaskPayload):
    """Map step of a campaign round: predict one slice of the pool."""

    TASK: ClassVar[str] = "matdiscover.campaign_predict"
    job_id: int
    chunk_index: int


class CampaignRound(TaskPayload):
    """Rank the next round of a discovery campaign (``Job.kind`` ``campaign_round``)."""

    TASK: ClassVar[str] = "matdiscover.campaign_round"
    job_id: int


#: Every task that is enqueued with a payload.
PAYLOADS: tuple[type[TaskPayload], ...] = (
    QueueSelfTest,
    PredictMaterial,
    BatchChunk,
    BatchReduce,
    OptimadeImport,
    TrainModel,
    CampaignPredict,
    CampaignRound,
)
#: The periodic task re-queueing jobs of dead workers (the queue itself schedules it, with
#: procrastinate's ``timestamp`` as its only argument; nothing enqueues it).
RECOVER_STALLED_JOBS = "matdiscover.recover_stalled_jobs"


def defer(
    session: Session,
    payload: TaskPayload,
    *,
    priority: int = 0,
    queueing_lock: str | None = None,
    queue: str | None = None,
) -> int:
    """Enqueue ``payload``'s task inside ``session``'s transaction; the queue job id.

    The task exists if and only if the transaction commits. Arguments left at their
    default are not written, so the worker's model supplies them. ``queue`` overrides the
    payload's ``QUEUE`` (``matdiscover.domains.jobs.routing`` decides it for GPU work)."""
    return defer_in_session(
        session,
        payload.TASK,
        payload.model_dump(mode="json", exclude_defaults=True),
        queue=queue or payload.QUEUE,
        priority=priority,
        queueing_lock=queueing_lock,
    )


def predict_material_lock(material_id: int) -> str:
    """The queueing lock of a material's automatic prediction (one queued at a time)."""
    return f"predict-material-{material_id}"


def is_queued(session: Session, queueing_lock: str) -> bool:
    """A task with this queueing lock is waiting or running."""
    return bool(
        session.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = :lock "
                "AND status IN ('todo', 'doing'))"
            ),
            {"lock": queueing_lock},
        )
    )
