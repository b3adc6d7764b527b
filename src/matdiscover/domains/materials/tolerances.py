"""Structure-matching tolerances shared by the duplicate check (:mod:`.ingest`) and the
known-structure match (:mod:`.known`)."""

from __future__ import annotations

from typing import TypedDict


class Tolerances(TypedDict):
    """``same_crystal`` tolerances: lengths (fraction), sites (fraction), angles (°)."""

    ltol: float
    stol: float
    angle_tol: float


# Duplicate = the same crystal within measurement scatter: lattice lengths within 3 %,
# angles within 2°, sites within 0.15 of the mean free length. A strained or relaxed
# variant (say 5 % larger) is stored as a separate entry.
DUPLICATE_TOLERANCES: Tolerances = {"ltol": 0.03, "stol": 0.15, "angle_tol": 2.0}

__all__ = ["DUPLICATE_TOLERANCES", "Tolerances"]
