"""The OPTIMADE properties we serve, each read by a SQL expression over ``materials m``
(structures) or the ``refs`` rows of our citations (references)."""

from __future__ import annotations

from dataclasses import dataclass

from matdiscover.science.interop.optimade_filter import Field
from matdiscover.science.properties import PROPERTY_NAMES, property_info

PROVIDER_PREFIX = "matdiscover"
#: shipped Materials Project rows keep their citable id; every other entry is ours
ID_SQL = (
    "(CASE WHEN m.organization_id IS NULL AND m.source_database = 'materials_project' "
    "AND m.source_id IS NOT NULL THEN m.source_id ELSE 'matdiscover-' || m.id::text END)"
)
FEATURES_SQL = (
    "(CASE WHEN m.is_ordered THEN ARRAY[]::varchar[] ELSE ARRAY['disorder']::varchar[] END)"
)


@dataclass(frozen=True)
class Served:
    """One property of ``/info/<entries>``: how it is filtered, described and sorted."""

    field: Field
    description: str
    unit: str | None = None
    sortable: bool = True


def _f(kind: str, sql: str, description: str, **kw: object) -> Served:
    length = kw.pop("length_sql", None)
    return Served(Field(kind, sql, length_sql=length), description, **kw)  # type: ignore[arg-type]


STRUCTURE_FIELDS: dict[str, Served] = {
    "id": _f("string", ID_SQL, "mp-<n> for shipped Materials Project rows, else matdiscover-<n>"),
    "type": _f("string", "'structures'", "The entry type", sortable=False),
    "last_modified": _f("timestamp", "m.updated_at", "When the entry last changed"),
    "elements": _f(
        "string_list",
        "m.elements",
        "Element symbols, sorted",
        length_sql="m.nelements",
        sortable=False,
    ),
    "nelements": _f("integer", "m.nelements", "Number of distinct elements"),
    "elements_ratios": _f("opaque", "NULL", "Fractions of the elements", sortable=False),
    "chemical_formula_descriptive": _f(
        "string", "replace(m.formula, ' ', '')", "The formula of the cell"
    ),
    "chemical_formula_reduced": _f(
        "string",
        "matdiscover_optimade_formula(m.formula, false)",
        "Reduced formula, elements in alphabetical order",
    ),
    "chemical_formula_anonymous": _f(
        "string", "matdiscover_optimade_formula(m.formula, true)", "Anonymous formula (A2B)"
    ),
    "dimension_types": _f("opaque", "NULL", "Periodicity of the cell vectors", sortable=False),
    "nperiodic_dimensions": _f("integer", "3", "Number of periodic dimensions", sortable=False),
    "lattice_vectors": _f("opaque", "NULL", "Cell vectors", unit="Å", sortable=False),
    "space_group_it_number": _f(
        "integer", "m.space_group_number", "International Tables space group number"
    ),
    "cartesian_site_positions": _f(
        "opaque", "NULL", "Cartesian site positions", unit="Å", sortable=False
    ),
    "nsites": _f("integer", "m.nsites", "Number of sites in the cell"),
    "species": _f("opaque", "NULL", "The species at the sites", sortable=False),
    "species_at_sites": _f("opaque", "NULL", "Species name of each site", sortable=False),
    "structure_features": _f(
        "string_list",
        FEATURES_SQL,
        "disorder for partially occupied sites",
        sortable=False,
        length_sql="(CASE WHEN m.is_ordered THEN 0 ELSE 1 END)",
    ),
    f"_{PROVIDER_PREFIX}_source": _f(
        "string", "m.source", "reference (shipped with MatDiscover), upload or import"
    ),
    f"_{PROVIDER_PREFIX}_source_database": _f(
        "string", "m.source_database", "Where the structure comes from"
    ),
    f"_{PROVIDER_PREFIX}_source_id": _f("string", "m.source_id", "Its id there"),
    f"_{PROVIDER_PREFIX}_crystal_system": _f("string", "m.crystal_system", "Crystal system"),
    f"_{PROVIDER_PREFIX}_space_group_symbol": _f(
        "string", "m.space_group_symbol", "Hermann-Mauguin symbol (spglib)"
    ),
    f"_{PROVIDER_PREFIX}_density": _f("float", "m.density", "Density", unit="g/cm^3"),
    f"_{PROVIDER_PREFIX}_volume": _f("float", "m.volume", "Cell volume", unit="Å^3"),
}
for _prop in PROPERTY_NAMES:
    _info = property_info(_prop)
    STRUCTURE_FIELDS[f"_{PROVIDER_PREFIX}_{_prop}"] = _f(
        "opaque",
        "NULL",
        f"Latest MatDiscover prediction: {_info.display_name}",
        unit=_info.unit,
        sortable=False,
    )
    STRUCTURE_FIELDS[f"_{PROVIDER_PREFIX}_{_prop}_sigma"] = _f(
        "opaque",
        "NULL",
        "Uncertainty (1 sigma) of that prediction",
        unit=_info.unit,
        sortable=False,
    )

#: standard structure properties we never have a value for (unknown for every entry)
STRUCTURE_UNSUPPORTED = frozenset(
    {
        "immutable_id",
        "chemical_formula_hill",
        "space_group_symmetry_operations_xyz",
        "space_group_symbol_hall",
        "space_group_symbol_hermann_mauguin",
        "space_group_symbol_hermann_mauguin_extended",
        "assemblies",
        "cartesian_site_positions_fractional",
    }
)

REFERENCE_FIELDS: dict[str, Served] = {
    "id": _f("string", "r.id", "Reference id"),
    "type": _f("string", "'references'", "The entry type", sortable=False),
    "last_modified": _f("timestamp", "r.last_modified", "When the entry last changed"),
    "bib_type": _f("string", "r.bib_type", "BibTeX entry type"),
    "title": _f("string", "r.title", "Title"),
    "journal": _f("string", "r.journal", "Journal"),
    "volume": _f("string", "r.volume", "Volume"),
    "pages": _f("string", "r.pages", "Pages"),
    "year": _f("string", "r.year", "Year"),
    "doi": _f("string", "r.doi", "DOI"),
    "authors": _f("opaque", "NULL", "Authors", sortable=False),
}
REFERENCE_UNSUPPORTED = frozenset(
    {
        "immutable_id",
        "address",
        "annote",
        "booktitle",
        "chapter",
        "crossref",
        "edition",
        "howpublished",
        "institution",
        "key",
        "month",
        "note",
        "number",
        "organization",
        "publisher",
        "school",
        "series",
        "url",
        "editors",
    }
)


def filter_fields(served: dict[str, Served]) -> dict[str, Field]:
    return {name: s.field for name, s in served.items()}
