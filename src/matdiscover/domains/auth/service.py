"""Log in, refresh, log out, change passwords, manage API keys, and turn credentials into
a :class:`Caller`. Sessions passed here are unscoped (authentication precedes tenancy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from matdiscover.db.base import can_exist
from matdiscover.domains.auth import ratelimit
from matdiscover.domains.auth import secrets as sec
from matdiscover.domains.auth.models import ApiKey, RefreshToken
from matdiscover.domains.identity import Caller, Role
from matdiscover.domains.organizations import service as organizations
from matdiscover.domains.organizations.service import Organization, User
from matdiscover.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from matdiscover.settings import Settings

ROLE_RANK = {Role.viewer: 0, Role.researcher: 1, Role.admin: 2}
# last_used_at is written at most this often per key (not on every request)
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenPolicy:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: User
    organization: Organization
    role: Role


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 320 or "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput("not a valid email address")
    return email


def find_user(session: Session, email: str) -> User | None:
    return organizations.find_user_by_email(session, normalise_email(email))


def authenticate_password(
    session: Session, email: str, password: str, organization: str | None
) -> tuple[User, Organization, Role]:
    """The user, organisation and role for valid credentials; one vague error otherwise."""
    try:
        user = find_user(session, email)
    except InvalidInput:
        user = None
    ok = sec.verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        raise Unauthenticated("wrong email or password")
    if user.password_hash and sec.needs_rehash(user.password_hash):
        user.password_hash = sec.hash_password(password)
    orgs = organizations.memberships_of(session, user.id)
    if organization is not None:
        orgs = [(o, r) for o, r in orgs if organization in (o.slug, str(o.id))]
    if not orgs:
        raise Unauthenticated(
            "this account is not a member of that organisation"
            if organization
            else "this account belongs to no organisation; ask an administrator to add it"
        )
    org, role = orgs[0]
    return user, org, role


@dataclass(frozen=True)
class Identity:
    """The calling account, its current organisation and all its memberships."""

    user: User
    organization: Organization
    memberships: list[tuple[Organization, Role]]


def whoami(session: Session, caller: Caller) -> Identity:
    user = organizations.get_user(session, caller.user_id) if caller.user_id else None
    org = organizations.find_organization(session, caller.organization_id)
    if user is None or org is None:
        raise NotFound("the calling account no longer exists")
    return Identity(user, org, organizations.memberships_of(session, user.id))


def open_session(
    session: Session,
    user: User,
    org: Organization,
    role: Role,
    *,
    policy: TokenPolicy,
    client: ClientInfo,
    family_id: str | None = None,
) -> IssuedTokens:
    """Tokens for a user whose credentials were already checked (a login, or accepting an
    invitation); ``family_id`` continues a refreshed session's token family instead of
    starting a new one."""
    family_id = family_id if family_id is not None else sec.new_family_id()
    now = datetime.now(UTC)
    refresh = sec.new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            session_organization_id=org.id,
            family_id=family_id,
            token_hash=sec.digest(refresh),
            expires_at=now + policy.refresh_ttl,
            ip=(client.ip or "")[:64] or None,
            user_agent=(client.user_agent or "")[:500] or None,
        )
    )
    session.flush()
    access = sec.issue_access_token(
        user_id=user.id, organization_id=org.id, secret=policy.secret, ttl=policy.access_ttl
    )
    return IssuedTokens(
        access_token=access,
        access_expires_in=int(policy.access_ttl.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=int(policy.refresh_ttl.total_seconds()),
        user=user,
        organization=org,
        role=role,
    )


def login(
    session: Session,
    *,
    email: str,
    password: str,
    organization: str | None,
    policy: TokenPolicy,
    client: ClientInfo,
) -> IssuedTokens:
    user, org, role = authenticate_password(session, email, password, organization)
    return open_session(session, user, org, role, policy=policy, client=client)


def refresh(
    session: Session, token: str, *, policy: TokenPolicy, client: ClientInfo
) -> IssuedTokens:
    """Rotate a refresh token. Presenting an already-used token revokes its whole family
    (it was stolen or replayed) and fails."""
    now = datetime.now(UTC)
    row = session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == sec.digest(token)).with_for_update()
    )
    if row is None:
        raise Unauthenticated("the refresh token is invalid")
    if row.revoked_at is not None:
        revoke_family(session, row.family_id)
        raise Unauthenticated("the refresh token was already used or revoked; log in again")
    if row.expires_at <= now:
        raise Unauthenticated("the refresh token has expired; log in again")
    user = organizations.get_user(session, row.user_id)
    role = organizations.role_in(session, row.user_id, row.session_organization_id)
    org = organizations.find_organization(session, row.session_organization_id)
    if user is None or not user.is_active or role is None or org is None:
        revoke_family(session, row.family_id)
        raise Unauthenticated("the account or its membership is no longer active")
    if user.tokens_valid_after is not None and row.created_at <= user.tokens_valid_after:
        revoke_family(session, row.family_id)
        raise Unauthenticated("the session was ended; log in again")
    row.revoked_at = now
    return open_session(
        session, user, org, role, policy=policy, client=client, family_id=row.family_id
    )


def revoke_family(session: Session, family_id: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def logout(session: Session, token: str) -> int | None:
    """Revoke the session the refresh token belongs to; the user id, or None if unknown."""
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == sec.digest(token)))
    if row is None:
        return None
    revoke_family(session, row.family_id)
    return row.user_id


def end_all_sessions(session: Session, user: User) -> None:
    """Refuse every access token issued so far and revoke every refresh token."""
    user.tokens_valid_after = datetime.now(UTC)
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def change_password(session: Session, user_id: int, current: str, new: str) -> User:
    user = organizations.get_user(session, user_id)
    if user is None or not sec.verify_password(current, user.password_hash):
        raise Forbidden("the current password is wrong")
    if current == new:
        raise InvalidInput("the new password must differ from the current one")
    user.password_hash = sec.hash_password(new)
    end_all_sessions(session, user)
    return user


def caller_from_access_token(session: Session, token: str, *, secret: str) -> Caller:
    claims = sec.decode_access_token(token, secret=secret)
    user = organizations.get_user(session, claims.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("the account is not active")
    if user.tokens_valid_after is not None and claims.issued_at < user.tokens_valid_after:
        raise Unauthenticated("the session was ended; log in again")
    role = organizations.role_in(session, user.id, claims.organization_id)
    if role is None:
        raise Unauthenticated("the account is no longer a member of this organisation")
    return Caller(
        organization_id=claims.organization_id, user_id=user.id, role=role, method="token"
    )


def caller_from_api_key(session: Session, key: str) -> Caller:
    parts = sec.split_api_key(key)
    row = session.scalar(select(ApiKey).where(ApiKey.key_id == parts[0])) if parts else None
    # compare even when the key id is unknown, so timing does not tell ids apart
    valid = sec.same_digest(key, row.key_hash if row else "0" * 64) and row is not None
    if row is None or not valid:
        raise Unauthenticated("the API key is invalid")
    now = datetime.now(UTC)
    if row.revoked_at is not None:
        raise Unauthenticated("the API key has been revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated("the API key has expired")
    owner = organizations.get_user(session, row.user_id)
    owner_role = organizations.role_in(session, row.user_id, row.organization_id)
    if owner is None or not owner.is_active or owner_role is None:
        raise Unauthenticated("the API key's owner is no longer an active member")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    role = min(row.role, owner_role, key=ROLE_RANK.__getitem__)
    return Caller(
        organization_id=row.organization_id,
        user_id=row.user_id,
        role=role,
        method="api_key",
        api_key_id=row.id,
    )


def caller_from_bearer(session: Session, credential: str, *, secret: str) -> Caller:
    if sec.split_api_key(credential) is not None:
        return caller_from_api_key(session, credential)
    return caller_from_access_token(session, credential, secret=secret)


# --- password and token hashing, for other domains -------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (refuses passwords outside the policy)."""
    return sec.hash_password(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches (constant effort even without a hash)."""
    return sec.verify_password(password, password_hash)


def token_digest(token: str) -> str:
    """SHA-256 of a one-time token, as stored (tokens themselves never are)."""
    return sec.digest(token)


# --- per-account lock-out ------------------------------------------------------------


def check_account_lock(engine: Engine, bucket: str, settings: Settings) -> None:
    """429 while an account's recent password failures (this and the previous window)
    reach the limit; login, password change and invitation acceptance share it, so none
    is an unthrottled password oracle. ``bucket`` names the account, e.g.
    ``login-fail:ada@lab.org``."""
    ratelimit.check(
        engine,
        bucket,
        limit=settings.login_failures_per_minute_account,
        window_s=settings.login_lockout_window_s,
        what="failed password attempts for this account",
    )


def count_failed_attempt(engine: Engine, bucket: str, settings: Settings) -> None:
    """Count one wrong password against the account's lock-out (never refuses itself)."""
    ratelimit.hit(
        engine, bucket, limit=10**9, window_s=settings.login_lockout_window_s, what="failures"
    )


def throttle_address(engine: Engine, bucket: str, *, limit: int, what: str) -> None:
    """Count one attempt from a client address; 429 past ``limit`` per minute."""
    ratelimit.hit(engine, bucket, limit=limit, what=what)


# --- API keys -------------------------------------------------------------------------


def create_api_key(
    session: Session,
    caller: Caller,
    *,
    name: str,
    role: Role | None,
    expires_in_days: int | None,
) -> tuple[ApiKey, str]:
    if caller.user_id is None:
        raise Forbidden("API keys belong to a user")
    if caller.method == "api_key":
        raise Forbidden("an API key cannot create API keys; log in as a user")
    role = role or (Role.researcher if caller.can_write else Role.viewer)
    if ROLE_RANK[role] > ROLE_RANK[caller.role]:
        raise Forbidden(f"you cannot create a key with a higher role ({role}) than your own")
    new = sec.new_api_key()
    expires = (
        datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days is not None else None
    )
    row = ApiKey(
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        name=name,
        key_id=new.key_id,
        key_hash=sec.digest(new.key),
        role=role,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    return row, new.key


def list_api_keys(session: Session, caller: Caller) -> list[ApiKey]:
    """Admins see every key of the organisation, others their own."""
    query = select(ApiKey).where(ApiKey.organization_id == caller.organization_id)
    if not caller.is_admin:
        query = query.where(ApiKey.user_id == caller.user_id)
    return list(session.scalars(query.order_by(ApiKey.id)))


def revoke_api_key(session: Session, caller: Caller, key_id: int) -> ApiKey:
    row = (
        session.scalar(
            select(ApiKey).where(
                ApiKey.id == key_id, ApiKey.organization_id == caller.organization_id
            )
        )
        if can_exist(key_id)
        else None
    )
    if row is None or (not caller.is_admin and row.user_id != caller.user_id):
        raise NotFound(f"API key {key_id} not found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return row
