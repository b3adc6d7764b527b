"""Schemas of the compounds domain: the query string of ``GET /compounds`` and the
compound views (a search hit, and the full page with every reference value).

Example:
    >>> CompoundSearchParams(formula="LiFePO4", **{"band_gap_min": 1.0}).ranges()
    {'band_gap': (1.0, None)}
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, create_model

from matdiscover.domains.predictions.schemas import PredictionRead
from matdiscover.domains.search.schemas import (
    STABLE_E_HULL,
    CrystalSystem,
    ElementFilters,
    PageInfo,
    SearchProperty,
    range_fields,
)

if TYPE_CHECKING:
    CompoundSortKey = str
else:
    CompoundSortKey = Literal[
        "id",
        "reduced_formula",
        "nelements",
        "n_entries",
        "n_structures",
        "relevance",
        SearchProperty,
    ]


class _CompoundFilters(ElementFilters):
    """Compound search criteria, all optional and combined with AND. Property ranges
    (``<property>_min``/``_max``) apply to the compound's reference values (its headline
    value per property), so several ranges select compounds that satisfy all of them."""

    q: str | None = Field(
        default=None, max_length=200, description="Free text: fuzzy formula match"
    )
    formula: str | None = Field(
        default=None,
        max_length=200,
        description="A formula (Fe2O3, reduced before matching); '*' is a wildcard (Li*O4)",
    )
    anonymous_formula: str | None = Field(
        default=None, max_length=50, description="Prototype, e.g. ABO3 or AB2C4"
    )
    space_group_number: int | None = Field(
        default=None, ge=1, le=230, description="One of its known structures has this group"
    )
    crystal_system: CrystalSystem | None = Field(
        default=None, description="One of its known structures is in this crystal system"
    )
    has_structure: bool | None = Field(
        default=None, description="true: only compounds with at least one known structure"
    )
    is_stable: bool | None = Field(
        default=None,
        description=f"Reference energy above hull ≤ {STABLE_E_HULL * 1000:g} meV/atom",
    )


if TYPE_CHECKING:
    CompoundQuery = _CompoundFilters
else:
    CompoundQuery = create_model(
        "CompoundQuery",
        __base__=_CompoundFilters,
        __module__=__name__,
        __doc__=_CompoundFilters.__doc__,
        **range_fields(),
    )


class CompoundSearchParams(CompoundQuery):
    """The query string of ``GET /compounds``: filters, sorting, paging. Unknown
    parameters are rejected (422)."""

    sort: CompoundSortKey = "id"
    order: Literal["asc", "desc"] = "asc"
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=1000)


class SourceLink(BaseModel):
    """A citable id of a source entry and its public page (``null`` when none)."""

    source_id: str
    url: str | None


class CompoundHit(BaseModel):
    """One known compound: its formula, headline reference values and structures."""

    id: int
    reduced_formula: str
    chemical_system: str
    elements: list[str]
    nelements: int
    anonymous_formula: str | None
    properties: dict[str, float] = Field(
        description="Headline reference value per property (unit: the property catalogue's)"
    )
    n_entries: int = Field(description="Reference rows of this formula, over every source")
    n_structures: int = Field(description="Known crystal structures (polymorphs)")
    space_group_numbers: list[int]
    crystal_systems: list[str]
    links: list[SourceLink] = Field(description="Citable ids of its structures, best first")
    sort_value: float | str | None = None


class CompoundSearchPage(PageInfo):
    items: list[CompoundHit]


class ReferenceEntry(BaseModel):
    """One reference row behind a value: the material id (its page) and a readable label
    (``mp-22862`` or ``Matbench mp_e_form, row 75208``)."""

    material_id: int
    label: str
    url: str | None = None


class ReferenceValue(BaseModel):
    """The values of one property in one source table, for one compound."""

    property: str
    display_name: str
    unit: str
    source_database: str
    table: str
    value: float = Field(
        description="Energies: the lowest entry (ground state); others: the median"
    )
    n_entries: int = Field(description="Entries (polymorphs, repeated calculations)")
    min: float
    max: float
    headline: bool = Field(description="This is the compound's headline value")
    entries: list[ReferenceEntry] = Field(description="Up to 5 entries, lowest value first")
    upstream: str
    licence: str


class KnownStructure(BaseModel):
    """A known crystal structure of the compound (a shared material with a structure)."""

    material_id: int
    source_database: str
    source_id: str
    label: str
    url: str | None
    space_group_number: int | None
    space_group_symbol: str | None
    crystal_system: str | None
    nsites: int | None
    properties: dict[str, Any]


class OwnMaterial(BaseModel):
    """One of the caller's materials of this formula, with its latest predictions."""

    id: int
    formula: str
    source: str
    filename: str | None
    space_group_symbol: str | None
    has_structure: bool
    known_match: dict[str, Any] | None
    created_at: datetime
    predictions: list[PredictionRead]


class CompoundDetail(CompoundHit):
    """The compound page: every reference value, its known structures and the caller's
    own materials of the same formula."""

    reference_values: list[ReferenceValue]
    structures: list[KnownStructure]
    own_materials: list[OwnMaterial]
    own_materials_total: int


__all__ = [
    "CompoundDetail",
    "CompoundHit",
    "CompoundQuery",
    "CompoundSearchPage",
    "CompoundSearchParams",
    "CompoundSortKey",
    "KnownStructure",
    "OwnMaterial",
    "ReferenceEntry",
    "ReferenceValue",
    "SourceLink",
]
