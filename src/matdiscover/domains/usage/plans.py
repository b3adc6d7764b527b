"""What each plan allows. Defaults here; override per installation with
``MATDISCOVER_PLAN_LIMITS`` (JSON)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from matdiscover.domains.organizations.schemas import Plan
from matdiscover.errors import ConfigurationError

GB = 1024**3


@dataclass(frozen=True)
class PlanLimits:
    predictions_per_month: int
    batch_rows: int
    concurrent_jobs: int
    storage_bytes: int


DEFAULT_LIMITS: dict[Plan, PlanLimits] = {
    Plan.free_academic: PlanLimits(
        predictions_per_month=1_000, batch_rows=1_000, concurrent_jobs=1, storage_bytes=1 * GB
    ),
    Plan.researcher: PlanLimits(
        predictions_per_month=50_000, batch_rows=50_000, concurrent_jobs=3, storage_bytes=20 * GB
    ),
    Plan.lab: PlanLimits(
        predictions_per_month=5_000_000,
        batch_rows=1_000_000,
        concurrent_jobs=10,
        storage_bytes=500 * GB,
    ),
}


def limits_for(plan: Plan, overrides: dict[str, dict[str, int]] | None = None) -> PlanLimits:
    limits = DEFAULT_LIMITS[plan]
    custom = (overrides or {}).get(plan.value)
    if not custom:
        return limits
    known = {f.name for f in fields(PlanLimits)}
    unknown = set(custom) - known
    if unknown:
        raise ConfigurationError(
            f"unknown plan limit(s) {sorted(unknown)} for {plan.value}; known: {sorted(known)}"
        )
    if any(not isinstance(v, int) or v < 0 for v in custom.values()):
        raise ConfigurationError(f"plan limits for {plan.value} must be non-negative integers")
    return replace(limits, **custom)


def validate_plan_limits(overrides: dict[str, dict[str, int]]) -> None:
    """Raise :class:`ConfigurationError` for unknown plans, unknown limits or bad values."""
    known = {p.value for p in Plan}
    unknown = set(overrides) - known
    if unknown:
        raise ConfigurationError(
            f"MATDISCOVER_PLAN_LIMITS names unknown plan(s) {sorted(unknown)}; known: "
            f"{sorted(known)}"
        )
    for plan in Plan:
        limits_for(plan, overrides)
