"""Tenant isolation in one place: a session bound to an organisation sees and writes only
that organisation's rows.

Every mapped class with an ``organization_id`` column is tenant-owned. On a session bound
with :func:`bind_tenant`:

- every ORM ``SELECT``/``UPDATE``/``DELETE`` (including ``session.get`` and relationship
  loads) gets ``organization_id = :org`` added for each tenant-owned class, or
  ``organization_id = :org OR organization_id IS NULL`` for reads of the classes in
  :data:`SHARED_READ_TABLES` (reference data every organisation can read, never write);
- a flush refuses to insert, change or delete a row of another organisation or a shared
  (reference) row, and stamps new rows without an organisation with the bound one.

API requests get a bound session by default (``SessionDep``); workers and admin commands use
unbound sessions and pass organisation ids explicitly. Core SQL (``text()``, table-level
``select``) is not rewritten: services using it must filter by organisation themselves, and
the route-enumeration isolation test proves every endpoint does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from matdiscover.db.base import Base
from matdiscover.errors import NotFound

TENANT_KEY = "matdiscover.tenant"
TOUCHED_KEY = "matdiscover.touched"

# Tables whose rows with organization_id NULL are shared reference data, readable by all.
SHARED_READ_TABLES = frozenset({"materials", "predictions"})


class TenantViolation(NotFound):
    """A bound session tried to write a row outside its organisation. A service forgot a
    check; the client is told only that the object was not found."""


@dataclass(frozen=True)
class TenantScope:
    organization_id: int


def bind_tenant(session: Session, organization_id: int) -> Session:
    """Scope ``session`` to one organisation for the rest of its life."""
    session.info[TENANT_KEY] = TenantScope(organization_id)
    return session


@contextmanager
def unscoped(session: Session) -> Iterator[Session]:
    """Lift the organisation scope for a block (e.g. to find a user by email before adding
    them to the organisation). Use sparingly and never to return other tenants' data."""
    scope = session.info.pop(TENANT_KEY, None)
    try:
        yield session
    finally:
        if scope is not None:
            session.info[TENANT_KEY] = scope


def tenant_of(session: Session) -> TenantScope | None:
    scope = session.info.get(TENANT_KEY)
    return scope if isinstance(scope, TenantScope) else None


def tenant_classes() -> list[type[Any]]:
    """Mapped classes owned by an organisation (those with an ``organization_id`` column)."""
    classes = [
        m.class_
        for m in Base.registry.mappers
        if "organization_id" in m.columns and m.local_table is not None
    ]
    return sorted(classes, key=lambda c: str(c.__tablename__))


def _is_shared(cls: type[Any]) -> bool:
    return getattr(cls, "__tablename__", None) in SHARED_READ_TABLES


def _criteria(scope: TenantScope, *, writing: bool) -> list[Any]:
    from matdiscover.domains.organizations.models import Organization, OrgMembership, User

    org_id = scope.organization_id
    options: list[Any] = []
    for cls in _tenant_list():
        column = cls.organization_id
        shared = _is_shared(cls) and not writing  # reference rows: readable, never writable
        clause = or_(column == org_id, column.is_(None)) if shared else column == org_id
        options.append(with_loader_criteria(cls, clause, include_aliases=True))
    options.append(with_loader_criteria(Organization, Organization.id == org_id))
    members = select(OrgMembership.user_id).where(OrgMembership.organization_id == org_id)
    options.append(with_loader_criteria(User, User.id.in_(members)))
    return options


def _scope_statement(state: ORMExecuteState) -> None:
    scope = tenant_of(state.session)
    if scope is None or not state.is_orm_statement:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(*_criteria(scope, writing=not state.is_select))


def _guard_flush(session: Session, _context: Any, _instances: Any) -> None:
    scope = tenant_of(session)
    if scope is None:
        return
    org_id = scope.organization_id
    for obj in session.new:
        if type(obj) in _tenant_set():
            if obj.organization_id is None:
                obj.organization_id = org_id
            elif obj.organization_id != org_id:
                raise TenantViolation(f"cannot create {type(obj).__name__} in another organisation")
    for obj in list(session.dirty) + list(session.deleted):
        if type(obj) in _tenant_set() and obj.organization_id != org_id:
            raise TenantViolation(
                f"cannot change {type(obj).__name__} {getattr(obj, 'id', '?')}: "
                "it belongs to another organisation or is shared reference data"
            )


@cache
def _tenant_list() -> tuple[type[Any], ...]:
    """:func:`tenant_classes` in a fixed order, computed once (statement cache keys stay
    stable)."""
    return tuple(tenant_classes())


@cache
def _tenant_set() -> frozenset[type[Any]]:
    return frozenset(_tenant_list())


def install_tenant_guards(factory: sessionmaker[Session]) -> None:
    """Attach the scoping and write guards to every session ``factory`` makes."""
    event.listen(factory, "do_orm_execute", _scope_statement)
    event.listen(factory, "before_flush", _guard_flush)
    event.listen(factory, "after_flush", _after_flush_record)


def _after_flush_record(session: Session, _context: Any) -> None:
    """After a flush: remember which rows the unit of work wrote (ids are known now)."""
    touched: list[tuple[str, str]] = session.info.setdefault(TOUCHED_KEY, [])
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table and len(touched) < 50:
            touched.append((table, str(getattr(obj, "id", ""))))


def touched_rows(session: Session) -> list[tuple[str, str]]:
    """(table, id) of rows this session has written so far (capped at 50)."""
    return list(session.info.get(TOUCHED_KEY, []))
