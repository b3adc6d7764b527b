"""API shapes of molecules, their activities, uploads, searches and neighbours.

Units: MW in g/mol (Da), TPSA in Å², activity values in their reported unit, pActivity
= -log10(molar value); LE in kcal/mol per heavy atom, BEI per kDa, SEI per 100 Å².
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RelationIn = Literal["=", "<", ">", "<=", ">=", "~"]
MoleculeSort = Literal["score", "name", "mw", "clogp", "qed", "created"]
Classification = Literal["Strong", "Moderate", "Weak", "Unscored"]


def _one_line(value: str | None) -> str | None:
    if value is not None and any(c in value for c in "\r\n\t"):
        raise ValueError("must be a single line without tabs")
    return value


class ActivityIn(BaseModel):
    """One measured activity (ChEMBL style)."""

    model_config = ConfigDict(extra="forbid")

    value: float = Field(allow_inf_nan=False, description="Reported value, in ``unit``")
    unit: str = Field(
        default="", max_length=20, description="M, mM, µM/uM, nM, pM, fM; empty for pKi etc."
    )
    relation: RelationIn = "="
    type: str | None = Field(default=None, max_length=50, description="Ki, IC50, EC50, pKi...")
    target: str | None = Field(default=None, max_length=100, description="e.g. a ChEMBL id")
    assay_id: str | None = Field(default=None, max_length=100)
    document_id: str | None = Field(default=None, max_length=100)

    _lines = field_validator("unit", "type", "target", "assay_id", "document_id")(_one_line)


class MoleculeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    smiles: str = Field(min_length=1, max_length=2000)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    activity: ActivityIn | None = None

    _lines = field_validator("smiles", "name")(_one_line)


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target: str | None
    standard_type: str | None
    relation: str
    value: float
    unit: str
    p_activity: float = Field(description="-log10(molar value)")
    p_relation: str = Field(description="Relation on the pActivity scale ('>' for IC50 '<')")
    assay_id: str | None
    document_id: str | None
    source: str
    created_at: datetime


class AlertRead(BaseModel):
    catalog: str = Field(description="PAINS_A/B/C, BRENK or NIH")
    name: str
    family: str
    description: str
    atoms: list[int] = Field(description="Matched atom indices of the standardised molecule")
    is_pains: bool


class ScoreRead(BaseModel):
    """Every component of the O[Q/P/L]A score with its weight:
    ``total = 100 * (wp * potency + we * efficiency + wq * quality) / (wp + we + wq)``."""

    total: float | None
    classification: Classification
    potency: float | None
    efficiency: float | None
    quality: float
    w_potency: float
    w_efficiency: float
    w_quality: float
    efficiency_terms: dict[str, float]
    alert_penalty: float
    property_penalty: float
    property_violations: list[str]
    censored: bool
    notes: list[str]


class MoleculeSummary(BaseModel):
    id: int
    name: str | None
    smiles: str
    inchikey: str
    mw: float
    clogp: float
    tpsa: float
    qed: float
    heavy_atoms: int
    has_pains: bool
    n_alerts: int
    p_activity: float | None
    score_total: float | None
    classification: Classification
    indices: dict[str, float | None] = Field(
        description="LE, LLE, SEI, BEI, NSEI, NBEI, nBEI of the primary activity"
    )
    source: str
    created_at: datetime


class MoleculeRead(MoleculeSummary):
    """A molecule with everything computed for it."""

    input_smiles: str
    changes: list[str] = Field(description="Standardisation steps that changed it")
    descriptors: dict[str, float | int]
    alerts: list[AlertRead]
    score: ScoreRead
    primary_activity_id: int | None = Field(description="The activity indices and score use")
    activities: list[ActivityRead]
    created: bool = Field(default=False, description="True when this request stored it")


class MoleculePage(BaseModel):
    items: list[MoleculeSummary]
    total: int
    limit: int
    offset: int
    sort: MoleculeSort
    order: Literal["asc", "desc"]


class RowIssueRead(BaseModel):
    row: int | None = Field(description="1-based line (tables, SMILES) or record (SDF)")
    kind: str
    message: str
    severity: Literal["error", "warning"]


class UploadRowRead(BaseModel):
    row: int
    molecule_id: int
    created: bool
    activity_added: bool


class UploadResult(BaseModel):
    """What an upload or import stored, and every row it did not (or kept with a warning)."""

    format: str
    encoding: str
    stored: int = Field(description="Rows stored (new or matched molecules)")
    created: int = Field(description="Molecules new to the organisation")
    activities_added: int
    rows: list[UploadRowRead]
    issues: list[RowIssueRead]


class UploadRejected(BaseModel):
    """The 422 body of a file whose rows are all bad: nothing was stored. A request that
    does not match the schema (e.g. without a file) has FastAPI's 422 body instead:
    ``detail`` lists the invalid fields and there are no ``issues``."""

    detail: str | list[dict[str, Any]]
    issues: list[RowIssueRead] = Field(
        default_factory=list, description="Every bad row: row number, kind, message"
    )


class SeedActivityRead(BaseModel):
    target: str
    activity_type: str
    value_nm: float
    p_activity: float


class SeedNeighbourRead(BaseModel):
    smiles: str
    similarity: float | None = Field(description="ECFP4 Tanimoto, 0-1 (None: substructure hit)")
    activities: list[SeedActivityRead]


class MoleculeHit(BaseModel):
    molecule: MoleculeSummary
    similarity: float | None = Field(description="ECFP4 Tanimoto (similarity search only)")


class Neighbours(BaseModel):
    seed: list[SeedNeighbourRead] = Field(description="Nearest seed (ChEMBL) compounds")
    molecules: list[MoleculeHit] = Field(description="Nearest molecules of your organisation")


class SearchResult(BaseModel):
    mode: Literal["substructure", "similarity"]
    scope: Literal["org", "seed", "all"]
    molecules: list[MoleculeHit]
    seed: list[SeedNeighbourRead]
    scanned: int = Field(description="Molecules examined")
    truncated: bool = Field(description="Stopped at the result limit or the time budget")


def score_read(score: dict[str, Any]) -> ScoreRead:
    wp, we, wq = score["weights"]
    return ScoreRead(
        total=score["total"],
        classification=score["classification"],
        potency=score["potency"],
        efficiency=score["efficiency"],
        quality=score["quality"],
        w_potency=wp,
        w_efficiency=we,
        w_quality=wq,
        efficiency_terms=score["efficiency_terms"],
        alert_penalty=score["alert_penalty"],
        property_penalty=score["property_penalty"],
        property_violations=list(score["property_violations"]),
        censored=score["censored"],
        notes=list(score["notes"]),
    )
