"""Request and response bodies of the invitation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matdiscover.domains.identity import Role


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    role: Role = Role.researcher


class InvitationRead(BaseModel):
    id: int
    email: str
    role: Role
    status: Literal["pending", "accepted", "revoked", "expired"]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationCreated(InvitationRead):
    invitation_token: str = Field(
        description="The one-time secret the invitee accepts with (POST "
        "/auth/invitations/accept). Shown only now; pass it to the invitee privately."
    )


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    password: str = Field(
        min_length=1,
        max_length=256,
        description="A new account: the password to set (at least 10 characters). An existing "
        "account for the invited email: its current password (it is not changed).",
    )
    full_name: str | None = Field(
        default=None, max_length=200, description="Display name of a new account."
    )
