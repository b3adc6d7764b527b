"""API shapes of campaigns, their rounds and results.

Values are in the property catalogue's units (``GET /api/v1/properties``): eV, eV/atom,
GPa, K.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matdiscover.science.ranking.campaign import Acquisition

#: largest campaign pool
MAX_POOL = 20_000
#: largest uploaded pool text (CSV or one formula per line), bytes
MAX_POOL_TEXT = 2_000_000
MAX_BATCH = 100
PoolSource = Literal["uploaded", "project", "enumeration"]


class ObjectiveSpec(BaseModel):
    """One objective: maximise or minimise a property, or hit a window ``[min, max]``."""

    model_config = ConfigDict(extra="forbid")

    property: str = Field(min_length=1, max_length=64, examples=["band_gap"])
    direction: Literal["max", "min", "window"] = "max"
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)


class PoolSpec(BaseModel):
    """Where the candidates come from.

    - ``uploaded``: ``formulas`` (a list) or ``text`` (CSV with a ``formula`` column, or
      one formula per line); at most 20,000 candidates and 2 MB of text.
    - ``project``: the project's items (uploads and known compounds).
    - ``enumeration``: charge-balanced compositions containing all ``elements`` with at
      most ``max_atoms`` atoms per formula unit and ``max_coefficient`` of one element.
    """

    model_config = ConfigDict(extra="forbid")

    source: PoolSource
    formulas: list[str] | None = Field(default=None, max_length=MAX_POOL)
    text: str | None = Field(default=None, max_length=MAX_POOL_TEXT)
    elements: list[str] | None = Field(default=None, max_length=6)
    max_atoms: int = Field(default=8, ge=2, le=30)
    max_coefficient: int = Field(default=6, ge=1, le=20)


class ConstraintsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_elements: list[str] | None = Field(default=None, max_length=118)
    excluded_elements: list[str] | None = Field(default=None, max_length=118)
    max_e_above_hull: float | None = Field(
        default=None, allow_inf_nan=False, description="eV/atom, on the predicted value"
    )
    exclude_out_of_domain: bool = False


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    objectives: list[ObjectiveSpec] = Field(min_length=1, max_length=3)
    acquisition: Acquisition = "ucb"
    kappa: float = Field(default=1.0, ge=0.0, le=10.0, allow_inf_nan=False)
    batch_size: int = Field(default=5, description=f"1 to {MAX_BATCH}")
    diversity: float = Field(default=0.0, ge=0.0, le=10.0, allow_inf_nan=False)
    constraints: ConstraintsSpec = Field(default_factory=ConstraintsSpec)
    pool: PoolSpec


class CampaignRead(BaseModel):
    id: int
    project_id: int
    name: str
    objectives: list[ObjectiveSpec]
    acquisition: str
    kappa: float
    batch_size: int
    diversity: float
    constraints: dict[str, Any]
    pool_source: str
    pool: dict[str, Any] = Field(description="The pool's specification (no formulas)")
    status: str
    n_candidates: int
    n_chosen: int = Field(description="Candidates picked in earlier rounds")
    n_results: int
    n_rounds: int
    best: dict[str, float] = Field(description="Best observed value per objective property")
    created_at: datetime


class CampaignList(BaseModel):
    items: list[CampaignRead]


class ResultBrief(BaseModel):
    value: float
    uncertainty: float | None
    source: Literal["measured", "computed"]


class BatchEntry(BaseModel):
    rank: int
    candidate_id: int
    formula: str
    material_id: int | None
    origin: dict[str, Any]
    score: float = Field(description="Acquisition score (higher is better)")
    adjusted_score: float = Field(description="Score after the diversity penalty")
    mean: dict[str, float | None]
    std: dict[str, float | None]
    results: dict[str, ResultBrief] = Field(default_factory=dict)


class RoundRead(BaseModel):
    id: int
    index: int
    job_id: int | None
    status: str
    batch: list[BatchEntry]
    model_versions: dict[str, Any]
    refit: dict[str, Any]
    summary: dict[str, Any]
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class RoundList(BaseModel):
    items: list[RoundRead]


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: Literal["low", "normal", "high"] = "normal"


class ResultValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: int = Field(ge=1)
    property: str | None = Field(
        default=None, max_length=64, description="Default: the first objective"
    )
    value: float = Field(allow_inf_nan=False)
    uncertainty: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)


class ResultsCreate(BaseModel):
    """Results for a round's candidates: typed ``values`` (measured), or pulled from the
    project's ``measurements`` (matched by material or reduced formula), or ``computed``
    (the shipped composition model's prediction, recorded as a computed oracle value)."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["values", "measurements", "computed"] = "values"
    values: list[ResultValue] = Field(default_factory=list, max_length=1000)


class ResultRead(BaseModel):
    id: int
    candidate_id: int
    formula: str
    property: str
    value: float
    uncertainty: float | None
    source: str
    measurement_id: int | None
    detail: dict[str, Any]


class ResultsRead(BaseModel):
    recorded: list[ResultRead]
    skipped: list[str] = Field(description="Candidates or properties without a value, and why")
