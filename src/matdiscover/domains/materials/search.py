"""The one query model of materials search, shared by REST, CLI, web UI and OPTIMADE.

:class:`MaterialQuery` describes *what* to find; :func:`build_select` turns it into a
SQLAlchemy select (tenancy included); :func:`search` runs it with sorting, keyset
pagination and a count.

Conventions
-----------
* Property values are in the units of ``matdiscover.science.reference_entries``:
  band gap eV, formation energy and energy above hull eV/atom, moduli GPa, Debye
  temperature K.
* ``property_source``: ``reference`` uses the value stored with a reference entry,
  ``predicted`` the caller's latest prediction, ``any`` the reference value where
  present and otherwise the latest prediction.
* ``is_stable``: energy above hull ≤ :data:`STABLE_E_HULL` (1 meV/atom, the same
  tolerance as ``matdiscover.science.thermo``). Entries without an energy above hull
  match neither ``is_stable=true`` nor ``false``.
* Sorting is always total: ``(key, id)``; entries without a value for the sort key come
  last in both directions. The cursor records the phase (with value / without value).
* ``total`` is exact up to :data:`EXACT_COUNT_LIMIT` matches when that count takes at
  most :data:`COUNT_TIMEOUT_MS`; otherwise (more matches by the planner's estimate, a
  capped count that overflows, or one that runs out of time) it is the planner's
  estimate and ``total_is_estimate`` is set: an exact count of a million rows, or of a
  few thousand spread over several large indexes, costs hundreds of milliseconds. A
  first page holding every match is counted exactly for free.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from psycopg.errors import QueryCanceled
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import (
    ColumnElement,
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
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matdiscover.domains.materials.models import Material, MaterialFormula
from matdiscover.domains.materials.schemas import MaterialRead
from matdiscover.errors import InvalidComposition, InvalidInput

SearchProperty = Literal[
    "band_gap",
    "formation_energy",
    "energy_above_hull",
    "bulk_modulus",
    "shear_modulus",
    "debye_temperature",
]
SEARCH_PROPERTIES: tuple[str, ...] = get_args(SearchProperty)
PropertySource = Literal["reference", "predicted", "any"]
SortKey = Literal[
    "id",
    "created_at",
    "formula",
    "reduced_formula",
    "nsites",
    "nelements",
    "space_group_number",
    "volume",
    "density",
    "relevance",
    "band_gap",
    "formation_energy",
    "energy_above_hull",
    "bulk_modulus",
    "shear_modulus",
    "debye_temperature",
]
CrystalSystem = Literal[
    "triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"
]

#: Energy above hull (eV/atom) at or below which an entry counts as stable.
STABLE_E_HULL = 1e-3
#: Matches counted exactly; beyond this ``total`` is the planner's estimate.
EXACT_COUNT_LIMIT = 10_000
#: Time an exact count may take (ms) before ``total`` falls back to the estimate.
COUNT_TIMEOUT_MS = 30
#: Distinct formulas a fuzzy/wildcard pattern may match and still be passed as a list.
MAX_RESOLVED_FORMULAS = 5_000
#: Up to this many resolved formulas, a first page also counts its matches (window count).
WINDOW_COUNT_FORMULAS = 1_000

_NULLABLE_COLUMNS = {"nsites", "space_group_number", "volume", "density"}


class MaterialQuery(BaseModel):
    """Search criteria, all optional and combined with AND.

    Example:
        >>> MaterialQuery(chemical_system="Li-Fe-*", band_gap_min=1.0).band_gap_min
        1.0
    """

    # a misspelt filter (bandgap_min) must not silently match everything
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _name_unknown_parameters(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        """Unknown keys fail with ``Unknown parameter 'x'; did you mean 'y'?`` (loc: the key)."""
        try:
            return handler(data)
        except ValidationError as exc:
            errors = exc.errors()
            if not any(e["type"] == "extra_forbidden" for e in errors):
                raise
            details: list[Any] = []
            for e in errors:
                if e["type"] != "extra_forbidden":
                    details.append(e)
                    continue
                name = str(e["loc"][-1])
                near = difflib.get_close_matches(name, list(cls.model_fields), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                message = PydanticCustomError(
                    "extra_forbidden", "Unknown parameter {name}" + hint, {"name": repr(name)}
                )
                details.append(InitErrorDetails(type=message, loc=e["loc"], input=e["input"]))
            raise ValidationError.from_exception_data(exc.title, details) from None

    formula: str | None = Field(
        default=None,
        max_length=200,
        description="Cell or reduced formula (Fe2O3); '*' is a wildcard (Li*O4)",
    )
    reduced_formula: str | None = Field(default=None, max_length=200)
    anonymous_formula: str | None = Field(
        default=None, max_length=50, description="Prototype, e.g. ABO3 or AB2C4"
    )
    fuzzy: bool = Field(default=False, description="Match `formula` with typos (trigrams)")
    q: str | None = Field(
        default=None, max_length=200, description="Free text: fuzzy formula match"
    )
    elements: list[str] | None = Field(default=None, description="Contains all (Fe,O)")
    elements_any: list[str] | None = Field(default=None, description="Contains any of")
    elements_exclude: list[str] | None = Field(default=None, description="Contains none of")
    chemical_system: str | None = Field(
        default=None,
        max_length=200,
        description="Li-Fe-O: exactly these elements; Li-Fe-*: at least these",
    )
    nelements: int | None = Field(default=None, ge=1, le=20)
    nelements_min: int | None = Field(default=None, ge=1, le=20)
    nelements_max: int | None = Field(default=None, ge=1, le=20)
    space_group_number: int | None = Field(default=None, ge=1, le=230)
    crystal_system: CrystalSystem | None = None
    source: Literal["upload", "reference", "batch"] | None = None
    source_database: Literal["materials_project", "aflow", "oqmd", "experimental"] | None = None
    include_reference: bool = True
    property_source: PropertySource = Field(
        default="reference", description="Where property values come from"
    )
    band_gap_min: float | None = Field(default=None, description="eV")
    band_gap_max: float | None = Field(default=None, description="eV")
    formation_energy_min: float | None = Field(default=None, description="eV/atom")
    formation_energy_max: float | None = Field(default=None, description="eV/atom")
    energy_above_hull_min: float | None = Field(default=None, description="eV/atom")
    energy_above_hull_max: float | None = Field(default=None, description="eV/atom")
    bulk_modulus_min: float | None = Field(default=None, description="GPa")
    bulk_modulus_max: float | None = Field(default=None, description="GPa")
    shear_modulus_min: float | None = Field(default=None, description="GPa")
    shear_modulus_max: float | None = Field(default=None, description="GPa")
    debye_temperature_min: float | None = Field(default=None, description="K")
    debye_temperature_max: float | None = Field(default=None, description="K")
    is_stable: bool | None = Field(
        default=None, description=f"Energy above hull ≤ {STABLE_E_HULL * 1000:g} meV/atom"
    )

    def ranges(self) -> dict[str, tuple[float | None, float | None]]:
        """Property → (min, max) for the properties with a bound."""
        out = {}
        for prop in SEARCH_PROPERTIES:
            lo, hi = getattr(self, f"{prop}_min"), getattr(self, f"{prop}_max")
            if lo is not None or hi is not None:
                out[prop] = (lo, hi)
        return out


class MaterialSearchParams(MaterialQuery):
    """The query string of ``GET /materials``: the filters, sorting and paging. Unknown
    parameters are rejected (422) rather than ignored."""

    sort: SortKey = "id"
    order: Literal["asc", "desc"] = "asc"
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=1000)

    def filters(self) -> MaterialQuery:
        """The filters alone."""
        return MaterialQuery.model_validate(
            self.model_dump(include=set(MaterialQuery.model_fields), exclude_unset=True)
        )


class MaterialHit(MaterialRead):
    """A search result: the material, its reference property values and its sort value."""

    properties: dict[str, Any] = Field(default_factory=dict)
    sort_value: float | str | None = None


class MaterialSearchPage(BaseModel):
    items: list[MaterialHit]
    total: int
    total_is_estimate: bool = Field(
        description=f"True when total is the planner's estimate: more than "
        f"{EXACT_COUNT_LIMIT:,} matches, or too slow to count ({COUNT_TIMEOUT_MS} ms)"
    )
    next_cursor: str | None


@dataclass
class SearchResult:
    rows: list[tuple[Material, Any]]
    total: int
    total_is_estimate: bool
    next_cursor: str | None


# ------------------------------------------------------------------ expressions


def reference_value(prop: str) -> ColumnElement[float]:
    """``(properties ->> prop)::float8`` — matches the partial expression indexes."""
    return cast(Material.properties[prop].astext, Float)


def _latest_predictions(prop: str, organization_id: int) -> Any:
    from matdiscover.domains.predictions.models import Prediction

    return (
        select(Prediction.material_id, Prediction.value)
        .where(
            Prediction.property == prop,
            or_(
                Prediction.organization_id == organization_id,
                Prediction.organization_id.is_(None),
            ),
        )
        .ext(distinct_on(Prediction.material_id))
        .order_by(Prediction.material_id, Prediction.created_at.desc(), Prediction.id.desc())
        .subquery()
    )


def predicted_value(prop: str, organization_id: int) -> ColumnElement[float]:
    """The caller's latest prediction of ``prop`` for the row (correlated scalar)."""
    from matdiscover.domains.predictions.models import Prediction

    return (
        select(Prediction.value)
        .where(
            Prediction.material_id == Material.id,
            Prediction.property == prop,
            or_(
                Prediction.organization_id == organization_id,
                Prediction.organization_id.is_(None),
            ),
        )
        .order_by(Prediction.created_at.desc(), Prediction.id.desc())
        .limit(1)
        .correlate(Material)
        .scalar_subquery()
    )


def property_value(prop: str, source: PropertySource, organization_id: int) -> ColumnElement[float]:
    if source == "reference":
        return reference_value(prop)
    if source == "predicted":
        return predicted_value(prop, organization_id)
    return func.coalesce(reference_value(prop), predicted_value(prop, organization_id))


def _between(expr: Any, lo: float | None, hi: float | None) -> ColumnElement[bool]:
    conds = []
    if lo is not None:
        conds.append(expr >= lo)
    if hi is not None:
        conds.append(expr <= hi)
    return and_(*conds)


def _range_condition(
    prop: str, lo: float | None, hi: float | None, source: PropertySource, org: int
) -> ColumnElement[bool]:
    ref = reference_value(prop)
    if source == "reference":
        return _between(ref, lo, hi)
    latest = _latest_predictions(prop, org)
    pred_ids = select(latest.c.material_id).where(_between(latest.c.value, lo, hi))
    if source == "predicted":
        return Material.id.in_(pred_ids)
    return or_(_between(ref, lo, hi), and_(ref.is_(None), Material.id.in_(pred_ids)))


# ------------------------------------------------------------------ parsing helpers


def normalise_elements(symbols: list[str] | None) -> list[str] | None:
    """``["fe,o", "Li"]`` → ``["Fe", "O", "Li"]``; raises on unknown symbols."""
    if not symbols:
        return None
    from pymatgen.core.periodic_table import Element

    out = []
    for raw in symbols:
        for sym in raw.replace(",", " ").replace("-", " ").split():
            sym = sym.strip().capitalize()
            if not Element.is_valid_symbol(sym):
                raise InvalidInput(f"unknown element symbol {sym!r}")
            out.append(sym)
    return out or None


def _composition(formula: str) -> Any:
    from pymatgen.core import Composition, Element

    try:
        comp = Composition(formula)
        if comp.num_atoms <= 0 or not all(isinstance(el, Element) for el in comp.elements):
            raise ValueError("empty or not elements")
        return comp
    except Exception as exc:
        raise InvalidInput(f"invalid formula {formula!r}") from exc


def _fuzzy_pattern(text_: str) -> ColumnElement[bool]:
    """``reduced_formula % text`` on ``material_formulas`` (pg_trgm similarity ≥
    ``pg_trgm.similarity_threshold``, 0.3 by default)."""
    return MaterialFormula.reduced_formula.op("%")(text_.replace(" ", ""))


def _wildcard_like(formula: str) -> str | None:
    """The LIKE pattern of a ``*`` formula pattern (``Li*O4`` → ``Li%O4``), else None."""
    compact = formula.replace(" ", "")
    if "*" not in compact:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.*()]+", compact):
        raise InvalidInput(f"invalid formula pattern {formula!r}")
    return compact.replace("*", "%")


def formula_patterns(query: MaterialQuery) -> list[ColumnElement[bool]]:
    """Conditions on ``material_formulas.reduced_formula`` (fuzzy ``q``/``formula``,
    ``*`` wildcards): matched over the distinct formulas, then joined back to materials."""
    out: list[ColumnElement[bool]] = []
    if query.formula:
        like = _wildcard_like(query.formula)
        if like is not None:
            out.append(MaterialFormula.reduced_formula.like(like))
        elif query.fuzzy:
            out.append(_fuzzy_pattern(query.formula))
    if query.q:
        out.append(_fuzzy_pattern(query.q))
    return out


def resolve_formulas(session: Session, query: MaterialQuery) -> list[str] | None:
    """The distinct formulas matching the query's :func:`formula_patterns`, or ``None``
    when it has none or more than :data:`MAX_RESOLVED_FORMULAS` match.

    Passing the list to :func:`build_select` as ``reduced_formula = ANY(list)`` gives the
    planner the real values: pg_trgm's estimates for ``%`` and ``LIKE`` are rough guesses,
    and a guess of "many" makes it walk the whole table in id order.
    """
    patterns = formula_patterns(query)
    if not patterns:
        return None
    found = session.scalars(
        select(MaterialFormula.reduced_formula).where(*patterns).limit(MAX_RESOLVED_FORMULAS + 1)
    ).all()
    return list(found) if len(found) <= MAX_RESOLVED_FORMULAS else None


def _formula_condition(formula: str) -> ColumnElement[bool]:
    """An exact cell or reduced formula (``*`` patterns are :func:`formula_patterns`)."""
    comp = _composition(formula)
    compact = formula.replace(" ", "")
    if comp.reduced_formula == compact:
        return or_(
            Material.reduced_formula == comp.reduced_formula, Material.formula == comp.formula
        )
    return Material.formula == comp.formula


def _chemsys_condition(chemsys: str) -> ColumnElement[bool]:
    parts = [p.strip() for p in chemsys.split("-") if p.strip()]
    at_least = "*" in parts
    els = normalise_elements([p for p in parts if p != "*"]) or []
    if not els:
        raise InvalidInput(f"invalid chemical system {chemsys!r}")
    if at_least:
        return Material.elements.contains(sorted(set(els)))
    return Material.chemical_system == "-".join(sorted(set(els)))


def build_select(
    query: MaterialQuery,
    *,
    organization_id: int,
    columns: tuple[Any, ...] = (),
    formulas: Sequence[str] | None = None,
) -> Select[Any]:
    """``SELECT materials.*, *columns`` filtered by ``query`` and the caller's tenancy.

    ``formulas``: the result of :func:`resolve_formulas` (else the formula patterns stay
    a subquery on ``material_formulas``, with the same result).
    """
    from matdiscover.domains.materials.service import visible_to
    from matdiscover.science.embeddings import anonymous_pattern

    stmt = select(Material, *columns).where(
        visible_to(organization_id, include_reference=query.include_reference)
    )
    if patterns := formula_patterns(query):
        if formulas is not None:
            stmt = stmt.where(
                Material.reduced_formula == any_(literal(list(formulas), ARRAY(String)))
            )
        else:
            stmt = stmt.where(
                Material.reduced_formula.in_(
                    select(MaterialFormula.reduced_formula).where(*patterns)
                )
            )
    if query.formula and not query.fuzzy and _wildcard_like(query.formula) is None:
        stmt = stmt.where(_formula_condition(query.formula))
    if query.reduced_formula:
        stmt = stmt.where(
            Material.reduced_formula == _composition(query.reduced_formula).reduced_formula
        )
    if query.anonymous_formula:
        try:
            anon = anonymous_pattern(query.anonymous_formula)
        except InvalidComposition as exc:
            raise InvalidInput(exc.message) from exc
        stmt = stmt.where(Material.anonymous_formula == anon)
    if els := normalise_elements(query.elements):
        stmt = stmt.where(Material.elements.contains(sorted(set(els))))
    if els := normalise_elements(query.elements_any):
        stmt = stmt.where(Material.elements.overlap(sorted(set(els))))
    if els := normalise_elements(query.elements_exclude):
        stmt = stmt.where(~Material.elements.overlap(sorted(set(els))))
    if query.chemical_system:
        stmt = stmt.where(_chemsys_condition(query.chemical_system))
    if query.nelements is not None:
        stmt = stmt.where(Material.nelements == query.nelements)
    if query.nelements_min is not None:
        stmt = stmt.where(Material.nelements >= query.nelements_min)
    if query.nelements_max is not None:
        stmt = stmt.where(Material.nelements <= query.nelements_max)
    if query.space_group_number is not None:
        stmt = stmt.where(Material.space_group_number == query.space_group_number)
    if query.crystal_system:
        stmt = stmt.where(Material.crystal_system == query.crystal_system)
    if query.source:
        stmt = stmt.where(Material.source == query.source)
    if query.source_database:
        stmt = stmt.where(Material.source_database == query.source_database)
    for prop, (lo, hi) in query.ranges().items():
        stmt = stmt.where(_range_condition(prop, lo, hi, query.property_source, organization_id))
    if query.is_stable is not None:
        lo, hi = (None, STABLE_E_HULL) if query.is_stable else (STABLE_E_HULL, None)
        cond = _range_condition("energy_above_hull", lo, hi, query.property_source, organization_id)
        if not query.is_stable:
            cond = and_(
                cond,
                ~_range_condition(
                    "energy_above_hull", None, STABLE_E_HULL, query.property_source, organization_id
                ),
            )
        stmt = stmt.where(cond)
    return stmt


# ------------------------------------------------------------------ sort, cursor, count


def sort_expression(
    sort: SortKey, query: MaterialQuery, *, organization_id: int
) -> tuple[ColumnElement[Any], bool]:
    """(expression, nullable) of a sort key."""
    if sort == "relevance":
        text_ = query.q or query.formula
        if not text_:
            raise InvalidInput("sort=relevance needs q= or formula= with fuzzy=true")
        return func.similarity(Material.reduced_formula, text_.replace(" ", "")), False
    if sort in SEARCH_PROPERTIES:
        return property_value(sort, query.property_source, organization_id), True
    return getattr(Material, sort), sort in _NULLABLE_COLUMNS


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, Any, int | None]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        phase, value, last_id = values
        if phase not in ("v", "n") or not (last_id is None or isinstance(last_id, int)):
            raise ValueError(phase)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("invalid cursor") from exc
    return phase, value, last_id


def count_matches(
    session: Session, stmt: Select[Any], *, timeout_ms: int | None = None
) -> tuple[int, bool]:
    """(count, is_estimate) of the rows ``stmt`` selects.

    The planner's estimate when it expects more than :data:`EXACT_COUNT_LIMIT` rows; else
    an exact count capped at EXACT_COUNT_LIMIT + 1, given at most ``timeout_ms``
    (default :data:`COUNT_TIMEOUT_MS`) in a savepoint. A count that overflows the cap or
    runs out of time reports the estimate (at least the rows counted) as an estimate.
    """
    conn = session.connection()
    compiled = stmt.with_only_columns(literal(1)).compile(conn)
    plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    estimate = max(1, int(plan[0]["Plan"].get("Plan Rows", 0)))  # the top node
    if estimate > EXACT_COUNT_LIMIT:
        return estimate, True
    capped = stmt.with_only_columns(literal(1)).limit(EXACT_COUNT_LIMIT + 1).subquery()
    timeout = COUNT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    previous = session.scalar(text("SELECT current_setting('statement_timeout')"))
    try:
        with session.begin_nested():
            session.execute(
                text("SELECT set_config('statement_timeout', :t, true)"), {"t": f"{timeout}ms"}
            )
            n = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    except OperationalError as exc:
        if not isinstance(exc.orig, QueryCanceled):
            raise
        return estimate, True
    finally:
        session.execute(text("SELECT set_config('statement_timeout', :t, true)"), {"t": previous})
    if n <= EXACT_COUNT_LIMIT:
        return n, False
    return max(estimate, n), True


def _cursor_value(sort: str, value: Any) -> Any:
    if value is None:
        return None
    if sort == "created_at":
        return datetime.fromisoformat(str(value))
    return value


def search(
    session: Session,
    query: MaterialQuery,
    *,
    organization_id: int,
    sort: SortKey = "id",
    descending: bool = False,
    limit: int = 50,
    cursor: str | None = None,
    count: bool = True,
) -> SearchResult:
    """One page of matches, sorted by ``(sort, id)``, with the total and next cursor.

    Rows without a value for ``sort`` come after all rows with one, in id order; the
    cursor remembers which of the two phases the next page starts in.
    """
    # psycopg prepares repeated statements; PostgreSQL's generic plan for a prepared
    # statement ignores the parameter values (a range of 1 row or 1 M rows look alike)
    # and picks terrible plans for selective filters. Plan each search for its values.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    key, nullable = sort_expression(sort, query, organization_id=organization_id)
    formulas = resolve_formulas(session, query)
    base = build_select(
        query,
        organization_id=organization_id,
        columns=(key.label("sort_value"),),
        formulas=formulas,
    )
    # A first page matched through a short formula list fetches and sorts every match
    # anyway (index probes per formula): count them in the same pass.
    window_count = (
        count
        and cursor is None
        and not nullable
        and formulas is not None
        and len(formulas) <= WINDOW_COUNT_FORMULAS
    )
    counted: int | None = None
    phase, value, last_id = decode_cursor(cursor) if cursor else ("v", None, None)
    rows: list[tuple[Material, Any]] = []
    next_cursor: str | None = None
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if phase == "v":
        stmt = base.where(key.is_not(None)) if nullable else base
        if last_id is not None:
            cmp = tuple_(key, Material.id)
            bound = tuple_(literal(_cursor_value(sort, value)), literal(last_id))
            stmt = stmt.where(cmp < bound if descending else cmp > bound)
        if window_count:
            stmt = stmt.add_columns(func.count().over().label("total"))
        got = session.execute(
            stmt.order_by(direction(key), direction(Material.id)).limit(limit + 1)
        ).all()
        if window_count:
            counted = int(got[0][2]) if got else 0
        rows = [(r[0], r[1]) for r in got]
        if len(rows) > limit:
            rows = rows[:limit]
            last, v = rows[-1]
            v = v.isoformat() if isinstance(v, datetime) else v
            next_cursor = encode_cursor(["v", v, last.id])
        elif nullable:
            phase, last_id = "n", None
    if phase == "n" and next_cursor is None:
        remaining = limit - len(rows)
        stmt = base.where(key.is_(None))
        if last_id is not None:
            stmt = stmt.where(Material.id < last_id if descending else Material.id > last_id)
        got = session.execute(stmt.order_by(direction(Material.id)).limit(remaining + 1)).all()
        extra = [(r[0], r[1]) for r in got]
        if len(extra) > remaining:
            extra = extra[:remaining]
            after = extra[-1][0].id if extra else None
            next_cursor = encode_cursor(["n", None, after])
        rows.extend(extra)
    if cursor is None and next_cursor is None:
        total, estimated = len(rows), False  # everything fits on the first page
    elif counted is not None:
        total, estimated = counted, False
    elif count:
        total, estimated = count_matches(session, base)
    else:
        total, estimated = len(rows), False
    return SearchResult(
        rows=rows, total=total, total_is_estimate=estimated, next_cursor=next_cursor
    )


def to_hit(row: Material, sort_value: Any) -> MaterialHit:
    attrs = {c.key: getattr(row, c.key) for c in Material.__mapper__.column_attrs}
    if isinstance(sort_value, datetime):
        sort_value = sort_value.isoformat()
    return MaterialHit.model_validate(
        {**attrs, "is_reference": row.organization_id is None, "sort_value": sort_value}
    )


__all__ = [
    "EXACT_COUNT_LIMIT",
    "SEARCH_PROPERTIES",
    "STABLE_E_HULL",
    "MaterialHit",
    "MaterialQuery",
    "MaterialSearchPage",
    "MaterialSearchParams",
    "PropertySource",
    "SearchResult",
    "SortKey",
    "build_select",
    "count_matches",
    "property_value",
    "search",
    "to_hit",
]
