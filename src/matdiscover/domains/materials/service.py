"""Materials service: upload (every rule of it), get, delete, export; the tenancy filter.

Every function takes the session first and the caller's organisation as a
keyword; queries only ever see that organisation's rows plus reference entries.
Parsing and storing the structures of uploaded files is :mod:`.ingest` (re-exported here).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, BinaryIO

from pymatgen.core import Structure
from sqlalchemy import Float, Index, cast, func, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from matdiscover.db.base import one_or_not_found
from matdiscover.domains import tasks
from matdiscover.domains.materials.ingest import IngestOutcome as IngestOutcome
from matdiscover.domains.materials.ingest import UploadFile as UploadFile
from matdiscover.domains.materials.ingest import ingest_files as ingest_files
from matdiscover.domains.materials.ingest import sanitize_filename as sanitize_filename
from matdiscover.domains.materials.known import ensure_known_match as ensure_known_match
from matdiscover.domains.materials.models import Material as Material
from matdiscover.domains.materials.models import MaterialFormula as MaterialFormula
from matdiscover.domains.usage import service as usage
from matdiscover.errors import InputTooLarge, InvalidInput, NotFound, QuotaExceeded
from matdiscover.science.io import is_zip, write_structure
from matdiscover.settings import Settings

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- upload


def upload(
    session: Session,
    files: Sequence[tuple[str | None, BinaryIO]],
    *,
    organization_id: int,
    user_id: int | None,
    settings: Settings,
) -> IngestOutcome:
    """Store every valid structure of uploaded ``(filename, stream)`` files as a material.

    The rules, in order: at most ``max_files_per_upload`` files and ``max_upload_bytes``
    in all (else :class:`InputTooLarge`, nothing read further); a plain file over
    ``max_file_bytes`` is a per-file error (archives are checked member by member); the
    storage quota covers the accepted bytes (else :class:`QuotaExceeded`) before anything
    is written. Stored bytes are recorded; with ``auto_predict`` a prediction job is
    queued per material if the prediction quota allows (else the upload succeeds without
    them). When no structure could be stored the transaction is rolled back and
    ``created`` is empty: a failed upload leaves no row.
    """
    if len(files) > settings.max_files_per_upload:
        raise InputTooLarge(
            f"too many files in one upload ({len(files)}; limit {settings.max_files_per_upload})"
        )
    accepted: list[UploadFile] = []
    oversized: list[tuple[str, str]] = []
    total = 0
    for filename, stream in files:
        name = sanitize_filename(filename)
        data = stream.read(settings.max_upload_bytes + 1)
        total += len(data)
        if total > settings.max_upload_bytes:
            raise InputTooLarge(
                f"upload exceeds the limit of {settings.max_upload_bytes // (1024 * 1024)} MB"
            )
        if len(data) > settings.max_file_bytes and not is_zip(data):
            oversized.append(
                (
                    name,
                    f"file is {len(data) / 1e6:.1f} MB; the limit per structure file is "
                    f"{settings.max_file_bytes / 1e6:.0f} MB",
                )
            )
            continue
        accepted.append(UploadFile(name, data))
    usage.check_storage(
        session, organization_id, sum(len(f.data) for f in accepted), settings.plan_limits
    )
    outcome = ingest_files(
        session,
        accepted,
        organization_id=organization_id,
        limits=settings.parse_limits(),
        symprec=settings.symprec,
    )
    outcome.errors = oversized + outcome.errors
    if not outcome.created:
        session.rollback()
        return outcome
    usage.record_storage(
        session,
        organization_id,
        sum(stored_bytes(row) for row, _ in outcome.created),
        user_id=user_id,
    )
    if settings.auto_predict and _charge_auto_predictions(
        session, organization_id, len(outcome.created), settings=settings, user_id=user_id
    ):
        for row, _ in outcome.created:
            tasks.defer(
                session,
                tasks.PredictMaterial(material_id=row.id, organization_id=organization_id),
                queueing_lock=tasks.predict_material_lock(row.id),
            )
    return outcome


def _charge_auto_predictions(
    session: Session, organization_id: int, count: int, *, settings: Settings, user_id: int | None
) -> bool:
    """Charge the automatic predictions of an upload; over quota the upload still succeeds,
    without them (the material page shows none, and "predict" explains the quota)."""
    try:
        with session.begin_nested():
            usage.charge_predictions(
                session,
                organization_id,
                count,
                settings.plan_limits,
                user_id=user_id,
                what="upload's automatic predictions",
            )
    except QuotaExceeded:
        logger.info(
            "organisation %s: over prediction quota, upload not auto-predicted", organization_id
        )
        return False
    return True


# ---------------------------------------------------------------- queries


def visible_to(organization_id: int, *, include_reference: bool = True) -> Any:
    """The tenancy filter: own rows, plus shared reference entries if asked."""
    own = Material.organization_id == organization_id
    return or_(own, Material.organization_id.is_(None)) if include_reference else own


def get(session: Session, material_id: int, *, organization_id: int) -> Material:
    statement = select(Material).where(Material.id == material_id, visible_to(organization_id))
    return one_or_not_found(session, material_id, statement, f"material {material_id} not found")


def stored_bytes(material: Material) -> int:
    """What a material occupies for the storage quota: its stored structure document."""
    if material.structure is None:
        return 0
    return len(json.dumps(material.structure, separators=(",", ":")))


def delete(
    session: Session, material_id: int, *, organization_id: int, user_id: int | None = None
) -> int:
    """Delete a material of the organisation and record the storage it frees (by
    ``user_id``); returns the bytes it occupied."""
    statement = select(Material).where(
        Material.id == material_id, Material.organization_id == organization_id
    )
    row = one_or_not_found(session, material_id, statement, f"material {material_id} not found")
    freed = stored_bytes(row)
    session.delete(row)
    session.flush()
    usage.record_storage(session, organization_id, -freed, user_id=user_id)
    return freed


def structure_of(material: Material) -> Structure | None:
    """The stored structure of a material, or None for a composition-only entry."""
    return None if material.structure is None else Structure.from_dict(material.structure)


def export_structure(material: Material, fmt: str) -> str:
    structure = structure_of(material)
    if structure is None:
        raise NotFound(f"material {material.id} has no stored structure (composition only)")
    if fmt not in ("cif", "poscar", "json"):
        raise InvalidInput(f"unknown format {fmt!r}; use cif, poscar or json")
    return write_structure(structure, fmt)  # type: ignore[arg-type]


__all__ = [
    "own_of_formula",
    "reference_labels",
    "reference_structures",
    "IngestOutcome",
    "Material",
    "MaterialFormula",
    "UploadFile",
    "delete",
    "ensure_known_match",
    "export_structure",
    "get",
    "ingest_files",
    "sanitize_filename",
    "stored_bytes",
    "structure_of",
    "upload",
    "visible_to",
]


# --- for compound pages ---


def reference_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """``source_id`` of shared reference rows by id (``mp-22862``, ``mp_e_form:75208``)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Material.id, Material.source_id).where(
            Material.id.in_(ids), Material.organization_id.is_(None)
        )
    ).all()
    return {int(r[0]): str(r[1] or r[0]) for r in rows}


def reference_structures(session: Session, reduced_formula: str, *, limit: int) -> list[Material]:
    """Shared reference rows of a formula that have a structure, lowest energy above
    hull first (then by source id)."""
    e_hull = cast(Material.properties["energy_above_hull"].astext, Float)
    return list(
        session.scalars(
            select(Material)
            .where(
                Material.organization_id.is_(None),
                Material.reduced_formula == reduced_formula,
                Material.structure.is_not(None),
            )
            .order_by(e_hull.asc().nulls_last(), Material.source_id, Material.id)
            .limit(limit)
        ).all()
    )


def own_of_formula(
    session: Session, reduced_formula: str, *, organization_id: int, limit: int
) -> tuple[list[Material], int]:
    """(newest ``limit``, total) of the organisation's own materials of a formula."""
    cond = (Material.organization_id == organization_id) & (
        Material.reduced_formula == reduced_formula
    )
    total = int(session.scalar(select(func.count()).where(cond)) or 0)
    rows = session.scalars(
        select(Material).where(cond).order_by(Material.id.desc()).limit(limit)
    ).all()
    return list(rows), total


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


def nearest_of_prototype(
    session: Session,
    vector: list[float],
    *,
    anonymous_formula: str,
    space_group_number: int,
    organization_id: int,
    limit: int,
    exclude_id: int | None = None,
) -> list[tuple[Material, float]]:
    """Visible materials with a structure, the same prototype formula (``AB``) and space
    group, nearest to ``vector`` first (exact distances: such sets are small)."""
    dist = Material.structure_embedding.cosine_distance(vector)
    stmt = select(Material, dist.label("d")).where(
        visible_to(organization_id),
        Material.space_group_number == space_group_number,
        Material.anonymous_formula == anonymous_formula,
        Material.structure.is_not(None),
        Material.structure_embedding.is_not(None),
    )
    if exclude_id is not None:
        stmt = stmt.where(Material.id != exclude_id)
    rows = session.execute(stmt.order_by(dist, Material.id).limit(limit)).all()
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
