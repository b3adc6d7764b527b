"""Metered usage per organisation (predictions, batch rows, storage) for plan quotas."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin


class UsageRecord(IdMixin, TimestampMixin, Base):
    __tablename__ = "usage_records"
    __table_args__ = (
        Index("ix_usage_records_org_kind_created", "organization_id", "kind", "created_at"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(BigInteger, default=1)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
