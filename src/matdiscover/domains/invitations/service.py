"""Invite people to an organisation; they join by accepting with the one-time token.

No organisation ever sets, learns or changes the password of an account: a new account gets
the password its invitee chooses when accepting; an existing account joins only when the
invitee proves they own it by giving its current password. Inviting answers the same way
whether or not an account exists for the email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains.auth import service as auth
from matdiscover.domains.identity import Role
from matdiscover.domains.invitations.models import Invitation
from matdiscover.domains.organizations import service as organizations
from matdiscover.domains.organizations.service import Organization, User
from matdiscover.errors import Conflict, Unauthenticated

TOKEN_PREFIX = "mdi_"
Status = Literal["pending", "accepted", "revoked", "expired"]


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str  # the secret, shown once


@dataclass(frozen=True)
class Accepted:
    invitation: Invitation
    user: User
    organization: Organization
    role: Role


class WrongPassword(Unauthenticated):
    """The password is not the existing account's (an invitation never changes it)."""

    def __init__(self) -> None:
        super().__init__(
            "wrong password for the existing account with this email: enter that account's "
            "current password to join"
        )


def status_of(invitation: Invitation, now: datetime | None = None) -> Status:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or datetime.now(UTC)):
        return "expired"
    return "pending"


def invite(
    session: Session,
    organization_id: int,
    *,
    email: str,
    role: Role,
    invited_by: int | None,
    valid_for: timedelta,
) -> NewInvitation:
    """Invite ``email`` (a pending invitation for it is replaced: its token stops working).
    Works the same whether or not an account exists for the email; only a current member
    of this organisation is refused."""
    email = auth.normalise_email(email)
    if organizations.is_member_email(session, organization_id, email):
        raise Conflict(f"{email} is already a member of this organisation")
    now = datetime.now(UTC)
    session.execute(
        update(Invitation)
        .where(
            Invitation.organization_id == organization_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    row = Invitation(
        organization_id=organization_id,
        email=email,
        role=role,
        invited_by=invited_by,
        token_hash=auth.token_digest(token),
        expires_at=now + valid_for,
    )
    session.add(row)
    session.flush()
    return NewInvitation(row, token)


def list_invitations(session: Session, organization_id: int) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.organization_id == organization_id)
            .order_by(Invitation.id.desc())
        )
    )


def revoke(session: Session, organization_id: int, invitation_id: int) -> Invitation:
    """Withdraw an invitation (idempotent); an accepted one cannot be: remove the member."""
    statement = select(Invitation).where(
        Invitation.id == invitation_id, Invitation.organization_id == organization_id
    )
    row = one_or_not_found(
        session, invitation_id, statement, f"invitation {invitation_id} not found"
    )
    if row.accepted_at is not None:
        raise Conflict("the invitation was already accepted; remove the member instead")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.flush()
    return row


def find_pending(session: Session, token: str) -> Invitation:
    """The pending invitation for ``token`` (locked for this transaction); the session must
    be unscoped (the caller is not a member yet)."""
    row = session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == auth.token_digest(token))
        .with_for_update()
    )
    if row is None:
        raise Unauthenticated("the invitation is invalid")
    status = status_of(row)
    if status == "accepted":
        raise Unauthenticated("the invitation was already used")
    if status == "revoked":
        raise Unauthenticated("the invitation was withdrawn; ask for a new one")
    if status == "expired":
        raise Unauthenticated("the invitation has expired; ask for a new one")
    return row


def accept(
    session: Session, invitation: Invitation, *, password: str, full_name: str | None
) -> Accepted:
    """Join the invitation's organisation: with a new account (``password`` becomes its
    password) or, if an account exists for the email, with that account once ``password``
    proves it is the invitee's (:class:`WrongPassword` otherwise). Never changes a password."""
    user = organizations.find_user_by_email(session, invitation.email)
    if user is None:
        password_hash = auth.hash_password(password)  # enforces the password policy
        try:
            with session.begin_nested():
                user = organizations.create_user(
                    session,
                    email=invitation.email,
                    password_hash=password_hash,
                    full_name=full_name,
                )
        except IntegrityError as exc:  # created by a concurrent acceptance
            raise Conflict(
                "an account for this email was just created; accept again with its password"
            ) from exc
    elif not (auth.verify_password(password, user.password_hash) and user.is_active):
        raise WrongPassword()
    organizations.join(session, invitation.organization_id, user, invitation.role)
    invitation.accepted_at = datetime.now(UTC)
    session.flush()
    org = organizations.get_organization(session, invitation.organization_id)
    return Accepted(invitation, user, org, invitation.role)
