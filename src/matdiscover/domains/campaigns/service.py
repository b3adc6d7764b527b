"""Discovery campaigns in a project: create with a pool, run rounds on the queue, record
results.

Every function takes the caller's tenant-bound session; another organisation's project or
campaign is "not found". Rounds run in the worker (:mod:`.rounds`); results are measured
values (typed in or pulled from the project's measurements) or "computed" oracle values
(the shipped composition model's prediction).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.campaigns.chunks import queue_chunks
from matdiscover.domains.campaigns.models import (
    Campaign,
    CampaignCandidate,
    CampaignResult,
    CampaignRound,
)
from matdiscover.domains.campaigns.pool import build_pool, reduced_formula
from matdiscover.domains.campaigns.schemas import (
    MAX_BATCH,
    BatchEntry,
    CampaignCreate,
    CampaignRead,
    ObjectiveSpec,
    ResultBrief,
    ResultRead,
    ResultsCreate,
    ResultsRead,
    RoundRead,
)
from matdiscover.domains.experiments import service as experiments
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.projects import service as projects
from matdiscover.errors import Conflict, InvalidInput, NotFound
from matdiscover.science.properties import PROPERTY_NAMES
from matdiscover.science.ranking import apply_constraints
from matdiscover.science.ranking.campaign import Objective

#: ``Job.kind`` of a campaign round
CAMPAIGN_ROUND_KIND = "campaign_round"
#: procrastinate priorities (higher runs first), as for batch jobs
PRIORITIES: dict[str, int] = {"low": -10, "normal": 0, "high": 10}
ACTIVE_ROUND = ("queued", "running")


# ------------------------------------------------------------------ campaigns


def objectives_of(campaign: Campaign) -> list[Objective]:
    return [
        Objective(o["property"], o["direction"], o.get("min"), o.get("max"))
        for o in campaign.objectives
    ]


def check_settings(body: CampaignCreate) -> list[Objective]:
    """The objectives, checked with the acquisition and batch size; ``InvalidInput`` (400)
    naming the problem."""
    objectives: list[Objective] = []
    for spec in body.objectives:
        if spec.property not in PROPERTY_NAMES:
            raise InvalidInput(
                f"unknown objective property {spec.property!r}: use one of "
                f"{', '.join(PROPERTY_NAMES)}"
            )
        obj = Objective(spec.property, spec.direction, spec.min, spec.max)
        obj.check()
        objectives.append(obj)
    if len({o.property for o in objectives}) != len(objectives):
        raise InvalidInput("each objective property may appear only once")
    if body.acquisition == "window" and not any(o.direction == "window" for o in objectives):
        raise InvalidInput("acquisition 'window' needs an objective with direction 'window'")
    if body.acquisition == "stability" and any(o.direction != "min" for o in objectives):
        raise InvalidInput(
            "acquisition 'stability' scores mean - kappa * sigma for minimisation: every "
            "objective must have direction 'min' (e.g. energy_above_hull)"
        )
    if not 1 <= body.batch_size <= MAX_BATCH:
        raise InvalidInput(f"batch size must be between 1 and {MAX_BATCH}, got {body.batch_size}")
    return objectives


def create(
    session: Session, project: projects.Project, body: CampaignCreate, *, user_id: int | None
) -> Campaign:
    """A new campaign with its pool (names unique within the project: 409 otherwise).

    Raises:
        InvalidInput: unknown objective property, bad target window, batch size out of
            range or above the pool size, an empty pool, constraints that exclude every
            candidate (or leave fewer than one batch).
        Conflict: a campaign of that name exists in the project.
    """
    check_settings(body)
    if session.scalar(
        select(Campaign.id).where(Campaign.project_id == project.id, Campaign.name == body.name)
    ):
        raise Conflict(f"project {project.id} already has a campaign named {body.name!r}")
    pool = build_pool(session, project, body.pool)
    c = body.constraints
    formulas = [e.formula for e in pool.entries]
    kept = apply_constraints(
        formulas, allowed_elements=c.allowed_elements, excluded_elements=c.excluded_elements
    ).n_kept
    if kept < body.batch_size:
        raise InvalidInput(
            f"batch size {body.batch_size} is larger than the {kept} candidate(s) the pool "
            f"and constraints leave"
        )
    spec = body.pool.model_dump(exclude={"formulas", "text"}, exclude_none=True)
    spec.update(n_candidates=len(pool.entries), duplicates=pool.duplicates)
    spec["rejected"] = pool.rejected[:20]
    spec["n_rejected"] = len(pool.rejected)
    campaign = Campaign(
        organization_id=project.organization_id,
        project_id=project.id,
        name=body.name,
        objectives=[o.model_dump(exclude_none=True) for o in body.objectives],
        acquisition=body.acquisition,
        kappa=body.kappa,
        batch_size=body.batch_size,
        diversity=body.diversity,
        constraints=c.model_dump(exclude_none=True),
        pool_source=body.pool.source,
        pool=spec,
        status="ready",
        created_by_id=user_id,
    )
    session.add(campaign)
    session.flush()
    rows = [
        {
            "organization_id": project.organization_id,
            "campaign_id": campaign.id,
            "key": e.key,
            "formula": e.formula,
            "material_id": e.material_id,
            "origin": e.origin,
        }
        for e in pool.entries
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(CampaignCandidate), rows[start : start + 5000])
    session.flush()
    return campaign


def get(session: Session, project: projects.Project, campaign_id: int) -> Campaign:
    statement = select(Campaign).where(
        Campaign.id == campaign_id,
        Campaign.project_id == project.id,
        Campaign.organization_id == project.organization_id,
    )
    return one_or_not_found(session, campaign_id, statement, f"campaign {campaign_id} not found")


def _count(session: Session, model: Any, campaign_id: int, *extra: Any) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(model).where(model.campaign_id == campaign_id, *extra)
        )
        or 0
    )


def best_observed(session: Session, campaign: Campaign) -> dict[str, float]:
    """Best observed value per objective (a window objective: the value closest to the
    window's middle)."""
    out: dict[str, float] = {}
    for obj in objectives_of(campaign):
        values = list(
            session.scalars(
                select(CampaignResult.value).where(
                    CampaignResult.campaign_id == campaign.id,
                    CampaignResult.property == obj.property,
                )
            )
        )
        if not values:
            continue
        if obj.direction == "max":
            out[obj.property] = max(values)
        elif obj.direction == "min":
            out[obj.property] = min(values)
        else:
            mid = ((obj.min or 0.0) + (obj.max or 0.0)) / 2
            out[obj.property] = min(values, key=lambda v: abs(v - mid))
    return out


def read(session: Session, campaign: Campaign) -> CampaignRead:
    return CampaignRead(
        id=campaign.id,
        project_id=campaign.project_id,
        name=campaign.name,
        objectives=[ObjectiveSpec(**o) for o in campaign.objectives],
        acquisition=campaign.acquisition,
        kappa=campaign.kappa,
        batch_size=campaign.batch_size,
        diversity=campaign.diversity,
        constraints=campaign.constraints,
        pool_source=campaign.pool_source,
        pool=campaign.pool,
        status=campaign.status,
        n_candidates=_count(session, CampaignCandidate, campaign.id),
        n_chosen=_count(
            session, CampaignCandidate, campaign.id, CampaignCandidate.chosen_round.is_not(None)
        ),
        n_results=_count(session, CampaignResult, campaign.id),
        n_rounds=_count(session, CampaignRound, campaign.id),
        best=best_observed(session, campaign),
        created_at=campaign.created_at,
    )


def list_for(session: Session, project: projects.Project) -> list[CampaignRead]:
    rows = session.scalars(
        select(Campaign).where(Campaign.project_id == project.id).order_by(Campaign.id)
    ).all()
    return [read(session, c) for c in rows]


# ------------------------------------------------------------------ rounds


def start_round(
    session: Session,
    campaign: Campaign,
    *,
    user_id: int | None,
    priority: Literal["low", "normal", "high"] = "normal",
) -> CampaignRound:
    """Queue the next round as a job (``Conflict`` while a round is queued or running)."""
    locked = session.scalar(select(Campaign).where(Campaign.id == campaign.id).with_for_update())
    assert locked is not None
    for active in session.scalars(
        select(CampaignRound).where(
            CampaignRound.campaign_id == campaign.id, CampaignRound.status.in_(ACTIVE_ROUND)
        )
    ):
        job = session.get(jobs.Job, active.job_id) if active.job_id else None
        if job is not None and job.status in jobs.TERMINAL:  # cancelled before it ranked
            active.status = "cancelled" if job.status == jobs.JobStatus.cancelled else "failed"
            active.finished_at = job.finished_at
            continue
        raise Conflict(f"round {active.index} of campaign {campaign.id} is still queued or running")
    index = (
        session.scalar(
            select(func.max(CampaignRound.index)).where(CampaignRound.campaign_id == campaign.id)
        )
        or 0
    ) + 1
    n = _count(session, CampaignCandidate, campaign.id)
    job = jobs.Job(
        organization_id=campaign.organization_id,
        created_by_id=user_id,
        kind=CAMPAIGN_ROUND_KIND,
        status=jobs.JobStatus.queued,
        params={
            "campaign_id": campaign.id,
            "project_id": campaign.project_id,
            "round": index,
            "priority": priority,
            "queue_priority": PRIORITIES[priority],
            "queue": "default",
            "input_kind": "campaign",
            "steps": {"predicted": 0, "ranked": 0},
        },
        total=n,
    )
    session.add(job)
    session.flush()
    row = CampaignRound(
        organization_id=campaign.organization_id,
        campaign_id=campaign.id,
        index=index,
        job_id=job.id,
        status="queued",
        created_by_id=user_id,
    )
    session.add(row)
    campaign.status = "running"
    session.flush()
    queue_chunks(session, job, n, priority=PRIORITIES[priority])
    return row


def rounds_of(session: Session, campaign: Campaign) -> list[CampaignRound]:
    return list(
        session.scalars(
            select(CampaignRound)
            .where(CampaignRound.campaign_id == campaign.id)
            .order_by(CampaignRound.index)
        )
    )


def get_round(session: Session, campaign: Campaign, index: int) -> CampaignRound:
    statement = select(CampaignRound).where(
        CampaignRound.campaign_id == campaign.id, CampaignRound.index == index
    )
    row = session.scalar(statement) if 0 < index < 2**31 else None
    if row is None:
        raise NotFound(f"round {index} of campaign {campaign.id} not found")
    return row


def _results_by_candidate(
    session: Session, candidate_ids: list[int]
) -> dict[int, dict[str, ResultBrief]]:
    out: dict[int, dict[str, ResultBrief]] = {}
    if not candidate_ids:
        return out
    rows = session.scalars(
        select(CampaignResult).where(CampaignResult.candidate_id.in_(candidate_ids))
    )
    for r in rows:
        out.setdefault(r.candidate_id, {})[r.property] = ResultBrief(
            value=r.value,
            uncertainty=r.uncertainty,
            source=r.source,  # type: ignore[arg-type]
        )
    return out


def round_read(session: Session, row: CampaignRound) -> RoundRead:
    results = _results_by_candidate(session, [int(e["candidate_id"]) for e in row.batch])
    batch = [BatchEntry(**e, results=results.get(int(e["candidate_id"]), {})) for e in row.batch]
    return RoundRead(
        id=row.id,
        index=row.index,
        job_id=row.job_id,
        status=row.status,
        batch=batch,
        model_versions=row.model_versions,
        refit=row.refit,
        summary=row.summary,
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


# ------------------------------------------------------------------ results


def _result_read(r: CampaignResult, formula: str) -> ResultRead:
    return ResultRead(
        id=r.id,
        candidate_id=r.candidate_id,
        formula=formula,
        property=r.property,
        value=r.value,
        uncertainty=r.uncertainty,
        source=r.source,
        measurement_id=r.measurement_id,
        detail=r.detail,
    )


def _upsert(
    session: Session,
    campaign: Campaign,
    row: CampaignRound,
    candidate: CampaignCandidate,
    prop: str,
    *,
    value: float,
    uncertainty: float | None,
    source: str,
    measurement_id: int | None = None,
    detail: dict[str, Any] | None = None,
    user_id: int | None,
) -> CampaignResult:
    existing = session.scalar(
        select(CampaignResult).where(
            CampaignResult.candidate_id == candidate.id, CampaignResult.property == prop
        )
    )
    result = existing or CampaignResult(
        organization_id=campaign.organization_id,
        campaign_id=campaign.id,
        candidate_id=candidate.id,
        property=prop,
    )
    result.round_id = row.id
    result.value = float(value)
    result.uncertainty = uncertainty
    result.source = source
    result.measurement_id = measurement_id
    result.detail = detail or {}
    result.created_by_id = user_id
    if existing is None:
        session.add(result)
    session.flush()
    return result


def _batch_candidates(session: Session, row: CampaignRound) -> list[CampaignCandidate]:
    ids = [int(e["candidate_id"]) for e in row.batch]
    if not ids:
        return []
    found = {
        c.id: c
        for c in session.scalars(select(CampaignCandidate).where(CampaignCandidate.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def record_results(
    session: Session,
    project: projects.Project,
    campaign: Campaign,
    row: CampaignRound,
    body: ResultsCreate,
    *,
    user_id: int | None,
) -> ResultsRead:
    """Record results for the round's candidates (the latest value per candidate and
    property wins).

    Raises:
        Conflict: the round has not finished ranking.
        InvalidInput: no values given, a property that is not an objective, a candidate
            outside the round's batch.
    """
    if row.status != "succeeded":
        raise Conflict(f"round {row.index} has no ranked batch yet ({row.status})")
    props = [o.property for o in objectives_of(campaign)]
    batch = _batch_candidates(session, row)
    by_id = {c.id: c for c in batch}
    recorded: list[ResultRead] = []
    skipped: list[str] = []
    if body.source == "values":
        if not body.values:
            raise InvalidInput("no result values given ('values' is empty)")
        for v in body.values:
            prop = v.property or props[0]
            if prop not in props:
                raise InvalidInput(
                    f"{prop!r} is not an objective of this campaign ({', '.join(props)})"
                )
            cand = by_id.get(v.candidate_id)
            if cand is None:
                raise InvalidInput(
                    f"candidate {v.candidate_id} is not in round {row.index}'s batch"
                )
            r = _upsert(
                session,
                campaign,
                row,
                cand,
                prop,
                value=v.value,
                uncertainty=v.uncertainty,
                source="measured",
                detail={"entered": True},
                user_id=user_id,
            )
            recorded.append(_result_read(r, cand.formula))
    elif body.source == "measurements":
        recorded, skipped = _from_measurements(
            session, project, campaign, row, batch, props, user_id
        )
    else:
        recorded, skipped = _computed(session, campaign, row, batch, props, user_id)
    return ResultsRead(recorded=recorded, skipped=skipped)


def _from_measurements(
    session: Session,
    project: projects.Project,
    campaign: Campaign,
    row: CampaignRound,
    batch: list[CampaignCandidate],
    props: list[str],
    user_id: int | None,
) -> tuple[list[ResultRead], list[str]]:
    item_formula = {i.id: i.reduced_formula for i in projects.items_of(session, project)}
    latest: dict[tuple[str, str], Any] = {}
    for m in experiments.for_project(session, project.id):
        if m.property not in props:
            continue
        keys = []
        if m.material_id is not None:
            keys.append(f"material:{m.material_id}")
        formula = item_formula.get(m.item_id) if m.item_id is not None else None
        if formula is None and m.formula:
            try:
                formula = reduced_formula(m.formula)
            except InvalidInput:
                formula = None
        if formula:
            keys.append(formula)
        for k in keys:
            latest[(k, m.property)] = m  # oldest first: the last one wins
    recorded: list[ResultRead] = []
    skipped: list[str] = []
    for cand in batch:
        for prop in props:
            found = latest.get((cand.key, prop)) or latest.get((cand.formula, prop))
            if found is None:
                skipped.append(f"{cand.formula} (candidate {cand.id}): no {prop} measurement")
                continue
            r = _upsert(
                session,
                campaign,
                row,
                cand,
                prop,
                value=found.value,
                uncertainty=found.uncertainty,
                source="measured",
                measurement_id=found.id,
                detail={"unit": found.unit},
                user_id=user_id,
            )
            recorded.append(_result_read(r, cand.formula))
    if not recorded:
        raise InvalidInput(
            f"the project has no measurements of {', '.join(props)} for round {row.index}'s "
            f"candidates"
        )
    return recorded, skipped


def _computed(
    session: Session,
    campaign: Campaign,
    row: CampaignRound,
    batch: list[CampaignCandidate],
    props: list[str],
    user_id: int | None,
) -> tuple[list[ResultRead], list[str]]:
    from matdiscover.domains.campaigns.predict import model_versions, predict_pool

    formulas = [c.formula for c in batch]
    predicted = predict_pool(formulas, props)
    versions = model_versions(props)
    recorded: list[ResultRead] = []
    skipped: list[str] = []
    for i, cand in enumerate(batch):
        for prop in props:
            value = predicted[prop].mean[i]
            if value != value:  # NaN
                skipped.append(f"{cand.formula} (candidate {cand.id}): no {prop} prediction")
                continue
            r = _upsert(
                session,
                campaign,
                row,
                cand,
                prop,
                value=float(value),
                uncertainty=float(predicted[prop].std[i]),
                source="computed",
                detail={"oracle": "composition model", "model": versions[prop]},
                user_id=user_id,
            )
            recorded.append(_result_read(r, cand.formula))
    return recorded, skipped


def mark_chosen(session: Session, candidate_ids: list[int], index: int) -> None:
    session.execute(
        update(CampaignCandidate)
        .where(CampaignCandidate.id.in_(candidate_ids))
        .values(chosen_round=index)
    )


def chunk_indices(session: Session, job_id: int) -> list[int]:
    """The chunk indices of a round's job."""
    return list(
        session.scalars(
            select(jobs.JobChunk.index)
            .where(jobs.JobChunk.job_id == job_id)
            .order_by(jobs.JobChunk.index)
        )
    )
