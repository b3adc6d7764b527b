"""Organisation and user services. Local mode has one implicit organisation and user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from matdiscover.db.base import can_exist, one_or_not_found
from matdiscover.db.tenancy import tenant_of
from matdiscover.domains.identity import Caller, Role

# the account and organisation rows other domains receive from this service
from matdiscover.domains.organizations.models import Organization as Organization
from matdiscover.domains.organizations.models import OrgMembership, Plan
from matdiscover.domains.organizations.models import User as User
from matdiscover.errors import Conflict, InvalidInput, NotFound

LOCAL_ORG_SLUG = "local"
LOCAL_USER_EMAIL = "local@localhost"


def ensure_local_identity(session: Session) -> Caller:
    """Get or create the implicit local organisation and user (idempotent, and safe when
    two processes, say the server and a CLI command, run it at once on a fresh database)."""
    org = _get_or_insert(
        session,
        Organization,
        {"slug": LOCAL_ORG_SLUG},
        name="Local workspace",
    )
    user = _get_or_insert(session, User, {"email": LOCAL_USER_EMAIL}, full_name="Local user")
    _get_or_insert(
        session,
        OrgMembership,
        {"organization_id": org.id, "user_id": user.id},
        role=Role.admin,
    )
    return Caller(organization_id=org.id, user_id=user.id, role=Role.admin)


_Row = TypeVar("_Row", Organization, User, OrgMembership)


def _get_or_insert(session: Session, model: type[_Row], key: dict[str, Any], **values: Any) -> _Row:
    """The row with the unique ``key``; inserted with ``values`` if missing, without a
    unique-violation error when another transaction inserts it concurrently."""
    where = [getattr(model, k) == v for k, v in key.items()]
    row = session.scalar(select(model).where(*where))
    if row is None:
        session.execute(
            pg_insert(model)
            .values(**key, **values)
            .on_conflict_do_nothing(index_elements=list(key))
        )
        row = session.scalars(select(model).where(*where)).one()
    return row


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


def find_user_by_email(session: Session, email: str) -> User | None:
    """The account for a normalised email (an unscoped session sees every account)."""
    return session.scalar(select(User).where(User.email == email))


def get_user(session: Session, user_id: int) -> User | None:
    """The account with this id, or None."""
    return session.get(User, user_id) if can_exist(user_id) else None


def find_organization(session: Session, organization_id: int) -> Organization | None:
    """The organisation with this id, or None."""
    return session.get(Organization, organization_id) if can_exist(organization_id) else None


def lock_row(session: Session, organization_id: int) -> None:
    """Lock the organisation's row for this transaction with ``FOR NO KEY UPDATE``: it
    serialises writers that check the organisation's quotas, while inserts of rows that
    reference the organisation (their foreign-key check takes a key-share lock) go on."""
    session.execute(
        select(Organization.id)
        .where(Organization.id == organization_id)
        .with_for_update(key_share=True)
    )


def memberships_of(session: Session, user_id: int) -> list[tuple[Organization, Role]]:
    """Every organisation the user belongs to, with the role there (oldest first)."""
    rows = session.execute(
        select(Organization, OrgMembership.role)
        .join(OrgMembership, OrgMembership.organization_id == Organization.id)
        .where(OrgMembership.user_id == user_id)
        .order_by(Organization.id)
    ).all()
    return [(org, role) for org, role in rows]


def role_in(session: Session, user_id: int, organization_id: int) -> Role | None:
    """The user's role in the organisation, or None if not a member."""
    return session.scalar(
        select(OrgMembership.role).where(
            OrgMembership.user_id == user_id, OrgMembership.organization_id == organization_id
        )
    )


def is_member_email(session: Session, organization_id: int, email: str) -> bool:
    found = session.scalar(
        select(OrgMembership.id)
        .join(User, User.id == OrgMembership.user_id)
        .where(OrgMembership.organization_id == organization_id, User.email == email)
    )
    return found is not None


def create_user(
    session: Session, *, email: str, password_hash: str, full_name: str | None = None
) -> User:
    """A new account (the email must not have one yet)."""
    user = User(email=email, full_name=full_name, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def join(session: Session, organization_id: int, user: User, role: Role) -> Member:
    """Make ``user`` a member. Callers make sure the account's owner consented (an accepted
    invitation, or an account just created for them)."""
    exists = session.scalar(
        select(OrgMembership.id).where(
            OrgMembership.organization_id == organization_id, OrgMembership.user_id == user.id
        )
    )
    if exists is not None:
        raise Conflict("this account is already a member of the organisation; log in instead")
    membership = OrgMembership(organization_id=organization_id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    return Member(user, role, membership.created_at or datetime.now(UTC))


def create_member(
    session: Session,
    organization_id: int,
    *,
    email: str,
    role: Role,
    password_hash: str,
    full_name: str | None = None,
) -> Member:
    """Create a new account and make it a member (server operators and tests, with direct
    database access). An existing account is refused, never reused: it joins another
    organisation only by accepting an invitation (see :mod:`matdiscover.domains.invitations`).
    Needs an unscoped session: an organisation's own session must not probe other accounts."""
    if tenant_of(session) is not None:
        raise TypeError("create_member needs an unscoped session (operator or test use)")
    if find_user_by_email(session, email) is not None:
        raise Conflict(
            f"an account for {email} already exists; invite it (its owner accepts the "
            "invitation with the account's own password)"
        )
    user = create_user(session, email=email, password_hash=password_hash, full_name=full_name)
    return join(session, organization_id, user, role)


def _membership_row(session: Session, organization_id: int, user_id: int) -> OrgMembership:
    statement = select(OrgMembership).where(
        OrgMembership.organization_id == organization_id, OrgMembership.user_id == user_id
    )
    return one_or_not_found(
        session, user_id, statement, f"user {user_id} is not a member of this organisation"
    )


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
