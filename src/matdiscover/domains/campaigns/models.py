"""Tables of the campaigns domain (discovery campaigns inside a project).

- ``campaigns``: an organisation's active-learning campaign in a project: objectives
  (``[{property, direction: max|min|window, min?, max?}]``), the acquisition function and
  its parameters (``kappa``, ``batch_size``, ``diversity``, ``constraints``), where the
  candidate pool came from (``pool_source`` with its specification in ``pool``) and a
  status.
- ``campaign_candidates``: the pool: one row per candidate composition (``formula``) or
  uploaded material (``material_id``), with its origin (uploaded, project, enumeration,
  generated with parent/substitution/prototype) and a cache of the shipped models'
  predictions (``predictions``: ``{property: {mean, std, members, model}}``).
  ``chosen_round`` is the round that put it into a batch (NULL: never chosen).
- ``campaign_rounds``: one ranking round: index (1, 2, ...), the queue job that ran it,
  status, the ranked batch with scores, mean and σ per objective, the model versions and
  how the predictions were refitted on the results so far.
- ``campaign_results``: a candidate's observed value of one objective property: measured
  (typed in or linked to a project measurement) or ``computed`` (an oracle value, e.g. the
  shipped model's prediction, with its source in ``detail``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin

ACQUISITIONS = ("greedy", "ucb", "lcb", "ei", "pi", "thompson", "stability", "window")
POOL_SOURCES = ("uploaded", "project", "enumeration", "generated")
CAMPAIGN_STATUSES = ("preparing", "ready", "running", "failed", "archived")
ROUND_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
RESULT_SOURCES = ("measured", "computed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Campaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint(_in("acquisition", ACQUISITIONS), name="acquisition"),
        CheckConstraint(_in("pool_source", POOL_SOURCES), name="pool_source"),
        CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: [{property, direction: "max"|"min"|"window", min?, max?}]
    objectives: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    acquisition: Mapped[str] = mapped_column(String(16))
    #: UCB/LCB exploration weight (in σ), also k of the stability score
    kappa: Mapped[float] = mapped_column(Float, default=1.0, server_default="1.0")
    batch_size: Mapped[int] = mapped_column(Integer)
    #: 0 = pure score order; larger values penalise compositions similar to those picked
    diversity: Mapped[float] = mapped_column(Float, default=0.0, server_default="0.0")
    #: {elements_allowed?, elements_excluded?, max_e_above_hull?, exclude_out_of_domain?}
    constraints: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    pool_source: Mapped[str] = mapped_column(String(16))
    #: the pool's specification (elements and limits of an enumeration, upload name...)
    pool: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready")
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CampaignCandidate(IdMixin, TimestampMixin, Base):
    __tablename__ = "campaign_candidates"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    #: dedupe key within the campaign: the reduced formula, or "material:<id>"
    key: Mapped[str] = mapped_column(String(200))
    formula: Mapped[str] = mapped_column(String(200))
    material_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("materials.id", ondelete="SET NULL")
    )
    #: {kind: uploaded|project|enumeration|generated, parent?, substitution?, prototype?}
    origin: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    #: {property: {mean, std, members, model}} from the shipped models (cache)
    predictions: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    chosen_round: Mapped[int | None] = mapped_column(Integer)


class CampaignRound(IdMixin, TimestampMixin, Base):
    __tablename__ = "campaign_rounds"
    __table_args__ = (
        UniqueConstraint("campaign_id", "index"),
        CheckConstraint(_in("status", ROUND_STATUSES), name="status"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("jobs.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    #: [{rank, candidate_id, formula, score, mean: {prop}, std: {prop}, ...}]
    batch: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    #: {property: "model name/version"}
    model_versions: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    #: how predictions were refitted on results: {property: {kind, n, ...}}
    refit: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    #: pool size, exclusions with reasons, best observed value...
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CampaignResult(IdMixin, TimestampMixin, Base):
    """An observed value of one objective for one candidate (the latest entry wins)."""

    __tablename__ = "campaign_results"
    __table_args__ = (
        UniqueConstraint("candidate_id", "property"),
        CheckConstraint(_in("source", RESULT_SOURCES), name="source"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaign_candidates.id", ondelete="CASCADE")
    )
    round_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("campaign_rounds.id", ondelete="SET NULL")
    )
    property: Mapped[str] = mapped_column(String(64))
    #: in the property's catalogue unit
    value: Mapped[float] = mapped_column(Float)
    uncertainty: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    measurement_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("experimental_results.id", ondelete="SET NULL")
    )
    #: computed: {model, version}; measured: {unit, method?}
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
