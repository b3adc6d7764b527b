"""Loading the shipped known structures (``data/reference/known_structures.parquet``)
into ``materials`` as shared reference rows with real structures.

Each structure becomes one row (``organization_id`` NULL, ``source`` "reference",
``source_database`` materials_project / aflow_prototypes / ase_dcdft, ``source_id`` its
citable id, the structure, symmetry, lattice, properties and CHGNet embedding), so the
viewer, downloads, symmetry filters and structure similarity work for known compounds.

Incremental: ``content_hash`` holds a hash of the row's shipped content; a new data
version inserts new ids, replaces changed ones and deletes ids no longer shipped, and
leaves the rest (and their ids, which compound pages link to) alone. Returns the
reduced formulas it touched, so only their compounds are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from matdiscover.domains.materials.service import Material
from matdiscover.science.known_structures import KnownStructure, known_structure_entries

SOURCE_DATABASES = ("materials_project", "aflow_prototypes", "ase_dcdft")
BATCH = 500


@dataclass
class StructuresLoad:
    inserted: int = 0
    replaced: int = 0
    deleted: int = 0
    unchanged: int = 0
    formulas: set[str] = field(default_factory=set)


def content_hash(entry: KnownStructure) -> str:
    """Hash of what a row is loaded from (structure, properties, symmetry, embedding)."""
    payload = json.dumps(
        [
            entry.structure,
            entry.properties,
            entry.space_group_number,
            entry.label,
            entry.structure_embedding,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _row(entry: KnownStructure, digest: str) -> dict[str, Any]:
    lattice = entry.structure.get("lattice", {})
    from pymatgen.core import Structure

    structure = Structure.from_dict(entry.structure)
    return {
        "organization_id": None,
        "formula": entry.formula,
        "reduced_formula": entry.reduced_formula,
        "anonymous_formula": entry.anonymous_formula,
        "chemical_system": "-".join(entry.elements),
        "elements": list(entry.elements),
        "nsites": entry.nsites,
        "nelements": len(entry.elements),
        "space_group_number": entry.space_group_number,
        "space_group_symbol": entry.space_group_symbol,
        "crystal_system": entry.crystal_system,
        "volume": float(structure.volume),
        "density": float(structure.density),
        "lattice": {k: lattice[k] for k in ("a", "b", "c", "alpha", "beta", "gamma")}
        if all(k in lattice for k in ("a", "b", "c", "alpha", "beta", "gamma"))
        else {
            "a": structure.lattice.a,
            "b": structure.lattice.b,
            "c": structure.lattice.c,
            "alpha": structure.lattice.alpha,
            "beta": structure.lattice.beta,
            "gamma": structure.lattice.gamma,
        },
        "is_ordered": structure.is_ordered,
        "structure": entry.structure,
        "source": "reference",
        "source_database": entry.source_database,
        "source_id": entry.source_id,
        "filename": None,
        "content_hash": digest,
        "warnings": [],
        "properties": dict(entry.properties),
        "structure_embedding": list(entry.structure_embedding)
        if entry.structure_embedding is not None
        else None,
    }


def load_known_structures(conn: Connection) -> StructuresLoad:
    """Bring the shared structure rows in line with the shipped table (see module doc)."""
    report = StructuresLoad()
    existing = {
        str(r.source_id): (int(r.id), r.content_hash, str(r.reduced_formula))
        for r in conn.execute(
            select(
                Material.id, Material.source_id, Material.content_hash, Material.reduced_formula
            ).where(
                Material.organization_id.is_(None),
                Material.source == "reference",
                Material.source_database.in_(SOURCE_DATABASES),
                Material.structure.is_not(None),
            )
        )
    }
    shipped: set[str] = set()
    to_insert: list[dict[str, Any]] = []
    to_delete: list[int] = []
    for entry in known_structure_entries():
        shipped.add(entry.source_id)
        digest = content_hash(entry)
        old = existing.get(entry.source_id)
        if old is not None and old[1] == digest:
            report.unchanged += 1
            continue
        if old is not None:
            to_delete.append(old[0])
            report.replaced += 1
            report.formulas.add(old[2])
        else:
            report.inserted += 1
        to_insert.append(_row(entry, digest))
        report.formulas.add(entry.reduced_formula)
    for source_id, (row_id, _, formula) in existing.items():
        if source_id not in shipped:
            to_delete.append(row_id)
            report.deleted += 1
            report.formulas.add(formula)
    for i in range(0, len(to_delete), BATCH):
        conn.execute(
            delete(Material).where(Material.id.in_(bindparam("ids", expanding=True))),
            {"ids": to_delete[i : i + BATCH]},
        )
    for i in range(0, len(to_insert), BATCH):
        conn.execute(insert(Material), to_insert[i : i + BATCH])
    return report


__all__ = ["SOURCE_DATABASES", "StructuresLoad", "content_hash", "load_known_structures"]
