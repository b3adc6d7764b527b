"""Known compounds: search, the compound page, and (re)building them after a load.

:func:`search_page` answers ``GET /compounds`` (filters on the compound's formula,
elements, known structures and headline reference values; keyset paging like materials
search), :func:`detail` the compound page (every reference value with its source, the
known structures, the caller's own materials of that formula with their latest
predictions), :func:`find` the compound of a formula (for predictions and uploads).
The table is derived data; :func:`rebuild` recomputes it (``build.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Select,
    String,
    and_,
    any_,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from matdiscover.domains.compounds.build import (
    STRUCTURES_TABLE,
    compounds_missing,
    rebuild_compounds,
)
from matdiscover.domains.compounds.models import Compound
from matdiscover.domains.compounds.schemas import (
    CompoundDetail,
    CompoundHit,
    CompoundQuery,
    CompoundSearchPage,
    CompoundSearchParams,
    CompoundSortKey,
    KnownStructure,
    OwnMaterial,
    ReferenceEntry,
    ReferenceValue,
    SourceLink,
)
from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.predictions import service as predictions_service
from matdiscover.domains.predictions.schemas import PredictionRead
from matdiscover.domains.search import service as search_service
from matdiscover.errors import InvalidComposition, InvalidInput, NotFound
from matdiscover.science.known_structures import CITATIONS, LICENCES, source_url
from matdiscover.science.properties import CATALOGUE, PropertyName
from matdiscover.science.reference_entries import REFERENCE_TABLES
from matdiscover.science.reference_sources import TABLE_SOURCES, entry_label

#: Own materials listed on a compound page.
OWN_MATERIALS_LIMIT = 20
#: Known structures listed on a compound page.
STRUCTURES_LIMIT = 50
#: Which matminer table a shipped structure's property comes from (for its citation).
_STRUCTURE_PROPERTY_TABLE = {
    "formation_energy": "flla_2015",
    "energy_above_hull": "flla_2015",
    "bulk_modulus": "elastic_tensor",
    "shear_modulus": "elastic_tensor",
    "band_gap": "dielectric_constant",
    "refractive_index": "dielectric_constant",
    "dielectric_constant": "dielectric_constant",
    "piezoelectric_modulus": "piezoelectric_tensor",
}
_EXTRA_UNITS = {
    spec.property: spec.unit for spec in REFERENCE_TABLES if spec.property not in CATALOGUE
} | {
    "refractive_index": "",
    "dielectric_constant": "",
    "piezoelectric_modulus": "C/m²",
}
_SORT_COLUMNS = ("id", "reduced_formula", "nelements", "n_entries", "n_structures")
#: Up to this many estimated matches, a property sort sorts the matches (no index walk).
SORT_AFTER_FILTERING = 50_000


# ------------------------------------------------------------------ building


def rebuild(conn: Connection, formulas: list[str] | None = None) -> int:
    """Recompute the compounds of ``formulas`` (all when ``None``); see ``build.py``."""
    return rebuild_compounds(conn, formulas)


def missing(conn: Connection) -> bool:
    """Reference rows are loaded but compounds were never built (after an upgrade)."""
    return compounds_missing(conn)


# ------------------------------------------------------------------ views


def _links(row: Compound) -> list[SourceLink]:
    return [
        SourceLink(source_id=sid, url=source_url(_database_of(sid), sid))
        for sid in row.source_ids[:10]
    ]


def _database_of(source_id: str) -> str:
    if source_id.startswith("mp-"):
        return "materials_project"
    if source_id.startswith("dcdft:"):
        return "ase_dcdft"
    return "aflow_prototypes"


def _hit(row: Compound, sort_value: Any = None) -> CompoundHit:
    return CompoundHit(
        id=row.id,
        reduced_formula=row.reduced_formula,
        chemical_system=row.chemical_system,
        elements=list(row.elements),
        nelements=row.nelements,
        anonymous_formula=row.anonymous_formula,
        properties={k: float(v) for k, v in row.properties.items() if v is not None},
        n_entries=row.n_entries,
        n_structures=row.n_structures,
        space_group_numbers=sorted(row.space_group_numbers),
        crystal_systems=sorted(row.crystal_systems),
        links=_links(row),
        sort_value=sort_value,
    )


def _unit(prop: str) -> tuple[str, str]:
    """(display name, unit) of a reference property."""
    try:
        info = CATALOGUE[PropertyName(prop)]
        return info.display_name, info.unit
    except ValueError:
        return prop.replace("_", " ").capitalize(), _EXTRA_UNITS.get(prop, "")


def _provenance(table: str, prop: str) -> tuple[str, str]:
    """(upstream, licence and citation) of a property's values in a table."""
    if table == STRUCTURES_TABLE:
        origin = _STRUCTURE_PROPERTY_TABLE.get(prop, "flla_2015")
        return (
            f"Materials Project entries with structures (matminer 0.4.2 {origin}.csv)",
            f"{LICENCES['materials_project']}; cite {CITATIONS[origin]}",
        )
    upstream = TABLE_SOURCES.get(table)
    if upstream is None:
        return table, "see data/PROVENANCE.md"
    return upstream.upstream, upstream.licence


def _reference_value(summary: dict[str, Any], labels: dict[int, str]) -> ReferenceValue:
    prop = str(summary["property"])
    table = str(summary["table"])
    display, unit = _unit(prop)
    upstream, licence = _provenance(table, prop)
    entries = []
    for mid in summary.get("entry_ids") or []:
        label = labels.get(int(mid), str(mid))
        db = "materials_project" if label.startswith("mp-") else ""
        entries.append(
            ReferenceEntry(
                material_id=int(mid),
                label=label,
                url=source_url(db, label) if db else None,
            )
        )
    return ReferenceValue(
        property=prop,
        display_name=display,
        unit=unit,
        source_database=str(summary["source_database"]),
        table=table,
        value=float(summary["value"]),
        n_entries=int(summary["n_entries"]),
        min=float(summary["min"]),
        max=float(summary["max"]),
        headline=bool(summary["headline"]),
        entries=entries,
        upstream=upstream,
        licence=licence,
    )


def _structure(m: Any) -> KnownStructure:
    label = m.source_id or str(m.id)
    return KnownStructure(
        material_id=m.id,
        source_database=m.source_database or "",
        source_id=label,
        label=entry_label(label),
        url=source_url(m.source_database or "", label),
        space_group_number=m.space_group_number,
        space_group_symbol=m.space_group_symbol,
        crystal_system=m.crystal_system,
        nsites=m.nsites,
        properties=dict(m.properties or {}),
    )


def _own(session: Session, m: Any, *, organization_id: int) -> OwnMaterial:
    latest, _ = predictions_service.list_for_material(
        session, m.id, organization_id=organization_id
    )
    return OwnMaterial(
        id=m.id,
        formula=m.formula,
        source=m.source,
        filename=m.filename,
        space_group_symbol=m.space_group_symbol,
        has_structure=m.structure is not None,
        known_match=m.known_match,
        created_at=m.created_at,
        predictions=[PredictionRead.model_validate(p) for p in latest],
    )


def _reduced(formula: str) -> str:
    try:
        return str(search_service.composition(formula).reduced_formula)
    except InvalidInput as exc:
        raise InvalidComposition(exc.message) from exc


def find(session: Session, formula: str) -> Compound | None:
    """The known compound of ``formula`` (any cell formula of it), if there is one."""
    return session.scalar(select(Compound).where(Compound.reduced_formula == _reduced(formula)))


def summary(session: Session, formula: str) -> CompoundHit | None:
    """The search view of ``formula``'s known compound, if there is one."""
    row = find(session, formula)
    return _hit(row) if row is not None else None


def summaries(session: Session, reduced_formulas: list[str]) -> dict[str, CompoundHit]:
    """The search view of the known compounds among ``reduced_formulas``, by formula."""
    if not reduced_formulas:
        return {}
    rows = session.scalars(
        select(Compound).where(Compound.reduced_formula.in_(sorted(set(reduced_formulas))))
    ).all()
    return {r.reduced_formula: _hit(r) for r in rows}


def known_structures(
    session: Session, formula: str, *, limit: int = STRUCTURES_LIMIT
) -> list[KnownStructure]:
    """The known structures of ``formula``'s compound (lowest energy above hull first)."""
    rows = materials_service.reference_structures(session, _reduced(formula), limit=limit)
    return [_structure(m) for m in rows]


def get(session: Session, key: str) -> Compound:
    """A compound by id (digits) or by formula; NotFound otherwise."""
    row: Compound | None
    if key.isdigit():
        row = session.get(Compound, int(key)) if len(key) <= 18 else None
    else:
        row = find(session, key)
    if row is None:
        raise NotFound(f"no known compound {key!r}")
    return row


def detail(session: Session, key: str, *, organization_id: int) -> CompoundDetail:
    """The compound page of ``key`` (id or formula) for the caller's organisation."""
    row = get(session, key)
    ids = {
        int(i) for s in row.reference_values for i in (s.get("entry_ids") or []) if i is not None
    }
    labels = materials_service.reference_labels(session, sorted(ids))
    structures = materials_service.reference_structures(
        session, row.reduced_formula, limit=STRUCTURES_LIMIT
    )
    own, own_total = materials_service.own_of_formula(
        session, row.reduced_formula, organization_id=organization_id, limit=OWN_MATERIALS_LIMIT
    )
    return CompoundDetail(
        **_hit(row).model_dump(),
        reference_values=[
            _reference_value(s, {k: entry_label(v) for k, v in labels.items()})
            for s in row.reference_values
        ],
        structures=[_structure(m) for m in structures],
        own_materials=[_own(session, m, organization_id=organization_id) for m in own],
        own_materials_total=own_total,
    )


# ------------------------------------------------------------------ search


def _value(prop: str) -> ColumnElement[float]:
    return cast(Compound.properties[prop].astext, Float)


#: Formulas a fuzzy or wildcard pattern may match and still be passed as a list.
MAX_RESOLVED_FORMULAS = 5_000


def _pattern_conditions(query: CompoundQuery) -> list[ColumnElement[bool]]:
    """Conditions of the fuzzy ``q`` and a ``*`` formula pattern (trigram-indexed)."""
    out: list[ColumnElement[bool]] = []
    if query.formula:
        like = search_service.wildcard_like(query.formula)
        if like is not None:
            out.append(Compound.reduced_formula.like(like))
    if query.q:
        text_ = query.q.replace(" ", "")
        exact = _try_reduced(text_)
        fuzzy = Compound.reduced_formula.op("%")(text_)
        out.append(or_(Compound.reduced_formula == exact, fuzzy) if exact else fuzzy)
    return out


def _resolve_patterns(session: Session, query: CompoundQuery) -> list[str] | None:
    """The formulas matching the query's patterns when there are at most
    :data:`MAX_RESOLVED_FORMULAS` (``None``: no pattern, or too many).

    Matched over the narrow table of distinct formulas (``material_formulas``, trigram
    index) rather than over the wide compound rows, then passed as a list: the planner
    gets real values instead of pg_trgm's rough estimates, which make it walk the whole
    table in id order filtering every row.
    """
    if not query.q and not (query.formula and search_service.wildcard_like(query.formula)):
        return None
    found = search_service.matching_formulas(
        session,
        q=query.q,
        formula=query.formula,
        limit=MAX_RESOLVED_FORMULAS + 1,
    )
    if query.q and (exact := _try_reduced(query.q.replace(" ", ""))):
        found = [*found, exact]
    return sorted(set(found)) if len(found) <= MAX_RESOLVED_FORMULAS else None


def _formula_conditions(
    query: CompoundQuery, formulas: list[str] | None
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if formulas is not None:
        out.append(Compound.reduced_formula == any_(literal(formulas, ARRAY(String))))
    else:
        out.extend(_pattern_conditions(query))
    if query.formula and search_service.wildcard_like(query.formula) is None:
        out.append(Compound.reduced_formula == _reduced_or_400(query.formula))
    return out


def _try_reduced(text_: str) -> str | None:
    try:
        return str(search_service.composition(text_).reduced_formula)
    except InvalidInput:
        return None


def _reduced_or_400(formula: str) -> str:
    return str(search_service.composition(formula).reduced_formula)


def build_select(query: CompoundQuery, formulas: list[str] | None = None) -> Select[Any]:
    """``SELECT compounds.*`` filtered by every criterion of ``query`` (``formulas``: the
    resolved formula patterns, see :func:`_resolve_patterns`)."""
    from matdiscover.science.embeddings import anonymous_pattern

    # an explicit FROM: counting replaces the columns (a bare select(Compound) would lose it)
    stmt = select(Compound).select_from(Compound).where(*_formula_conditions(query, formulas))
    stmt = stmt.where(
        *search_service.element_conditions(
            query,
            elements=Compound.elements,
            chemical_system=Compound.chemical_system,
            nelements=Compound.nelements,
        )
    )
    if query.anonymous_formula:
        try:
            anon = anonymous_pattern(query.anonymous_formula)
        except InvalidComposition as exc:
            raise InvalidInput(exc.message) from exc
        stmt = stmt.where(Compound.anonymous_formula == anon)
    if query.space_group_number is not None:
        stmt = stmt.where(Compound.space_group_numbers.contains([query.space_group_number]))
    if query.crystal_system:
        stmt = stmt.where(Compound.crystal_systems.contains([query.crystal_system]))
    if query.has_structure is not None:
        stmt = stmt.where(
            Compound.n_structures > 0 if query.has_structure else Compound.n_structures == 0
        )
    for prop, (lo, hi) in query.ranges().items():
        if lo is not None and hi is not None and lo > hi:
            raise InvalidInput(f"{prop}_min ({lo:g}) is greater than {prop}_max ({hi:g})")
        value = _value(prop)
        conds: list[ColumnElement[bool]] = [value.is_not(None)]
        if lo is not None:
            conds.append(value >= lo)
        if hi is not None:
            conds.append(value <= hi)
        stmt = stmt.where(and_(*conds))
    if query.is_stable is not None:
        e_hull = _value(PropertyName.energy_above_hull.value)
        stable = search_service.STABLE_E_HULL
        stmt = stmt.where(e_hull <= stable if query.is_stable else e_hull > stable)
    return stmt


def _sort_expression(sort: CompoundSortKey, query: CompoundQuery) -> tuple[Any, bool]:
    if sort == "relevance":
        text_ = query.q or query.formula
        if not text_:
            raise InvalidInput("sort=relevance needs q= or formula=")
        return func.similarity(Compound.reduced_formula, text_.replace(" ", "")), False
    if sort in _SORT_COLUMNS:
        return getattr(Compound, sort), False
    return _value(sort), True


def search_page(session: Session, params: CompoundSearchParams) -> CompoundSearchPage:
    """One page of compounds matching ``params``, sorted by ``(sort, id)`` (compounds
    without a value for a property sort key come last), with the total and a cursor."""
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    query = CompoundQuery.model_validate(
        params.model_dump(include=set(CompoundQuery.model_fields), exclude_unset=True)
    )
    base = build_select(query, _resolve_patterns(session, query))
    key, nullable = _sort_expression(params.sort, query)
    order_key = key
    if nullable and search_service.estimate_rows(session, base) <= SORT_AFTER_FILTERING:
        # few matches: filter first, then sort them. Walking the property's index in value
        # order looks cheaper to the planner, which cannot know that the matches (say,
        # compounds with a structure) are rare among the high values; an expression the
        # index does not cover takes that plan away.
        order_key = key + 0
    page = search_service.keyset_page(
        session,
        base,
        key=key,
        nullable=nullable,
        id_column=Compound.id,
        descending=params.order == "desc",
        limit=params.limit,
        cursor=params.cursor,
        order_key=order_key,
    )
    rows, next_cursor = page.rows, page.next_cursor
    if params.cursor is None and next_cursor is None:
        total, estimated = len(rows), False
    else:
        total, estimated = search_service.count_matches(session, base)
    return CompoundSearchPage(
        items=[_hit(r, v) for r, v in rows],
        total=total,
        total_is_estimate=estimated,
        next_cursor=next_cursor,
    )


__all__ = [
    "OWN_MATERIALS_LIMIT",
    "STRUCTURES_LIMIT",
    "build_select",
    "detail",
    "find",
    "get",
    "known_structures",
    "missing",
    "rebuild",
    "search_page",
    "summaries",
    "summary",
]
