"""Materials service: ingest uploaded files, get, delete, export; the tenancy filter.

Every function takes the session first and the caller's organisation as a
keyword; queries only ever see that organisation's rows plus reference entries.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pymatgen.core import Structure
from sqlalchemy import Index, func, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from matdiscover.db.base import can_exist
from matdiscover.domains.materials.models import Material
from matdiscover.errors import InvalidInput, NotFound
from matdiscover.science.io import (
    ParsedStructure,
    ParseLimits,
    is_zip,
    read_structures_isolated,
    safe_archive_members,
    write_structure,
)
from matdiscover.science.structures import same_crystal

logger = logging.getLogger(__name__)

MAX_DUPLICATE_CANDIDATES = 50
# Duplicate = the same crystal within measurement scatter: lattice lengths within 3 %,
# angles within 2°, sites within 0.15 of the mean free length. A strained or relaxed
# variant (say 5 % larger) is stored as a separate entry.
DUPLICATE_TOLERANCES = {"ltol": 0.03, "stol": 0.15, "angle_tol": 2.0}


@dataclass
class UploadFile:
    filename: str
    data: bytes


@dataclass
class IngestOutcome:
    """Result of one upload: stored materials (with their labels) and per-file errors."""

    created: list[tuple[Material, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def sanitize_filename(name: str | None) -> str:
    """Base name only, no directories, control characters or absurd lengths."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in "/\\")
    return base[:255] or "upload"


def expand_uploads(
    files: list[UploadFile], *, limits: ParseLimits
) -> tuple[list[UploadFile], list[tuple[str, str]]]:
    """Unpack .zip uploads (safely) into member files; return files and per-file errors."""
    out: list[UploadFile] = []
    errors: list[tuple[str, str]] = []
    for f in files:
        name = sanitize_filename(f.filename)
        if f.data and is_zip(f.data):
            try:
                members = safe_archive_members(f.data, limits=limits)
            except InvalidInput as exc:
                errors.append((name, exc.message))
                continue
            if not members:
                errors.append((name, "the archive contains no structure files"))
            out.extend(UploadFile(f"{name}/{sanitize_filename(m)}", data) for m, data in members)
        else:
            out.append(UploadFile(name, f.data))
    return out, errors


def _row_from_parsed(parsed: ParsedStructure, *, organization_id: int) -> Material:
    s = parsed.structure
    comp = s.composition
    elements = sorted({el.symbol for el in comp.elements})
    a, b, c = s.lattice.abc
    alpha, beta, gamma = s.lattice.angles
    sym = parsed.symmetry
    return Material(
        organization_id=organization_id,
        formula=comp.formula,
        reduced_formula=comp.reduced_formula,
        chemical_system="-".join(elements),
        elements=elements,
        nsites=len(s),
        nelements=len(elements),
        space_group_number=sym.space_group_number,
        space_group_symbol=sym.space_group_symbol,
        crystal_system=sym.crystal_system,
        volume=float(s.volume),
        density=float(s.density),
        lattice={"a": a, "b": b, "c": c, "alpha": alpha, "beta": beta, "gamma": gamma},
        is_ordered=parsed.is_ordered,
        structure=s.as_dict(),
        source="upload",
        filename=parsed.filename[:255],
        content_hash=parsed.canonical_hash,
        warnings=list(parsed.warnings),
        properties={},
    )


def find_duplicate(
    session: Session, parsed: ParsedStructure, *, organization_id: int
) -> Material | None:
    """An existing material of the organisation that is the same crystal, if any.

    Candidates share the reduced formula (and the canonical hash or space group);
    the match is confirmed with pymatgen's StructureMatcher.
    """
    comp = parsed.structure.composition
    conds = [Material.content_hash == parsed.canonical_hash]
    if parsed.symmetry.space_group_number is not None:
        conds.append(Material.space_group_number == parsed.symmetry.space_group_number)
    candidates = session.scalars(
        select(Material)
        .where(
            Material.organization_id == organization_id,
            Material.reduced_formula == comp.reduced_formula,
            Material.structure.is_not(None),
            or_(*conds),
        )
        .order_by((Material.content_hash == parsed.canonical_hash).desc(), Material.id)
        .limit(MAX_DUPLICATE_CANDIDATES)
    ).all()
    for cand in candidates:
        original = cand.duplicate_of_id
        try:
            if same_crystal(
                parsed.structure,
                Structure.from_dict(cand.structure or {}),
                **DUPLICATE_TOLERANCES,
            ):
                if original is not None:
                    return session.get(Material, original) or cand
                return cand
        except Exception:
            logger.debug("structure comparison failed for candidate %s", cand.id, exc_info=True)
    return None


def ingest_files(
    session: Session,
    files: list[UploadFile],
    *,
    organization_id: int,
    limits: ParseLimits,
    symprec: float,
) -> IngestOutcome:
    """Parse uploaded files (zip archives expanded) and store every valid structure.

    Files that fail are reported and nothing of them is stored. Duplicates of
    existing materials are stored with ``duplicate_of_id`` set.
    """
    outcome = IngestOutcome()
    expanded, outcome.errors = expand_uploads(files, limits=limits)
    for f in expanded:
        try:
            result = read_structures_isolated(f.data, f.filename, symprec=symprec, limits=limits)
        except InvalidInput as exc:
            outcome.errors.append((f.filename, exc.message))
            continue
        for label, message in result.errors:
            outcome.errors.append((label, message))
        for parsed in result.structures:
            row = _row_from_parsed(parsed, organization_id=organization_id)
            dup = find_duplicate(session, parsed, organization_id=organization_id)
            if dup is not None:
                row.duplicate_of_id = dup.id
            session.add(row)
            session.flush()
            outcome.created.append((row, parsed.label))
    return outcome


# ---------------------------------------------------------------- queries


def visible_to(organization_id: int, *, include_reference: bool = True) -> Any:
    """The tenancy filter: own rows, plus shared reference entries if asked."""
    own = Material.organization_id == organization_id
    return or_(own, Material.organization_id.is_(None)) if include_reference else own


def get(session: Session, material_id: int, *, organization_id: int) -> Material:
    row = (
        session.scalar(
            select(Material).where(Material.id == material_id, visible_to(organization_id))
        )
        if can_exist(material_id)
        else None
    )
    if row is None:
        raise NotFound(f"material {material_id} not found")
    return row


def stored_bytes(material: Material) -> int:
    """What a material occupies for the storage quota: its stored structure document."""
    if material.structure is None:
        return 0
    return len(json.dumps(material.structure, separators=(",", ":")))


def delete(session: Session, material_id: int, *, organization_id: int) -> int:
    """Delete a material of the organisation; returns the bytes it occupied."""
    row = (
        session.scalar(
            select(Material).where(
                Material.id == material_id, Material.organization_id == organization_id
            )
        )
        if can_exist(material_id)
        else None
    )
    if row is None:
        raise NotFound(f"material {material_id} not found")
    freed = stored_bytes(row)
    session.delete(row)
    session.flush()
    return freed


def export_structure(material: Material, fmt: str) -> str:
    if material.structure is None:
        raise NotFound(f"material {material.id} has no stored structure (composition only)")
    if fmt not in ("cif", "poscar", "json"):
        raise InvalidInput(f"unknown format {fmt!r}; use cif, poscar or json")
    return write_structure(Structure.from_dict(material.structure), fmt)  # type: ignore[arg-type]


__all__ = [
    "IngestOutcome",
    "UploadFile",
    "delete",
    "export_structure",
    "get",
    "ingest_files",
]


# --- for similarity and the reference load ---


def representatives_by_formula(
    session: Session, formulas: list[str], *, organization_id: int
) -> list[tuple[Material, int]]:
    """One visible material per reduced formula of ``formulas`` (the organisation's own
    before reference entries, then the lowest id), with how many visible materials
    share that formula."""
    if not formulas:
        return []
    visible = visible_to(organization_id)
    counts = dict(
        session.execute(
            select(Material.reduced_formula, func.count())
            .where(Material.reduced_formula.in_(formulas), visible)
            .group_by(Material.reduced_formula)
        ).all()
    )
    reps = session.scalars(
        select(Material)
        .where(Material.reduced_formula.in_(formulas), visible)
        .order_by(Material.reduced_formula, Material.organization_id.is_(None), Material.id)
        .ext(distinct_on(Material.reduced_formula))
    ).all()
    return [(m, int(counts.get(m.reduced_formula, 1))) for m in reps]


def nearest_by_structure_embedding(
    session: Session,
    vector: list[float],
    *,
    organization_id: int,
    k: int,
    exclude_id: int | None = None,
) -> list[tuple[Material, float]]:
    """The ``k`` visible materials whose ``structure_embedding`` is nearest to ``vector``
    (cosine distance, served by the column's HNSW index), nearest first. The caller
    sets the index's search options (``hnsw.ef_search`` ...) for its transaction."""
    dist = Material.structure_embedding.cosine_distance(vector)
    stmt = select(Material, dist.label("d")).where(
        visible_to(organization_id), Material.structure_embedding.is_not(None)
    )
    if exclude_id is not None:
        stmt = stmt.where(Material.id != exclude_id)
    rows = session.execute(stmt.order_by(dist).limit(k)).all()
    return [(m, float(d)) for m, d in rows]


def without_structure_embedding(
    session: Session, *, organization_id: int, material_ids: list[int] | None, limit: int
) -> list[Material]:
    """Up to ``limit`` of the organisation's materials (optionally among ``material_ids``)
    that have a structure but no ``structure_embedding`` yet, newest first."""
    stmt = select(Material).where(
        Material.organization_id == organization_id,
        Material.structure.is_not(None),
        Material.structure_embedding.is_(None),
    )
    if material_ids is not None:
        stmt = stmt.where(Material.id.in_(material_ids))
    return list(session.scalars(stmt.order_by(Material.id.desc()).limit(limit)).all())


def secondary_indexes() -> list[Index]:
    """The non-unique indexes of ``materials`` declared by the model (equal to the
    migrations' indexes; checked by ``tests/platform/test_migrations.py``), by name.
    The reference load drops and rebuilds them around a bulk insert."""
    table = Material.metadata.tables[Material.__tablename__]
    return sorted((ix for ix in table.indexes if not ix.unique), key=lambda ix: str(ix.name))


# --- bulk rows for batch jobs ---


def insert_batch_materials(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many materials (each a dict of ``Material`` column values) in one statement,
    without loading them as objects; their ids, in the order of ``rows``."""
    from sqlalchemy import insert

    if not rows:
        return []
    stmt = insert(Material).returning(Material.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, rows).all())
