"""The property catalogue: the one place where predicted properties are named.

Every layer derives from it: the composition model specs, the structure path, search
columns and indexes, the API schemas (and so, through OpenAPI and ``GET
/api/v1/properties``, the web UI) and the CLI. Adding a property means one entry here
plus a model that predicts it.

    >>> CATALOGUE[PropertyName.band_gap].unit
    'eV'
    >>> [p.value for p in PropertyName][:2]
    ['formation_energy', 'band_gap']
    >>> sorted(structure_properties())
    ['energy_above_hull', 'formation_energy']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = [
    "CATALOGUE",
    "PROPERTY_NAMES",
    "Method",
    "PropertyInfo",
    "PropertyName",
    "property_info",
    "structure_properties",
]

Method = Literal["composition", "structure"]


class PropertyName(StrEnum):
    """Key of a predicted property (the value is what the API and the database store)."""

    formation_energy = "formation_energy"
    band_gap = "band_gap"
    bulk_modulus = "bulk_modulus"
    shear_modulus = "shear_modulus"
    debye_temperature = "debye_temperature"
    energy_above_hull = "energy_above_hull"


@dataclass(frozen=True)
class PropertyInfo:
    """What a property is and how it can be predicted.

    Attributes:
        key: the property's key.
        display_name: name for people ("Band gap").
        unit: unit of every stored and reported value.
        description: one line for cards, tooltips and ``--help``.
        methods: which prediction paths can produce it: ``"composition"`` (any formula)
            and/or ``"structure"`` (needs a crystal structure).
    """

    key: PropertyName
    display_name: str
    unit: str
    description: str
    methods: tuple[Method, ...]


_BOTH: tuple[Method, ...] = ("composition", "structure")
_COMPOSITION: tuple[Method, ...] = ("composition",)

CATALOGUE: dict[PropertyName, PropertyInfo] = {
    info.key: info
    for info in (
        PropertyInfo(
            PropertyName.formation_energy,
            "Formation energy",
            "eV/atom",
            "Energy of formation from the elements, per atom",
            _BOTH,
        ),
        PropertyInfo(
            PropertyName.band_gap,
            "Band gap",
            "eV",
            "Electronic band gap (DFT, PBE)",
            _COMPOSITION,
        ),
        PropertyInfo(
            PropertyName.bulk_modulus,
            "Bulk modulus",
            "GPa",
            "Voigt-Reuss-Hill bulk modulus",
            _COMPOSITION,
        ),
        PropertyInfo(
            PropertyName.shear_modulus,
            "Shear modulus",
            "GPa",
            "Voigt-Reuss-Hill shear modulus",
            _COMPOSITION,
        ),
        PropertyInfo(
            PropertyName.debye_temperature,
            "Debye temperature",
            "K",
            "Debye temperature (AFLOW AEL-AGL model)",
            _COMPOSITION,
        ),
        PropertyInfo(
            PropertyName.energy_above_hull,
            "Energy above hull",
            "eV/atom",
            "Energy above the convex hull of known phases (0 = stable)",
            _BOTH,
        ),
    )
}

#: Every property key, in catalogue order.
PROPERTY_NAMES: tuple[str, ...] = tuple(p.value for p in PropertyName)


def property_info(name: str) -> PropertyInfo:
    """The catalogue entry of ``name``; ``KeyError`` naming the known keys otherwise.

    >>> property_info("bulk_modulus").display_name
    'Bulk modulus'
    """
    try:
        return CATALOGUE[PropertyName(name)]
    except ValueError:
        raise KeyError(f"unknown property {name!r}; known: {list(PROPERTY_NAMES)}") from None


def structure_properties() -> frozenset[str]:
    """Keys of the properties the structure path can predict."""
    return frozenset(k.value for k, info in CATALOGUE.items() if "structure" in info.methods)
