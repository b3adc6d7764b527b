"""Who is calling: the identity every domain's services are scoped by.

Shared by all domains (it imports none): :class:`Caller` is resolved once per request by
``api.deps`` (or built by the CLI and workers) and passed down; :class:`Role` is the
vocabulary of what a member may do.

    >>> Caller(organization_id=1, user_id=2, role=Role.viewer).can_write
    False
    >>> Caller(organization_id=1, user_id=2, role=Role.admin, api_key_id=7).principal
    'key:7'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    admin = "admin"
    researcher = "researcher"
    viewer = "viewer"


@dataclass(frozen=True)
class Caller:
    """Who is making a request: the scope every service query is filtered by."""

    organization_id: int
    user_id: int | None
    role: Role
    # how the caller proved who it is: "local" (local mode), "token" or "api_key"
    method: str = "local"
    api_key_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role in (Role.admin, Role.researcher)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def principal(self) -> str:
        """A stable name for rate limiting: the API key or the user."""
        return f"key:{self.api_key_id}" if self.api_key_id else f"user:{self.user_id}"
