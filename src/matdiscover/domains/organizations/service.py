"""Organisation and user services. Local mode has one implicit organisation and user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matdiscover.db.base import can_exist
from matdiscover.db.tenancy import unscoped
from matdiscover.domains.organizations.models import Organization, OrgMembership, Plan, Role, User
from matdiscover.errors import Conflict, InvalidInput, NotFound

LOCAL_ORG_SLUG = "local"
LOCAL_USER_EMAIL = "local@localhost"


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


# --- organisations and members ---------------------------------------------------------


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:100]
    if not slug:
        raise InvalidInput("the organisation name needs at least one letter or digit")
    return slug


def create_organization(
    session: Session, *, name: str, slug: str | None = None, plan: Plan = Plan.lab
) -> Organization:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("the organisation name must have 1–200 characters")
    slug = slugify(slug or name)
    if session.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
        raise Conflict(f"an organisation with slug {slug!r} already exists")
    org = Organization(name=name, slug=slug, plan=plan)
    session.add(org)
    session.flush()
    return org


def get_organization(session: Session, ref: str | int) -> Organization:
    query = select(Organization)
    if isinstance(ref, int) or str(ref).isdigit():
        query = query.where(Organization.id == int(ref))
    else:
        query = query.where(Organization.slug == ref)
    org = session.scalar(query)
    if org is None:
        raise NotFound(f"organisation {ref} not found")
    return org


@dataclass(frozen=True)
class Member:
    user: User
    role: Role
    joined_at: datetime


def list_members(session: Session, organization_id: int) -> list[Member]:
    rows = session.execute(
        select(User, OrgMembership.role, OrgMembership.created_at)
        .join(OrgMembership, OrgMembership.user_id == User.id)
        .where(OrgMembership.organization_id == organization_id)
        .order_by(User.id)
    ).all()
    return [Member(u, r, t) for u, r, t in rows]


def get_member(session: Session, organization_id: int, user_id: int) -> Member:
    for member in list_members(session, organization_id):
        if member.user.id == user_id:
            return member
    raise NotFound(f"user {user_id} is not a member of this organisation")


def add_member(
    session: Session,
    organization_id: int,
    *,
    email: str,
    role: Role,
    full_name: str | None = None,
    password_hash: str | None = None,
) -> tuple[Member, bool]:
    """Add a user (created if new) to the organisation; (member, whether the user is new)."""
    # the user may exist without being visible to this organisation's scoped session
    with unscoped(session):
        user = session.scalar(select(User).where(User.email == email))
        created = user is None
        if user is None:
            user = User(email=email, full_name=full_name, password_hash=password_hash)
            session.add(user)
            session.flush()
        exists = session.scalar(
            select(OrgMembership).where(
                OrgMembership.organization_id == organization_id, OrgMembership.user_id == user.id
            )
        )
        if exists is not None:
            raise Conflict(f"{email} is already a member of this organisation")
        membership = OrgMembership(organization_id=organization_id, user_id=user.id, role=role)
        session.add(membership)
        session.flush()
    return Member(user, role, membership.created_at or datetime.now(UTC)), created


def _membership_row(session: Session, organization_id: int, user_id: int) -> OrgMembership:
    membership = (
        session.scalar(
            select(OrgMembership).where(
                OrgMembership.organization_id == organization_id, OrgMembership.user_id == user_id
            )
        )
        if can_exist(user_id)
        else None
    )
    if membership is None:
        raise NotFound(f"user {user_id} is not a member of this organisation")
    return membership


def _admin_count(session: Session, organization_id: int) -> int:
    return len(
        session.scalars(
            select(OrgMembership.id).where(
                OrgMembership.organization_id == organization_id,
                OrgMembership.role == Role.admin,
            )
        ).all()
    )


def set_member_role(session: Session, organization_id: int, user_id: int, role: Role) -> Member:
    membership = _membership_row(session, organization_id, user_id)
    last_admin = membership.role == Role.admin and _admin_count(session, organization_id) <= 1
    if last_admin and role != Role.admin:
        raise Conflict("the organisation's last administrator cannot be demoted")
    membership.role = role
    session.flush()
    return get_member(session, organization_id, user_id)


def remove_member(session: Session, organization_id: int, user_id: int) -> None:
    membership = _membership_row(session, organization_id, user_id)
    if membership.role == Role.admin and _admin_count(session, organization_id) <= 1:
        raise Conflict("the organisation's last administrator cannot be removed")
    session.delete(membership)
    session.flush()
