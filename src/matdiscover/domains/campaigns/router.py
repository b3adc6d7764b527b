"""HTTP endpoints of discovery campaigns: ``/projects/{project_id}/campaigns``, their
rounds (queued as jobs; progress at ``/jobs/{job_id}``) and results. Viewers read,
researchers write; another organisation's project or campaign is a 404."""

from __future__ import annotations

from fastapi import APIRouter

from matdiscover.api.deps import CallerDep, SessionDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.campaigns import service
from matdiscover.domains.campaigns.schemas import (
    CampaignCreate,
    CampaignList,
    CampaignRead,
    ResultsCreate,
    ResultsRead,
    RoundCreate,
    RoundList,
    RoundRead,
)
from matdiscover.domains.projects import service as projects

router = APIRouter(prefix="/projects/{project_id}/campaigns", tags=["campaigns"])


def _project(session: SessionDep, caller: CallerDep, project_id: int) -> projects.Project:
    return projects.get(session, project_id, organization_id=caller.organization_id)


@router.get("", response_model=CampaignList, responses=error_responses(400, 404))
def list_campaigns(session: SessionDep, caller: CallerDep, project_id: int) -> CampaignList:
    """The project's campaigns with pool size, rounds, results and best observed values."""
    project = _project(session, caller, project_id)
    return CampaignList(items=service.list_for(session, project))


@router.post(
    "",
    status_code=201,
    response_model=CampaignRead,
    responses=error_responses(400, 404, 409, 413, 422),
)
def create_campaign(
    session: SessionDep, caller: CallerDep, project_id: int, body: CampaignCreate
) -> CampaignRead:
    """A new campaign: objectives, pool (uploaded formulas or text, the project's items,
    or a chemical-system enumeration), acquisition, batch size and constraints. An empty
    pool, an unknown objective property, a target window with min > max, a batch size out
    of range or constraints that exclude every candidate are a 400 naming the problem."""
    project = _project(session, caller, project_id)
    campaign = service.create(session, project, body, user_id=caller.user_id)
    return service.read(session, campaign)


@router.get("/{campaign_id}", response_model=CampaignRead, responses=error_responses(400, 404))
def get_campaign(
    session: SessionDep, caller: CallerDep, project_id: int, campaign_id: int
) -> CampaignRead:
    project = _project(session, caller, project_id)
    return service.read(session, service.get(session, project, campaign_id))


@router.post(
    "/{campaign_id}/rounds",
    status_code=202,
    response_model=RoundRead,
    responses=error_responses(400, 404, 409),
)
def start_round(
    session: SessionDep,
    caller: CallerDep,
    project_id: int,
    campaign_id: int,
    body: RoundCreate | None = None,
) -> RoundRead:
    """Queue the next round as a job (409 while one is queued or running): predict the
    pool, refit on the results so far, rank, pick a diverse batch excluding candidates
    chosen before. Follow it at ``GET /jobs/{job_id}`` (or its event stream)."""
    project = _project(session, caller, project_id)
    campaign = service.get(session, project, campaign_id)
    row = service.start_round(
        session,
        campaign,
        user_id=caller.user_id,
        priority=(body or RoundCreate()).priority,
    )
    return service.round_read(session, row)


@router.get("/{campaign_id}/rounds", response_model=RoundList, responses=error_responses(400, 404))
def list_rounds(
    session: SessionDep, caller: CallerDep, project_id: int, campaign_id: int
) -> RoundList:
    """Every round with its ranked batch (score, mean and σ per objective, results)."""
    project = _project(session, caller, project_id)
    campaign = service.get(session, project, campaign_id)
    return RoundList(
        items=[service.round_read(session, r) for r in service.rounds_of(session, campaign)]
    )


@router.get(
    "/{campaign_id}/rounds/{round_index}",
    response_model=RoundRead,
    responses=error_responses(400, 404),
)
def get_round(
    session: SessionDep, caller: CallerDep, project_id: int, campaign_id: int, round_index: int
) -> RoundRead:
    project = _project(session, caller, project_id)
    campaign = service.get(session, project, campaign_id)
    return service.round_read(session, service.get_round(session, campaign, round_index))


@router.post(
    "/{campaign_id}/rounds/{round_index}/results",
    status_code=201,
    response_model=ResultsRead,
    responses=error_responses(400, 404, 409, 422),
)
def record_results(
    session: SessionDep,
    caller: CallerDep,
    project_id: int,
    campaign_id: int,
    round_index: int,
    body: ResultsCreate,
) -> ResultsRead:
    """Results for the round's candidates: typed measured ``values``, the project's
    ``measurements`` (matched by material or reduced formula), or ``computed`` (the shipped
    composition model's prediction, recorded as a computed oracle value)."""
    project = _project(session, caller, project_id)
    campaign = service.get(session, project, campaign_id)
    row = service.get_round(session, campaign, round_index)
    return service.record_results(session, project, campaign, row, body, user_id=caller.user_id)
