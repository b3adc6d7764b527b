"""Declarative base with a constraint naming convention (stable Alembic diffs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Index, MetaData, Select, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from matdiscover.errors import NotFound

_Row = TypeVar("_Row")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSONB, list[Any]: JSONB, list[str]: JSONB}


#: Largest value of a ``bigint`` column, hence of any row id.
MAX_ID = 2**63 - 1


def can_exist(row_id: int) -> bool:
    """Whether ``row_id`` could be a stored row's id. Look-ups answer "not found" for other
    values without a query (PostgreSQL would reject them as out of range).

    Example:
        >>> can_exist(1), can_exist(0), can_exist(2**63)
        (True, False, False)
    """
    return 0 < row_id <= MAX_ID


def one_or_not_found(session: Session, row_id: int, statement: Select[_Row], missing: str) -> _Row:
    """The row ``statement`` selects, or :class:`NotFound` with the message ``missing``.
    Without a query when ``row_id`` (the id the statement looks for) cannot be a row's id."""
    row = session.scalar(statement) if can_exist(row_id) else None
    if row is None:
        raise NotFound(missing)
    return row


def hnsw_cosine_index(name: str, column: str) -> Index:
    """An HNSW index for cosine nearest-neighbour search over a pgvector ``column``
    (m = 16, ef_construction = 64: the parameters the migrations create)."""
    return Index(
        name,
        column,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={column: "vector_cosine_ops"},
    )


class IdMixin:
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
