"""Structure-based property prediction with the CHGNet universal ML potential.

Curated API:

- :func:`load_chgnet` -- the cached pretrained model (from the wheel, no download).
- :func:`evaluate_structures` -- batched energies, forces, stress, magmoms, features.
- :func:`relax_structure` -- FIRE relaxation with explicit convergence reporting.
- :func:`formation_energy_per_atom` -- CHGNet energy → formation energy (MP legacy convention).
- :func:`predict_structure_properties` -- formation energy and energy above hull with σ.
"""

from matdiscover.science.models.chgnet_path._model import (
    CHGNET_MODEL_NAME,
    UNTRAINED_ELEMENTS,
    chgnet_version,
    load_chgnet,
)
from matdiscover.science.models.chgnet_path.evaluate import (
    StructureEnergy,
    check_structure,
    evaluate_structures,
)
from matdiscover.science.models.chgnet_path.predict import (
    LARGE_CELL_SITES,
    predict_structure_properties,
)
from matdiscover.science.models.chgnet_path.references import (
    ChgnetReferences,
    ElementReference,
    formation_energy_per_atom,
    formation_energy_sigma,
    load_references,
    missing_references,
)
from matdiscover.science.models.chgnet_path.relax import RelaxationResult, relax_structure

__all__ = [
    "CHGNET_MODEL_NAME",
    "LARGE_CELL_SITES",
    "UNTRAINED_ELEMENTS",
    "ChgnetReferences",
    "ElementReference",
    "RelaxationResult",
    "StructureEnergy",
    "check_structure",
    "chgnet_version",
    "evaluate_structures",
    "formation_energy_per_atom",
    "formation_energy_sigma",
    "load_chgnet",
    "load_references",
    "missing_references",
    "predict_structure_properties",
    "relax_structure",
]
