"""HTTP endpoints of the predictions domain."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from matdiscover.api.deps import CallerDep, SessionDep, SettingsDep
from matdiscover.api.responses import error_responses
from matdiscover.domains.predictions import service
from matdiscover.domains.predictions.models import Prediction
from matdiscover.domains.predictions.schemas import (
    MaterialPredictions,
    PredictionRead,
    PredictionRequest,
    PredictionResponse,
    PropertyInfoRead,
    RelaxationRead,
)
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.predict import PredictionReport
from matdiscover.science.properties import CATALOGUE

router = APIRouter(tags=["predictions"])


class ModelCardRead(BaseModel):
    """A shipped model with its card (training data, held-out metrics, calibration)."""

    model_config = ConfigDict(extra="allow")

    name: str
    version: str
    property: str
    method: str
    unit: str


@router.get("/models", response_model=list[ModelCardRead], tags=["models"])
def list_models() -> list[ModelCardRead]:
    """Every shipped model with its card."""
    from matdiscover.science.models.registry import list_model_cards

    return [ModelCardRead.model_validate(c) for c in list_model_cards()]


@router.get("/properties", response_model=list[PropertyInfoRead], tags=["models"])
def list_properties() -> list[PropertyInfoRead]:
    """The property catalogue: every predictable property with its unit and the paths
    (composition, structure) that predict it, in display order."""
    return catalogue_read()


def catalogue_read() -> list[PropertyInfoRead]:
    return [
        PropertyInfoRead(
            key=info.key,
            display_name=info.display_name,
            unit=info.unit,
            description=info.description,
            methods=list(info.methods),
        )
        for info in CATALOGUE.values()
    ]


def read_row(row: Prediction) -> PredictionRead:
    return PredictionRead.model_validate(row)


def read_value(p: PropertyPrediction) -> PredictionRead:
    return PredictionRead(
        property=p.property,
        value=p.value,
        unit=p.unit,
        std=p.std,
        interval_low=p.interval_95[0],
        interval_high=p.interval_95[1],
        method=p.method,
        model_name=p.model,
        model_version=p.model_version,
        in_domain=p.in_domain,
        warnings=list(p.warnings),
        details=dict(p.details),
    )


def response_from(
    report: PredictionReport, *, material_id: int | None, rows: list[Prediction] | None = None
) -> PredictionResponse:
    preds = [read_row(r) for r in rows] if rows else [read_value(p) for p in report.predictions]
    relax = report.relaxation
    return PredictionResponse(
        input=report.input,
        formula=report.formula,
        material_id=material_id,
        predictions=preds,
        relaxation=RelaxationRead(
            converged=relax.converged,
            steps=relax.steps,
            max_force=relax.max_force,
            message=relax.message,
        )
        if relax
        else None,
        warnings=list(report.warnings),
    )


@router.post(
    "/predictions",
    response_model=PredictionResponse,
    responses=error_responses(400, 402, 404, 422),
)
def create_prediction(
    body: PredictionRequest, session: SessionDep, caller: CallerDep, settings: SettingsDep
) -> PredictionResponse:
    """Predict properties of a stored material (results stored), an inline structure or a
    formula (results returned, not stored)."""
    outcome = service.predict(
        session,
        body,
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        settings=settings,
    )
    return response_from(outcome.report, material_id=outcome.material_id, rows=outcome.rows)


@router.get(
    "/materials/{material_id}/predictions",
    response_model=MaterialPredictions,
    responses=error_responses(404, 422),
)
def material_predictions(
    material_id: int, session: SessionDep, caller: CallerDep
) -> MaterialPredictions:
    """The latest prediction per property and the full history of a material."""
    latest, history = service.list_for_material(
        session, material_id, organization_id=caller.organization_id
    )
    return MaterialPredictions(
        material_id=material_id,
        latest=[read_row(r) for r in latest],
        history=[read_row(r) for r in history],
        pending=service.prediction_pending(session, material_id),
    )
