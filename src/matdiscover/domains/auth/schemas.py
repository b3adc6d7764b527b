"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matdiscover.domains.identity import Role

Password = Field(min_length=1, max_length=256)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Password
    organization: str | None = Field(
        default=None, max_length=100, description="Slug or id; default: the first membership."
    )


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Password
    new_password: str = Field(min_length=10, max_length=256)


class OrganizationRef(BaseModel):
    id: int
    slug: str
    name: str
    plan: str


class UserRead(BaseModel):
    id: int
    email: str
    full_name: str | None


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    refresh_expires_in: int
    user: UserRead
    organization: OrganizationRef
    role: Role


class Membership(BaseModel):
    organization: OrganizationRef
    role: Role


class Me(BaseModel):
    user: UserRead
    organization: OrganizationRef
    role: Role
    auth_method: Literal["local", "token", "api_key"]
    auth_required: bool = Field(description="Does this server require authentication?")
    memberships: list[Membership]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: Role | None = Field(
        default=None, description="At most your own role; default researcher (viewer for viewers)."
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiKeyRead(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's public start, to recognise it.")
    role: Role
    user_id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key. Shown only now; store it safely.")
