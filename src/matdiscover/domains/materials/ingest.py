"""Ingest: uploaded files (zip archives expanded) parsed and stored as materials.

Used through :mod:`matdiscover.domains.materials.service` (which re-exports the public
names and adds the request-level rules of an upload: counts, sizes, quotas).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import PurePath

from pymatgen.core import Structure
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matdiscover.domains.materials.known import match_known_or_none
from matdiscover.domains.materials.models import Material
from matdiscover.domains.materials.tolerances import DUPLICATE_TOLERANCES
from matdiscover.errors import InvalidInput
from matdiscover.science.io import (
    ParsedStructure,
    ParseLimits,
    is_zip,
    read_structures_isolated,
    safe_archive_members,
)
from matdiscover.science.structures import same_crystal

logger = logging.getLogger(__name__)

MAX_DUPLICATE_CANDIDATES = 50


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


def row_from_parsed(parsed: ParsedStructure, *, organization_id: int) -> Material:
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
    existing materials are stored with ``duplicate_of_id`` set, and every structure is
    matched against the shared known structures (``known_match``, see :mod:`.known`;
    NULL if matching failed, which never fails the upload).
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
            row = row_from_parsed(parsed, organization_id=organization_id)
            dup = find_duplicate(session, parsed, organization_id=organization_id)
            if dup is not None:
                row.duplicate_of_id = dup.id
            row.known_match = match_known_or_none(
                session,
                parsed.structure,
                reduced_formula=row.reduced_formula,
                space_group_number=row.space_group_number,
            )
            session.add(row)
            session.flush()
            outcome.created.append((row, parsed.label))
    return outcome


__all__ = [
    "DUPLICATE_TOLERANCES",
    "MAX_DUPLICATE_CANDIDATES",
    "IngestOutcome",
    "UploadFile",
    "expand_uploads",
    "find_duplicate",
    "ingest_files",
    "row_from_parsed",
    "sanitize_filename",
]
