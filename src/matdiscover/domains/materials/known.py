"""Known-structure matching: is an uploaded structure a known compound, and which entry?

An uploaded structure is compared with the shared reference structures of its reduced
formula (``organization_id IS NULL``, with a ``structure``: Materials Project entries,
AFLOW prototypes, the Delta-test elements). The answer, stored in
``materials.known_match``, is one of four kinds:

- ``match``: the same crystal as a known structure (its id, source, citable id, link);
- ``new_polymorph``: the formula has known structures, none of them matches;
- ``known_composition``: the formula is a known compound, but no shipped entry of it
  has a structure to compare with;
- ``new_compound``: no reference entry of the formula at all.

The comparison is :func:`matdiscover.science.structures.same_crystal` with the duplicate
check's tolerances (``DUPLICATE_TOLERANCES``: lattice lengths 3 %, angles 2°, sites 0.15
of the mean free length) but *with volume normalisation* (``scale=True``): the known
structures are DFT (PBE) relaxed, and PBE lattices are typically 1-3 % longer than
measured ones, so an experimental CIF of a known phase would otherwise miss it. The shape
of the cell and the sites must still agree within the duplicate tolerances.
"""

from __future__ import annotations

import logging
from typing import Any

from pymatgen.core import Structure
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from matdiscover.domains.materials.models import Material
from matdiscover.domains.materials.tolerances import DUPLICATE_TOLERANCES
from matdiscover.science.known_structures import source_url
from matdiscover.science.structures import same_crystal

logger = logging.getLogger(__name__)

MAX_KNOWN_CANDIDATES = 50
"""Known structures compared per upload at most (same space group first)."""

# citable entries before prototypes and the Delta-test elements when several match
_SOURCE_ORDER = {"materials_project": 0, "aflow_prototypes": 1, "ase_dcdft": 2}


def _primitive(structure: Structure) -> Structure:
    """Reduce once instead of once per candidate (``same_crystal`` reduces both sides)."""
    try:
        return structure.get_primitive_structure()
    except Exception:
        return structure


def match_known(
    session: Session,
    structure: Structure,
    *,
    reduced_formula: str,
    space_group_number: int | None = None,
) -> dict[str, Any]:
    """Compare ``structure`` with the shared known structures of ``reduced_formula``.

    Candidates are at most :data:`MAX_KNOWN_CANDIDATES` shared reference rows with a
    structure and that reduced formula, those in ``space_group_number`` first, then
    Materials Project entries before prototypes; the first that is the same crystal (see
    the module docstring for the tolerances) is the match. A candidate whose comparison
    raises is skipped (logged).

    Returns a JSON-ready dict (the shape of ``materials.known_match``), one of::

        {"kind": "match", "material_id": 12, "source_database": "materials_project",
         "source_id": "mp-22862", "url": "https://...", "space_group_symbol": "Fm-3m"}
        {"kind": "new_polymorph", "reduced_formula": "NaCl", "known_structures": 3}
        {"kind": "known_composition", "reduced_formula": "NaCl"}
        {"kind": "new_compound"}
    """
    shared_of_formula = (
        Material.organization_id.is_(None),
        Material.reduced_formula == reduced_formula,
    )
    order = [
        case(_SOURCE_ORDER, value=Material.source_database, else_=len(_SOURCE_ORDER)),
        Material.id,
    ]
    if space_group_number is not None:
        order.insert(0, (Material.space_group_number == space_group_number).desc())
    candidates = session.scalars(
        select(Material)
        .where(*shared_of_formula, Material.structure.is_not(None))
        .order_by(*order)
        .limit(MAX_KNOWN_CANDIDATES)
    ).all()
    if not candidates:
        has_rows = session.scalar(select(func.count()).where(*shared_of_formula).limit(1))
        if has_rows:
            return {"kind": "known_composition", "reduced_formula": reduced_formula}
        return {"kind": "new_compound"}
    query = _primitive(structure)
    for cand in candidates:
        try:
            known = Structure.from_dict(cand.structure or {})
            same = same_crystal(query, known, **DUPLICATE_TOLERANCES, scale=True)
        except Exception:
            logger.debug("known-structure comparison failed for %s", cand.id, exc_info=True)
            continue
        if same:
            return {
                "kind": "match",
                "material_id": cand.id,
                "source_database": cand.source_database,
                "source_id": cand.source_id,
                "url": _url(cand),
                "space_group_symbol": cand.space_group_symbol,
            }
    return {
        "kind": "new_polymorph",
        "reduced_formula": reduced_formula,
        "known_structures": len(candidates),
    }


def _url(row: Material) -> str | None:
    if not row.source_database or not row.source_id:
        return None
    return source_url(row.source_database, row.source_id)


def match_known_or_none(
    session: Session,
    structure: Structure,
    *,
    reduced_formula: str,
    space_group_number: int | None = None,
) -> dict[str, Any] | None:
    """:func:`match_known`, or None (logged) if matching itself fails: a failed match
    never fails the upload or read that asked for it. Runs in a savepoint, so a database
    error leaves the caller's transaction usable."""
    try:
        with session.begin_nested():
            return match_known(
                session,
                structure,
                reduced_formula=reduced_formula,
                space_group_number=space_group_number,
            )
    except Exception:
        logger.warning("known-structure matching failed for %s", reduced_formula, exc_info=True)
        return None


def ensure_known_match(session: Session, row: Material) -> dict[str, Any] | None:
    """Fill ``row.known_match`` if it is unset (materials stored before matching existed)
    and the row is a user's material with a structure; returns the (new) value. The
    caller's transaction persists it."""
    if row.known_match is not None or row.organization_id is None or row.structure is None:
        return row.known_match
    try:
        structure = Structure.from_dict(row.structure)
    except Exception:
        logger.warning("material %s: stored structure unreadable", row.id, exc_info=True)
        return None
    result = match_known_or_none(
        session,
        structure,
        reduced_formula=row.reduced_formula,
        space_group_number=row.space_group_number,
    )
    if result is not None:
        row.known_match = result
        session.flush()
    return result


__all__ = [
    "MAX_KNOWN_CANDIDATES",
    "ensure_known_match",
    "match_known",
    "match_known_or_none",
]
