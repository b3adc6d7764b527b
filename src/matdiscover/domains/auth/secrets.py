"""Password hashing (argon2id), signed access tokens (JWT, HS256) and opaque secrets
(refresh tokens, API keys) stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from matdiscover.db.base import can_exist
from matdiscover.errors import InvalidInput, Unauthenticated

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
API_KEY_PREFIX = "mdk_"
JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"

# argon2id (the library default type) with its default RFC 9106 "low memory" parameters
_hasher = PasswordHasher()
# verified against when the account does not exist, so both paths take the same time
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise InvalidInput("the password is too simple")


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH]) and (
            password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_family_id() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class NewApiKey:
    key: str  # the full secret, shown once
    key_id: str  # public part, used to look the key up


def new_api_key() -> NewApiKey:
    key_id = secrets.token_hex(6)
    return NewApiKey(key=f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}", key_id=key_id)


def split_api_key(key: str) -> tuple[str, str] | None:
    """(key_id, key) for something that looks like an API key, else None."""
    if not key.startswith(API_KEY_PREFIX) or len(key) > 200:
        return None
    key_id, sep, rest = key[len(API_KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 12 or not rest:
        return None
    return key_id, key


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    organization_id: int
    issued_at: datetime


def issue_access_token(
    *, user_id: int, organization_id: int, secret: str, ttl: timedelta, now: datetime | None = None
) -> str:
    now = now or datetime.now(UTC)
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "org": organization_id,
        "typ": ACCESS_TOKEN_TYPE,
        "iat": round(now.timestamp(), 6),  # sub-second, compared with tokens_valid_after
        "exp": int((now + ttl).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    if len(token) > 4096:
        raise Unauthenticated("the access token is malformed")
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "sub", "typ", "org"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the access token has expired; refresh it") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("the access token is invalid") from exc
    if payload.get("typ") != ACCESS_TOKEN_TYPE:
        raise Unauthenticated("the access token is invalid")
    try:
        claims = AccessClaims(
            user_id=int(payload["sub"]),
            organization_id=int(payload["org"]),
            issued_at=datetime.fromtimestamp(float(payload["iat"]), UTC),
        )
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise Unauthenticated("the access token is invalid") from exc
    # ids no row can have (beyond bigint) would fail in the database, not as a bad token
    if not (can_exist(claims.user_id) and can_exist(claims.organization_id)):
        raise Unauthenticated("the access token is invalid")
    return claims
