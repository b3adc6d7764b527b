"""Shipped crystal structures of known compounds (``data/reference/known_structures.parquet``).

One row per structure, built by ``scripts/build_known_structures.py`` (provenance in
``data/PROVENANCE.md``) from three sources:

- ``materials_project``: 6,317 Materials Project entries (mp-ids) with their structures
  and the properties of the four matminer 0.4.2 tables they appear in (CC BY 4.0);
- ``aflow_prototypes``: the 288 AFLOW prototype structures shipped in pymatgen (labelled
  prototypes, not database entries, no properties);
- ``ase_dcdft``: the elemental crystals of the Delta test as shipped in ASE.

Property keys and units: ``formation_energy`` (eV/atom), ``energy_above_hull`` (eV/atom),
``bulk_modulus`` and ``shear_modulus`` (VRH, GPa), ``band_gap`` (eV, PBE),
``refractive_index`` (dimensionless), ``dielectric_constant`` (polycrystalline total,
dimensionless), ``piezoelectric_modulus`` (largest eij, C/m²).

Example:
    >>> entry = next(e for e in known_structure_entries() if e.source_id == "mp-22862")
    >>> entry.reduced_formula, entry.space_group_number, entry.anonymous_formula
    ('NaCl', 225, 'AB')
    >>> source_url(entry.source_database, entry.source_id)
    'https://next-gen.materialsproject.org/materials/mp-22862'
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.reference_data import data_dir

__all__ = [
    "CITATIONS",
    "COLUMNS",
    "EMBEDDING_DIM",
    "KNOWN_STRUCTURES_TABLE",
    "LICENCES",
    "MP_TABLES",
    "KnownStructure",
    "compact_structure_dict",
    "known_structure_entries",
    "known_structures_path",
    "known_structures_sha256",
    "load_known_structures",
    "source_url",
]

KNOWN_STRUCTURES_TABLE = "known_structures"
"""Stem of the Parquet file under ``data/reference/``."""

EMBEDDING_DIM = 64
"""Length of ``structure_embedding`` (CHGNet crystal features)."""

MP_TABLES = ("flla_2015", "elastic_tensor", "dielectric_constant", "piezoelectric_tensor")
"""The matminer 0.4.2 tables of Materials Project data, in merge order."""

COLUMNS = (
    "source_database",
    "source_id",
    "source_tables",
    "label",
    "formula",
    "reduced_formula",
    "nsites",
    "space_group_number",
    "space_group_symbol",
    "crystal_system",
    "structure",
    "properties",
    "structure_embedding",
)
"""Columns of the table, in order."""

_JAIN_2013 = (
    "A. Jain, S. P. Ong, G. Hautier, W. Chen, W. D. Richards, S. Dacek, S. Cholia, "
    "D. Gunter, D. Skinner, G. Ceder & K. A. Persson, Commentary: The Materials Project: "
    "A materials genome approach to accelerating materials innovation, APL Mater. 1, "
    "011002 (2013)."
)

CITATIONS: dict[str, str] = {
    "flla_2015": (
        "F. Faber, A. Lindmaa, O.A. von Lilienfeld, R. Armiento, Crystal structure "
        "representations for machine learning models of formation energies, Int. J. Quantum "
        "Chem. 115 (2015) 1094–1101. doi:10.1002/qua.24917."
    ),
    "elastic_tensor": (
        "Jong, M. De, Chen, W., Angsten, T., Jain, A., Notestine, R., Gamst, A., Sluiter, "
        "M., Ande, C. K., Zwaag, S. Van Der, Plata, J. J., Toher, C., Curtarolo, S., Ceder, "
        "G., Persson, K. a & Asta, M. Charting the complete elastic properties of inorganic "
        "crystalline compounds. Sci. Data 2, 150009 (2015)."
    ),
    "dielectric_constant": (
        "Petousis, I., Mrdjenovich, D., Ballouz, E., Liu, M., Winston, D., Chen, W., Graf, "
        "T., Schladt, T. D., Persson, K. A. & Prinz, F. B. High-throughput screening of "
        "inorganic compounds for the discovery of novel dielectric and optical materials. "
        "Sci. Data 4, 160134 (2016)."
    ),
    "piezoelectric_tensor": (
        "de Jong, M., Chen, W., Geerlings, H., Asta, M. & Persson, K. A. A database to "
        "enable discovery and design of piezoelectric materials. Sci. Data 2, 150053 (2015)."
    ),
    "materials_project": _JAIN_2013,
    "aflow_prototypes": (
        "M. J. Mehl, D. Hicks, C. Toher, O. Levy, R. M. Hanson, G. Hart & S. Curtarolo, "
        "The AFLOW Library of Crystallographic Prototypes: Part 1, Comput. Mater. Sci. 136, "
        "S1-S828 (2017)."
    ),
    "dcdft": (
        "K. Lejaeghere et al., Reproducibility in density functional theory calculations of "
        "solids, Science 351, aad3000 (2016)."
    ),
}
"""Citation per source table stem (the four matminer ``# ref:`` lines verbatim), plus
``materials_project`` (Jain et al. 2013, to cite with every MP table)."""

LICENCES: dict[str, str] = {
    "materials_project": "CC BY 4.0 (Materials Project data)",
    "aflow_prototypes": (
        "from the AFLOW Library of Crystallographic Prototypes (Mehl et al., Comput. Mater. "
        "Sci. 136, S1 (2017)) as distributed in pymatgen (MIT)"
    ),
    "ase_dcdft": "distributed with ASE (LGPL-2.1+)",
}
"""Licence statement per ``source_database``."""

_MP_URL = "https://next-gen.materialsproject.org/materials/"
_AFLOW_URL = "https://aflow.org/prototype-encyclopedia/"


def source_url(source_database: str, source_id: str) -> str | None:
    """Public web page of an entry, or ``None`` if there is none to link reliably.

    Materials Project ids link to the MP website; an AFLOW prototype links to its page in
    the AFLOW prototype encyclopedia when its label is unambiguous (labels shared by
    several prototypes carry a ``.<formula>`` suffix here and get ``None``); the Delta-test
    elemental crystals have no page.

    Example:
        >>> source_url("aflow_prototypes", "AB_cF8_225_a_b")
        'https://aflow.org/prototype-encyclopedia/AB_cF8_225_a_b.html'
        >>> source_url("ase_dcdft", "dcdft:Fe") is None
        True
    """
    if source_database == "materials_project" and source_id.startswith("mp-"):
        return _MP_URL + source_id
    if source_database == "aflow_prototypes" and source_id and "." not in source_id:
        return f"{_AFLOW_URL}{source_id}.html"
    return None


@dataclass(frozen=True)
class KnownStructure:
    """One shipped structure of a known compound.

    Attributes:
        source_database: ``"materials_project"``, ``"aflow_prototypes"`` or ``"ase_dcdft"``.
        source_id: citable id, unique in the table (``"mp-19770"``, ``"AB_cF8_225_a_b"``,
            ``"dcdft:Fe"``).
        source_tables: origin table stems (keys of :data:`CITATIONS`).
        label: human label (``""`` for Materials Project entries).
        formula: ``Composition.formula`` of the cell; reduced_formula: reduced formula.
        elements: element symbols, sorted.
        anonymous_formula: prototype formula such as ``"AB"``.
        nsites: sites in the cell.
        space_group_number, space_group_symbol, crystal_system: symmetry at the platform's
            default tolerance (0.1 Å), ``None`` if spglib failed.
        structure: ``pymatgen.core.Structure.as_dict()`` form (compacted, lattice and
            fractional coordinates rounded to 1e-6).
        properties: property key → value (units in the module docstring).
        structure_embedding: CHGNet crystal features (64 floats), ``None`` where CHGNet
            cannot run.
    """

    source_database: str
    source_id: str
    source_tables: tuple[str, ...]
    label: str
    formula: str
    reduced_formula: str
    elements: tuple[str, ...]
    anonymous_formula: str
    nsites: int
    space_group_number: int | None
    space_group_symbol: str | None
    crystal_system: str | None
    structure: dict[str, Any]
    properties: dict[str, float]
    structure_embedding: tuple[float, ...] | None


def known_structures_path(*, root: Path | str | None = None) -> Path:
    """Path of the shipped Parquet file (``<data>/reference/known_structures.parquet``)."""
    return data_dir(root) / "reference" / f"{KNOWN_STRUCTURES_TABLE}.parquet"


def known_structures_sha256(*, root: Path | str | None = None) -> str:
    """SHA-256 of the shipped file (identifies the data version)."""
    return hashlib.sha256(known_structures_path(root=root).read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def load_known_structures(*, root: Path | str | None = None) -> pd.DataFrame:
    """The table as a DataFrame (a fresh copy), columns :data:`COLUMNS`.

    ``structure`` and ``properties`` are JSON strings; ``structure_embedding`` holds a
    float32 array or ``None``.

    Example:
        >>> df = load_known_structures()
        >>> tuple(df.columns) == COLUMNS
        True
    """
    return _read(known_structures_path(root=root).resolve()).copy()


def _optional_int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _optional_str(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def known_structure_entries(*, root: Path | str | None = None) -> Iterator[KnownStructure]:
    """Every shipped structure as a :class:`KnownStructure`, in table order (sorted by
    source database and id)."""
    df = load_known_structures(root=root)
    for row in df.itertuples(index=False):
        structure = json.loads(row.structure)
        elements = sorted({sp["element"] for site in structure["sites"] for sp in site["species"]})
        embedding = row.structure_embedding
        yield KnownStructure(
            source_database=row.source_database,
            source_id=row.source_id,
            source_tables=tuple(row.source_tables.split(",")),
            label=row.label,
            formula=row.formula,
            reduced_formula=row.reduced_formula,
            elements=tuple(elements),
            anonymous_formula=anonymous_formula(row.formula),
            nsites=int(row.nsites),
            space_group_number=_optional_int(row.space_group_number),
            space_group_symbol=_optional_str(row.space_group_symbol),
            crystal_system=_optional_str(row.crystal_system),
            structure=structure,
            properties={k: float(v) for k, v in json.loads(row.properties).items()},
            structure_embedding=None if embedding is None else tuple(float(x) for x in embedding),
        )


def _round(value: float) -> float:
    return round(float(value), 6) + 0.0  # + 0.0 turns -0.0 into 0.0


def compact_structure_dict(structure_dict: dict[str, Any]) -> dict[str, Any]:
    """Shrink a ``Structure.as_dict()`` for storage; the result round-trips through
    ``Structure.from_dict``.

    Keeps the lattice matrix and fractional coordinates (rounded to 1e-6 Å / 1e-6),
    species and non-default labels, site properties that are not empty, the charge if
    non-zero and ``pbc`` if not fully periodic; drops Cartesian coordinates and derived
    lattice parameters.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> d = compact_structure_dict(s.as_dict())
        >>> sorted(d["sites"][1])
        ['abc', 'species']
        >>> Structure.from_dict(d) == s
        True
    """
    lattice = structure_dict["lattice"]
    out: dict[str, Any] = {
        "@module": structure_dict.get("@module", "pymatgen.core.structure"),
        "@class": structure_dict.get("@class", "Structure"),
        "lattice": {"matrix": [[_round(x) for x in row] for row in lattice["matrix"]]},
    }
    pbc = lattice.get("pbc", (True, True, True))
    if not all(pbc):
        out["lattice"]["pbc"] = list(pbc)
    charge = structure_dict.get("charge")
    if charge:
        out["charge"] = charge
    if structure_dict.get("properties"):
        out["properties"] = structure_dict["properties"]
    sites = []
    for site in structure_dict["sites"]:
        species = [{"element": sp["element"], "occu": sp["occu"]} for sp in site["species"]]
        for sp, orig in zip(species, site["species"], strict=True):
            if orig.get("oxidation_state") is not None:
                sp["oxidation_state"] = orig["oxidation_state"]
        compact: dict[str, Any] = {"species": species, "abc": [_round(x) for x in site["abc"]]}
        default_label = species[0]["element"] if len(species) == 1 else None
        if site.get("label") is not None and site["label"] != default_label:
            compact["label"] = site["label"]
        if site.get("properties"):
            compact["properties"] = site["properties"]
        sites.append(compact)
    out["sites"] = sites
    return out
