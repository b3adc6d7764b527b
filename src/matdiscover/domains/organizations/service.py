"""Organisation and user services. Local mode has one implicit organisation and user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matdiscover.domains.organizations.models import Organization, OrgMembership, Role, User

LOCAL_ORG_SLUG = "local"
LOCAL_USER_EMAIL = "local@localhost"


@dataclass(frozen=True)
class Caller:
    """Who is making a request: the scope every service query is filtered by."""

    organization_id: int
    user_id: int | None
    role: Role


def ensure_local_identity(session: Session) -> Caller:
    """Get or create the implicit local organisation and user (idempotent)."""
    org = session.scalar(select(Organization).where(Organization.slug == LOCAL_ORG_SLUG))
    if org is None:
        org = Organization(name="Local workspace", slug=LOCAL_ORG_SLUG)
        session.add(org)
        session.flush()
    user = session.scalar(select(User).where(User.email == LOCAL_USER_EMAIL))
    if user is None:
        user = User(email=LOCAL_USER_EMAIL, full_name="Local user")
        session.add(user)
        session.flush()
    membership = session.scalar(
        select(OrgMembership).where(
            OrgMembership.organization_id == org.id, OrgMembership.user_id == user.id
        )
    )
    if membership is None:
        session.add(OrgMembership(organization_id=org.id, user_id=user.id, role=Role.admin))
        session.flush()
    return Caller(organization_id=org.id, user_id=user.id, role=Role.admin)
