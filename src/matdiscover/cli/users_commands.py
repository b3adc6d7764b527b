"""``matdiscover users ...`` and ``matdiscover orgs ...``: accounts and organisations,
administered directly on the database (for the first admin and for server operators)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from matdiscover.cli.errors import handle_errors
from matdiscover.domains.identity import Role
from matdiscover.settings import get_settings, settings_for

users_app = typer.Typer(help="User accounts (run on the server).", no_args_is_help=True)
orgs_app = typer.Typer(
    help="Organisations and their plans (run on the server).", no_args_is_help=True
)
console = Console()

PASSWORD_ENV = "MATDISCOVER_NEW_PASSWORD"
TOKEN_ENV = "MATDISCOVER_INVITATION_TOKEN"
DataDirOpt = Annotated[Path | None, typer.Option(help="Data directory.")]
RoleOpt = Annotated[str, typer.Option(help="admin, researcher or viewer.")]


@contextmanager
def _session(data_dir: Path | None) -> Iterator[Session]:
    from matdiscover.cli.database import open_database
    from matdiscover.db.engine import session_scope

    with open_database(settings_for(data_dir)) as db, session_scope(db.session_factory) as session:
        yield session


def _password(prompt: bool) -> str:
    """From $MATDISCOVER_NEW_PASSWORD (scripts) or a hidden prompt, never a CLI argument."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not prompt:
        raise typer.BadParameter(f"set {PASSWORD_ENV} or run interactively")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise typer.BadParameter("role must be admin, researcher or viewer") from exc


@users_app.command("create-admin")
@handle_errors
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's email (login name).")],
    organization: Annotated[
        str, typer.Option("--org", help="Organisation name (created if it does not exist).")
    ],
    plan: Annotated[str | None, typer.Option(help="Plan of a new organisation.")] = None,
    full_name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create the first administrator (and their organisation). The password is read from
    a hidden prompt or $MATDISCOVER_NEW_PASSWORD; for an existing account it must be that
    account's current password (it is never changed here: see ``users set-password``)."""
    from matdiscover.domains.auth.secrets import hash_password, verify_password
    from matdiscover.domains.auth.service import find_user, normalise_email
    from matdiscover.domains.organizations import service
    from matdiscover.domains.organizations.models import Organization, OrgMembership, Plan
    from matdiscover.errors import Conflict, Forbidden

    email = normalise_email(email)
    password = _password(prompt=True)
    with _session(data_dir) as session:
        slug = service.slugify(organization)
        org = session.scalar(select(Organization).where(Organization.slug == slug))
        if org is None:
            org = service.create_organization(
                session, name=organization, plan=Plan(plan or get_settings().default_plan)
            )
        user = find_user(session, email)
        if user is None:
            service.create_member(
                session,
                org.id,
                email=email,
                role=Role.admin,
                full_name=full_name,
                password_hash=hash_password(password),
            )
        elif not verify_password(password, user.password_hash):
            raise Forbidden(
                f"an account for {email} exists and this is not its password; give its "
                "current password (or reset it first with `matdiscover users set-password`)"
            )
        else:
            membership = session.scalar(
                select(OrgMembership).where(
                    OrgMembership.organization_id == org.id, OrgMembership.user_id == user.id
                )
            )
            if membership is None:
                session.add(OrgMembership(organization_id=org.id, user_id=user.id, role=Role.admin))
            elif membership.role != Role.admin:
                raise Conflict(f"{email} is already a {membership.role.value} of {org.slug}")
        console.print(
            f"administrator [bold]{email}[/] of organisation [bold]{org.name}[/] "
            f"(slug {org.slug}, plan {org.plan.value})"
        )


def _print_invitation(email: str, org_slug: str, role: Role, token: str, days: int) -> None:
    console.print(
        f"invited {email} to {org_slug} as {role.value} (valid {days} days). Give the invitee "
        "this one-time token privately; they accept with `matdiscover users accept-invite` "
        "or POST /api/v1/auth/invitations/accept:"
    )
    console.print(token, soft_wrap=True, highlight=False)


def _invite(session: Session, org_ref: str, email: str, role: Role) -> None:
    from datetime import timedelta

    from matdiscover.domains.invitations import service as invitations
    from matdiscover.domains.organizations import service

    org = service.get_organization(session, org_ref)
    days = get_settings().invitation_days
    new = invitations.invite(
        session, org.id, email=email, role=role, invited_by=None, valid_for=timedelta(days=days)
    )
    _print_invitation(new.invitation.email, org.slug, role, new.token, days)


@users_app.command("add")
@handle_errors
def add_user(
    email: Annotated[str, typer.Argument(help="Email of the user.")],
    organization: Annotated[str, typer.Option("--org", help="Organisation slug or id.")],
    role: RoleOpt = "researcher",
    full_name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create an account in an organisation (password from a prompt or
    $MATDISCOVER_NEW_PASSWORD). An existing account is never attached without its owner:
    it gets an invitation instead, printed once, which its owner accepts."""
    from matdiscover.domains.auth.secrets import hash_password
    from matdiscover.domains.auth.service import find_user, normalise_email
    from matdiscover.domains.organizations import service

    email = normalise_email(email)
    member_role = _role(role)
    with _session(data_dir) as session:
        org = service.get_organization(session, organization)
        if find_user(session, email) is not None:
            console.print(f"{email} already has an account: inviting it instead")
            _invite(session, organization, email, member_role)
            return
        service.create_member(
            session,
            org.id,
            email=email,
            role=member_role,
            full_name=full_name,
            password_hash=hash_password(_password(prompt=True)),
        )
        console.print(f"{email} is now {role} of {org.slug}")


@users_app.command("invite")
@handle_errors
def invite_user(
    email: Annotated[str, typer.Argument(help="Email of the invitee.")],
    organization: Annotated[str, typer.Option("--org", help="Organisation slug or id.")],
    role: RoleOpt = "researcher",
    data_dir: DataDirOpt = None,
) -> None:
    """Invite someone to an organisation and print the one-time invitation token (a
    pending invitation for the same email is replaced)."""
    from matdiscover.domains.auth.service import normalise_email

    with _session(data_dir) as session:
        _invite(session, organization, normalise_email(email), _role(role))


@users_app.command("accept-invite")
@handle_errors
def accept_invite(
    full_name: Annotated[str | None, typer.Option(help="Display name of a new account.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Accept an invitation: the token from $MATDISCOVER_INVITATION_TOKEN or a hidden
    prompt; the password (of the new account, or the existing account's current one) from
    $MATDISCOVER_NEW_PASSWORD or a prompt."""
    from matdiscover.domains.invitations import service as invitations

    token = os.environ.get(TOKEN_ENV) or str(typer.prompt("Invitation token", hide_input=True))
    with _session(data_dir) as session:
        invitation = invitations.find_pending(session, token.strip())
        console.print(f"invitation for {invitation.email}")
        joined = invitations.accept(
            session, invitation, password=_password(prompt=True), full_name=full_name
        )
        console.print(
            f"{joined.user.email} is now {joined.role.value} of {joined.organization.slug}"
        )


@users_app.command("set-password")
@handle_errors
def set_password(
    email: Annotated[str, typer.Argument(help="Email of the user.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Reset a user's password (ends all their sessions)."""
    from matdiscover.domains.auth.secrets import hash_password
    from matdiscover.domains.auth.service import end_all_sessions, find_user
    from matdiscover.errors import NotFound

    new_hash = hash_password(_password(prompt=True))
    with _session(data_dir) as session:
        user = find_user(session, email)
        if user is None:
            raise NotFound(f"no user {email}")
        user.password_hash = new_hash
        end_all_sessions(session, user)
    console.print(f"password of {email} changed; their sessions ended")


@users_app.command("list")
@handle_errors
def list_users(
    organization: Annotated[
        str | None, typer.Option("--org", help="Only this organisation.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """List accounts with their organisations and roles."""
    from matdiscover.domains.organizations.models import Organization, OrgMembership, User

    with _session(data_dir) as session:
        query = (
            select(User.email, User.is_active, Organization.slug, OrgMembership.role)
            .join(OrgMembership, OrgMembership.user_id == User.id)
            .join(Organization, Organization.id == OrgMembership.organization_id)
            .order_by(Organization.slug, User.email)
        )
        if organization:
            query = query.where(Organization.slug == organization)
        table = Table("email", "organisation", "role", "active")
        for email, active, slug, role in session.execute(query):
            table.add_row(email, slug, role.value, "yes" if active else "no")
    console.print(table)


@users_app.command("api-key")
@handle_errors
def create_api_key(
    email: Annotated[str, typer.Argument(help="Owner of the key.")],
    organization: Annotated[str, typer.Option("--org", help="Organisation slug or id.")],
    name: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
    role: Annotated[str | None, typer.Option(help="Key role (at most the owner's).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create an API key for a user (printed once; use with --api-key or
    MATDISCOVER_API_KEY)."""
    from matdiscover.domains.auth import service as auth
    from matdiscover.domains.identity import Caller
    from matdiscover.domains.organizations import service
    from matdiscover.domains.organizations.models import OrgMembership
    from matdiscover.errors import NotFound

    with _session(data_dir) as session:
        org = service.get_organization(session, organization)
        user = auth.find_user(session, email)
        member_role = (
            session.scalar(
                select(OrgMembership.role).where(
                    OrgMembership.organization_id == org.id, OrgMembership.user_id == user.id
                )
            )
            if user
            else None
        )
        if user is None or member_role is None:
            raise NotFound(f"{email} is not a member of {org.slug}")
        caller = Caller(org.id, user.id, member_role, method="token")
        _, key = auth.create_api_key(
            session, caller, name=name, role=_role(role) if role else None, expires_in_days=None
        )
    console.print(key, soft_wrap=True, highlight=False)


@orgs_app.command("list")
@handle_errors
def list_orgs(data_dir: DataDirOpt = None) -> None:
    """List organisations and their plans."""
    from matdiscover.domains.organizations.models import Organization

    with _session(data_dir) as session:
        table = Table("id", "slug", "name", "plan")
        for org in session.scalars(select(Organization).order_by(Organization.id)):
            table.add_row(str(org.id), org.slug, org.name, org.plan.value)
    console.print(table)


@orgs_app.command("create")
@handle_errors
def create_org(
    name: Annotated[str, typer.Argument(help="Organisation name.")],
    plan: Annotated[str | None, typer.Option(help="free_academic, researcher or lab.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create an organisation."""
    from matdiscover.domains.organizations import service
    from matdiscover.domains.organizations.models import Plan

    with _session(data_dir) as session:
        org = service.create_organization(
            session, name=name, plan=Plan(plan or get_settings().default_plan)
        )
        console.print(f"organisation {org.slug} (id {org.id}, plan {org.plan.value})")


@orgs_app.command("set-plan")
@handle_errors
def set_plan(
    organization: Annotated[str, typer.Argument(help="Organisation slug or id.")],
    plan: Annotated[str, typer.Argument(help="free_academic, researcher or lab.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Change an organisation's plan (its quotas follow at once)."""
    from matdiscover.domains.organizations import service
    from matdiscover.domains.organizations.models import Plan

    try:
        new_plan = Plan(plan)
    except ValueError as exc:
        raise typer.BadParameter("plan must be free_academic, researcher or lab") from exc
    with _session(data_dir) as session:
        org = service.get_organization(session, organization)
        org.plan = new_plan
        console.print(f"{org.slug} is now on plan {new_plan.value}")
