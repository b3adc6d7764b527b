"""Request and response bodies of the organisation endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from matdiscover.domains.identity import Role as Role

# the role and plan vocabularies are part of this domain's public schema
from matdiscover.domains.organizations.models import Plan as Plan


class MemberRead(BaseModel):
    user_id: int
    email: str
    full_name: str | None
    role: Role
    is_active: bool
    joined_at: datetime


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class PlanLimitsRead(BaseModel):
    predictions_per_month: int
    batch_rows: int
    concurrent_jobs: int
    storage_bytes: int


class UsageRead(BaseModel):
    organization_id: int
    plan: str
    period_start: datetime
    period_end: datetime
    limits: PlanLimitsRead
    predictions_used: int
    predictions_left: int
    storage_bytes_used: int
    active_jobs: int
