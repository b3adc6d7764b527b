"""Schemas of materials search: the query model (what to find) and the result models.

:class:`MaterialQuery` holds the filters, all optional and combined with AND;
:class:`MaterialSearchParams` adds sorting and paging and is the query string of
``GET /materials``. Both reject unknown parameters, naming the closest known one, so a
misspelt filter (``bandgap_min``) fails instead of silently matching everything.
:class:`MaterialSearchPage` (of :class:`MaterialHit` items) is the answer.

The ``Literal`` aliases (:data:`SearchProperty`, :data:`PropertySource`,
:data:`SortKey`, :data:`CrystalSystem`) are the allowed values of the matching fields.
The searchable properties, their ``<property>_min``/``_max`` bounds and the bounds' units
come from the property catalogue (``matdiscover.science.properties``).

Example:
    >>> params = MaterialSearchParams(elements=["Fe", "O"], sort="density", limit=10)
    >>> params.filters().elements, params.filters().ranges()
    (['Fe', 'O'], {})
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from matdiscover.domains.materials.schemas import MaterialRead
from matdiscover.domains.search.paging import COUNT_TIMEOUT_MS, EXACT_COUNT_LIMIT
from matdiscover.science.properties import CATALOGUE, PROPERTY_NAMES

#: The searchable properties: every catalogued one, in catalogue order.
SEARCH_PROPERTIES: tuple[str, ...] = PROPERTY_NAMES
PropertySource = Literal["reference", "predicted", "any"]
if TYPE_CHECKING:  # built from the catalogue at run time; plain strings to mypy
    SearchProperty = str
    SortKey = str
else:
    SearchProperty = Literal[SEARCH_PROPERTIES]
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
        SearchProperty,
    ]
CrystalSystem = Literal[
    "triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"
]

#: Energy above hull (eV/atom) at or below which an entry counts as stable.
STABLE_E_HULL = 1e-3


class StrictQuery(BaseModel):
    """A query-string model that rejects unknown parameters, naming the closest known one
    (``Unknown parameter 'bandgap_min'; did you mean 'band_gap_min'?``)."""

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


class ElementFilters(StrictQuery):
    """Filters shared by materials and compound search: which elements, how many, and
    the ``<property>_min``/``_max`` ranges (added per catalogued property by the
    concrete query models, see :func:`range_fields`)."""

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

    def ranges(self) -> dict[str, tuple[float | None, float | None]]:
        """Property → (min, max) for the properties with a bound."""
        out = {}
        for prop in SEARCH_PROPERTIES:
            lo, hi = getattr(self, f"{prop}_min"), getattr(self, f"{prop}_max")
            if lo is not None or hi is not None:
                out[prop] = (lo, hi)
        return out


class _Filters(ElementFilters):
    """Search criteria, all optional and combined with AND (the catalogue adds a
    ``<property>_min``/``_max`` pair per property, see :data:`MaterialQuery`).

    Example:
        >>> MaterialQuery(chemical_system="Li-Fe-*", **{"band_gap_min": 1.0}).ranges()
        {'band_gap': (1.0, None)}
    """

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
    space_group_number: int | None = Field(default=None, ge=1, le=230)
    crystal_system: CrystalSystem | None = None
    source: Literal["upload", "reference", "batch"] | None = None
    source_database: (
        Literal[
            "materials_project",
            "aflow",
            "oqmd",
            "experimental",
            "aflow_prototypes",
            "ase_dcdft",
        ]
        | None
    ) = None
    include_reference: bool = True
    property_source: PropertySource = Field(
        default="reference", description="Where property values come from"
    )
    is_stable: bool | None = Field(
        default=None, description=f"Energy above hull ≤ {STABLE_E_HULL * 1000:g} meV/atom"
    )


def range_fields() -> dict[str, Any]:
    """``<property>_min`` and ``_max`` for every catalogued property (unit as description)."""
    return {
        f"{info.key.value}_{end}": (float | None, Field(default=None, description=info.unit))
        for info in CATALOGUE.values()
        for end in ("min", "max")
    }


if TYPE_CHECKING:
    MaterialQuery = _Filters
else:
    MaterialQuery = create_model(
        "MaterialQuery",
        __base__=_Filters,
        __module__=__name__,
        __doc__=_Filters.__doc__,
        **range_fields(),
    )


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


class PageInfo(BaseModel):
    """The paging part of a search answer (the items are the subclass's)."""

    total: int
    total_is_estimate: bool = Field(
        description=f"True when total is the planner's estimate: more than "
        f"{EXACT_COUNT_LIMIT:,} matches, or too slow to count ({COUNT_TIMEOUT_MS} ms)"
    )
    next_cursor: str | None


class MaterialSearchPage(PageInfo):
    items: list[MaterialHit]


__all__ = [
    "SEARCH_PROPERTIES",
    "STABLE_E_HULL",
    "CrystalSystem",
    "MaterialHit",
    "MaterialQuery",
    "MaterialSearchPage",
    "MaterialSearchParams",
    "PageInfo",
    "PropertySource",
    "SearchProperty",
    "SortKey",
    "ElementFilters",
    "StrictQuery",
    "range_fields",
]
