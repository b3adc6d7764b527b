"""Write and read the audit log: every write request and every authentication event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from matdiscover.domains.audit.models import AuditEntry
from matdiscover.errors import InvalidInput


@dataclass(frozen=True)
class Actor:
    organization_id: int | None
    user_id: int | None
    ip: str | None
    user_agent: str | None
    api_key_id: int | None = None


class About(TypedDict, total=False):
    """What an entry is about (each optional): the object acted on and extra details."""

    object_type: str | None
    object_id: str | None
    details: dict[str, Any] | None


def _values(
    actor: Actor,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    extra = dict(details or {})
    if actor.api_key_id is not None:
        extra["api_key_id"] = actor.api_key_id
    return {
        "organization_id": actor.organization_id,
        "user_id": actor.user_id,
        "action": action[:64],
        "object_type": object_type[:64] if object_type else None,
        "object_id": object_id[:64] if object_id else None,
        "ip": (actor.ip or "")[:64] or None,
        "user_agent": (actor.user_agent or "")[:500] or None,
        "details": extra,
    }


def record(session: Session, actor: Actor, action: str, **about: Unpack[About]) -> None:
    """Add an entry to ``session``'s transaction (kept only if that transaction commits)."""
    session.add(AuditEntry(**_values(actor, action, **about)))


def record_now(engine: Engine, actor: Actor, action: str, **about: Unpack[About]) -> None:
    """Write an entry in its own transaction (kept even if the request then fails)."""
    with engine.begin() as conn:
        conn.execute(insert(AuditEntry).values(**_values(actor, action, **about)))


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    user_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class EntryPage:
    entries: list[AuditEntry]
    #: where the next (older) page starts; ``None`` once fewer than ``limit`` were found
    next_before_id: int | None


def search(
    session: Session,
    *,
    organization_id: int,
    flt: AuditFilter,
    limit: int,
    before_id: int | None,
) -> EntryPage:
    """Newest first; ``before_id`` pages back. ``action`` matches a prefix ending in '*'."""
    for name in ("action", "object_type", "object_id"):
        if "\x00" in (getattr(flt, name) or ""):
            raise InvalidInput(f"{name} must not contain NUL characters")
    query = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if flt.action:
        if flt.action.endswith("*"):
            prefix = flt.action[:-1].replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            query = query.where(AuditEntry.action.like(prefix + "%", escape="\\"))
        else:
            query = query.where(AuditEntry.action == flt.action)
    exact = (
        (AuditEntry.user_id, flt.user_id),
        (AuditEntry.object_type, flt.object_type or None),
        (AuditEntry.object_id, flt.object_id or None),
    )
    for column, value in exact:
        if value is not None:
            query = query.where(column == value)
    if flt.since and flt.until and flt.since > flt.until:
        raise InvalidInput("since must not be after until")
    if flt.since:
        query = query.where(AuditEntry.created_at >= flt.since)
    if flt.until:
        query = query.where(AuditEntry.created_at < flt.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
    return EntryPage(rows, rows[-1].id if len(rows) == limit else None)
