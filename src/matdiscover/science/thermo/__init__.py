"""Thermodynamic stability: convex hulls of formation energy and energy above hull.

Curated API: :func:`stability` (the one energy above hull of a material, against
:func:`reference_hull`; :func:`stability_many` for batches), :class:`ReferenceHull`,
:func:`energy_above_hull`, :func:`phase_diagram` and their result types. All energies
are formation energies in eV/atom in the convention of the reference table (MP legacy
corrections for the bundled ``mp_e_form``).
"""

from matdiscover.science.thermo.hull import (
    HULL_DATASET,
    MAX_COMPONENTS,
    MP_LEGACY_CONVENTION,
    HullPlacement,
    HullProvenance,
    HullResult,
    PhaseDiagramResult,
    ReferenceHull,
    energy_above_hull,
    phase_diagram,
    reference_hull,
    stability,
    stability_many,
)

__all__ = [
    "HULL_DATASET",
    "MAX_COMPONENTS",
    "MP_LEGACY_CONVENTION",
    "HullPlacement",
    "HullProvenance",
    "HullResult",
    "PhaseDiagramResult",
    "ReferenceHull",
    "energy_above_hull",
    "phase_diagram",
    "reference_hull",
    "stability",
    "stability_many",
]
