"""Schemas of the model registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

VersionStatus = Literal["candidate", "active", "retired", "shipped"]


class ModelVersionRead(BaseModel):
    """A model version: one trained by the organisation (``source`` ``organization``, with
    an ``id``) or a shipped model (``source`` ``shipped``, read-only, no ``id``).

    ``in_use`` is true for the version the organisation's predictions of ``property`` use
    now: its active version, else the shipped model."""

    id: int | None = None
    source: Literal["organization", "shipped"]
    name: str
    property: str
    method: str
    unit: str
    version: str = Field(description="the model_version recorded on predictions")
    number: int | None = Field(default=None, description="1, 2, ... per organisation and property")
    status: VersionStatus
    in_use: bool
    base_name: str | None = None
    base_version: str | None = None
    artifact_uri: str | None = None
    data_fingerprint: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    card: dict[str, Any] = Field(default_factory=dict)
    job_id: int | None = None
    created_by_id: int | None = None
    created_at: datetime | None = None
    activated_at: datetime | None = None


class ModelVersionList(BaseModel):
    items: list[ModelVersionRead]


class ActiveModelRead(BaseModel):
    """What the organisation's predictions of ``property`` use from now on."""

    property: str
    version: ModelVersionRead
