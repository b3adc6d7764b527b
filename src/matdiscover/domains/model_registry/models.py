"""Tables of the model registry.

- ``model_versions``: one row per model version an organisation trained: what it predicts,
  where its artifact lives in the object store, its card, the fingerprint of its training
  data, its metrics and its status. At most one version per organisation and property is
  ``active``; an active version is used by that organisation's predictions instead of the
  shipped model. ``replaced_id`` is the version that was active when this one was
  promoted (``NULL``: the shipped model), so a rollback restores it in one step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin

STATUSES = ("candidate", "active", "retired")


class ModelVersion(IdMixin, TimestampMixin, Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("organization_id", "property", "version"),
        CheckConstraint("status IN ('candidate', 'active', 'retired')", name="status"),
        Index(
            "uq_model_versions_one_active",
            "organization_id",
            "property",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    property: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(32))
    #: 1, 2, ... per organisation and property
    version: Mapped[int] = mapped_column(Integer)
    #: the ``model_version`` its predictions record, e.g. ``1.0.0+ft.12``
    version_label: Mapped[str] = mapped_column(String(64))
    base_name: Mapped[str | None] = mapped_column(String(200))
    base_version: Mapped[str | None] = mapped_column(String(64))
    #: object-store key prefix of the artifact folder and its URL
    artifact_key: Mapped[str | None] = mapped_column(String(1000))
    artifact_uri: Mapped[str | None] = mapped_column(String(1000))
    card: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    data_fingerprint: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    replaced_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("model_versions.id", ondelete="SET NULL")
    )
    job_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
