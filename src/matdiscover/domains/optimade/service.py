"""The OPTIMADE entry collections: structures (our materials with a structure) and
references (our citations), filtered in PostgreSQL by the compiled OPTIMADE filter.

Visibility is explicit here (the SQL is Core text, not tenant-rewritten): an
organisation sees its own materials and the shared reference rows; ``organization_id``
``None`` (an anonymous request on a server with accounts) sees the shared rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from matdiscover.domains.optimade import references as refs
from matdiscover.domains.optimade.fields import (
    ID_SQL,
    PROVIDER_PREFIX,
    REFERENCE_FIELDS,
    REFERENCE_UNSUPPORTED,
    STRUCTURE_FIELDS,
    STRUCTURE_UNSUPPORTED,
    Served,
    filter_fields,
)
from matdiscover.domains.predictions import service as predictions
from matdiscover.errors import InvalidInput
from matdiscover.science.interop.optimade_filter import compile_filter, parse_filter
from matdiscover.science.properties import PROPERTY_NAMES

MAX_PAGE_LIMIT = 500
DEFAULT_PAGE_LIMIT = 20


@dataclass(frozen=True)
class EntryQuery:
    """The query parameters of a listing (already type-checked)."""

    filter: str = ""
    sort: str | None = None
    page_limit: int = DEFAULT_PAGE_LIMIT
    page_offset: int = 0


@dataclass
class EntryPage:
    entries: list[dict[str, Any]]  # OPTIMADE resources: id, type, attributes
    data_returned: int
    data_available: int
    warnings: list[str] = field(default_factory=list)


def _order_by(sort: str | None, served: dict[str, Served], default: str) -> str:
    if not sort:
        return default
    parts = []
    for item in sort.split(","):
        name = item.strip()
        descending = name.startswith("-")
        name = name.lstrip("-")
        spec = served.get(name)
        if spec is None:
            raise InvalidInput(f"cannot sort on unknown property {name!r}")
        if not spec.sortable or spec.field.kind in ("opaque", "string_list"):
            raise InvalidInput(f"property {name!r} is not sortable")
        parts.append(f"({spec.field.sql}) {'DESC' if descending else 'ASC'} NULLS LAST")
    return ", ".join([*parts, default])


def _visibility(organization_id: int | None, params: dict[str, Any]) -> str:
    if organization_id is None:
        return "m.organization_id IS NULL"
    params["vis_org"] = organization_id
    return "(m.organization_id = :vis_org OR m.organization_id IS NULL)"


_STRUCTURE_COLUMNS = f"""
    m.id AS row_id, {ID_SQL} AS entry_id, m.updated_at, m.elements, m.nelements, m.nsites,
    m.formula, matdiscover_optimade_formula(m.formula, false) AS formula_reduced,
    matdiscover_optimade_formula(m.formula, true) AS formula_anonymous,
    m.space_group_number, m.space_group_symbol, m.crystal_system, m.density, m.volume,
    m.is_ordered, m.structure, m.source, m.source_database, m.source_id
"""


def query_structures(
    session: Session, query: EntryQuery, *, organization_id: int | None
) -> EntryPage:
    """One page of structures matching ``query.filter``, visible to the organisation."""
    tree = parse_filter(query.filter)
    where = compile_filter(
        tree,
        filter_fields(STRUCTURE_FIELDS),
        provider_prefix=PROVIDER_PREFIX,
        unsupported=STRUCTURE_UNSUPPORTED,
    )
    params = dict(where.params)
    base = f"m.structure IS NOT NULL AND {_visibility(organization_id, params)}"
    order = _order_by(query.sort, STRUCTURE_FIELDS, "m.id")
    # one scan gives the page and the number of matches (filters on computed formulas cost
    # ~15 µs a row: scanning twice would double that)
    rows_list = [
        dict(r)
        for r in session.execute(
            text(
                f"SELECT {_STRUCTURE_COLUMNS}, count(*) OVER () AS matches FROM materials m "
                f"WHERE {base} AND {where.sql} "
                f"ORDER BY {order} LIMIT :page_limit OFFSET :page_offset"
            ),
            {**params, "page_limit": query.page_limit, "page_offset": query.page_offset},
        ).mappings()
    ]
    if rows_list:
        returned = rows_list[0]["matches"]
    elif query.page_offset == 0:
        returned = 0
    else:  # past the last page
        returned = session.scalar(
            text(f"SELECT count(*) FROM materials m WHERE {base} AND {where.sql}"), params
        )
    available = session.scalar(text(f"SELECT count(*) FROM materials m WHERE {base}"), params)
    entries = _structure_entries(session, rows_list, organization_id=organization_id)
    return EntryPage(entries, int(returned or 0), int(available or 0), list(where.warnings))


def get_structure(
    session: Session, entry_id: str, *, organization_id: int | None
) -> dict[str, Any] | None:
    """The structure entry with this OPTIMADE id, if visible."""
    params: dict[str, Any] = {}
    base = f"m.structure IS NOT NULL AND {_visibility(organization_id, params)}"
    if entry_id.startswith("matdiscover-") and entry_id[12:].isdigit():
        params["row_id"] = int(entry_id[12:])
        match = "m.id = :row_id"
    else:
        params["source_id"] = entry_id
        match = (
            "m.organization_id IS NULL AND m.source_database = 'materials_project' "
            "AND m.source_id = :source_id"
        )
    rows = [
        dict(r)
        for r in session.execute(
            text(f"SELECT {_STRUCTURE_COLUMNS} FROM materials m WHERE {base} AND {match} LIMIT 1"),
            params,
        ).mappings()
    ]
    entries = _structure_entries(session, rows, organization_id=organization_id)
    return entries[0] if entries else None


def _species(sites: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """OPTIMADE ``species`` and ``species_at_sites`` of pymatgen sites. A species is named
    by its element symbols (``Fe``, ``FeCo`` for a mixed site); a partially occupied site
    adds ``vacancy``."""
    species: dict[str, dict[str, Any]] = {}
    at_sites: list[str] = []
    for site in sites:
        parts = site.get("species") or []
        symbols = [str(p["element"]) for p in parts]
        occupancy = [float(p.get("occu", 1.0)) for p in parts]
        name = "".join(symbols)
        if name not in species:
            entry: dict[str, Any] = {
                "name": name,
                "chemical_symbols": list(symbols),
                "concentration": list(occupancy),
            }
            missing = 1.0 - sum(occupancy)
            if missing > 1e-6:
                entry["chemical_symbols"].append("vacancy")
                entry["concentration"].append(missing)
            species[name] = entry
        at_sites.append(name)
    return list(species.values()), at_sites


def _ratios(formula: str | None, elements: list[str]) -> list[float] | None:
    from pymatgen.core import Composition

    if not formula:
        return None
    try:
        comp = Composition(formula)
    except Exception:
        return None
    total = sum(comp.get_el_amt_dict().values())
    amounts = comp.get_el_amt_dict()
    return [amounts.get(el, 0.0) / total for el in elements] if total else None


def _cartesian(sites: list[dict[str, Any]], matrix: list[list[float]] | None) -> list[Any]:
    """Cartesian positions (Å): the sites' ``xyz``, else fractional ``abc`` times the cell."""
    out = []
    for site in sites:
        if "xyz" in site:
            out.append([float(x) for x in site["xyz"]])
        elif matrix is not None:
            a, b, c = (float(x) for x in site["abc"])
            out.append([a * matrix[0][i] + b * matrix[1][i] + c * matrix[2][i] for i in range(3)])
    return out


def _timestamp(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _structure_entries(
    session: Session, rows: list[dict[str, Any]], *, organization_id: int | None
) -> list[dict[str, Any]]:
    # organisation 0 does not exist: an anonymous caller sees shared predictions only
    latest = predictions.latest_for_materials(
        session, [r["row_id"] for r in rows], organization_id=organization_id or 0
    )
    out = []
    for row in rows:
        structure = row["structure"] or {}
        sites = structure.get("sites") or []
        species, at_sites = _species(sites)
        matrix = (structure.get("lattice") or {}).get("matrix")
        elements = sorted(row["elements"] or [])
        attributes: dict[str, Any] = {
            "last_modified": _timestamp(row["updated_at"]),
            "immutable_id": None,
            "elements": elements,
            "nelements": row["nelements"],
            "elements_ratios": _ratios(row["formula"], elements),
            "chemical_formula_descriptive": (row["formula"] or "").replace(" ", ""),
            "chemical_formula_reduced": row["formula_reduced"],
            "chemical_formula_hill": None,
            "chemical_formula_anonymous": row["formula_anonymous"],
            "dimension_types": [1, 1, 1],
            "nperiodic_dimensions": 3,
            "lattice_vectors": matrix,
            "space_group_it_number": row["space_group_number"],
            "cartesian_site_positions": _cartesian(sites, matrix),
            "nsites": row["nsites"],
            "species": species,
            "species_at_sites": at_sites,
            "assemblies": None,
            "structure_features": [] if row["is_ordered"] else ["disorder"],
            f"_{PROVIDER_PREFIX}_source": row["source"],
            f"_{PROVIDER_PREFIX}_source_database": row["source_database"],
            f"_{PROVIDER_PREFIX}_source_id": row["source_id"],
            f"_{PROVIDER_PREFIX}_crystal_system": row["crystal_system"],
            f"_{PROVIDER_PREFIX}_space_group_symbol": row["space_group_symbol"],
            f"_{PROVIDER_PREFIX}_density": row["density"],
            f"_{PROVIDER_PREFIX}_volume": row["volume"],
        }
        found = latest.get(row["row_id"], {})
        for prop in PROPERTY_NAMES:
            pred = found.get(prop)
            attributes[f"_{PROVIDER_PREFIX}_{prop}"] = pred.value if pred else None
            attributes[f"_{PROVIDER_PREFIX}_{prop}_sigma"] = pred.std if pred else None
        out.append({"id": row["entry_id"], "type": "structures", "attributes": attributes})
    return out


# ------------------------------------------------------------------------- references


def _reference_entry(row: dict[str, Any]) -> dict[str, Any]:
    ref = refs.by_id()[row["id"]]
    attributes = {k: ref[k] for k in refs.COLUMNS if k != "id"}
    attributes["authors"] = [{"name": name} for name in ref["authors"]]
    attributes["last_modified"] = row["last_modified"]
    return {"id": ref["id"], "type": "references", "attributes": attributes}


def query_references(session: Session, query: EntryQuery) -> EntryPage:
    tree = parse_filter(query.filter)
    where = compile_filter(
        tree,
        filter_fields(REFERENCE_FIELDS),
        provider_prefix=PROVIDER_PREFIX,
        unsupported=REFERENCE_UNSUPPORTED,
    )
    source, params = refs.values_sql()
    params.update(where.params)
    order = _order_by(query.sort, REFERENCE_FIELDS, "r.id")
    rows = [
        dict(r)
        for r in session.execute(
            text(f"SELECT r.* FROM {source} WHERE {where.sql} ORDER BY {order}"), params
        ).mappings()
    ]
    page = rows[query.page_offset : query.page_offset + query.page_limit]
    return EntryPage(
        [_reference_entry(r) for r in page], len(rows), len(refs.REFERENCES), where.warnings
    )


def get_reference(entry_id: str) -> dict[str, Any] | None:
    if entry_id not in refs.by_id():
        return None
    return _reference_entry({"id": entry_id, "last_modified": refs.LAST_MODIFIED})


def entry_properties(kind: str) -> dict[str, Served]:
    return STRUCTURE_FIELDS if kind == "structures" else REFERENCE_FIELDS
