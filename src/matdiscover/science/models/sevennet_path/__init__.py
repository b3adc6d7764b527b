"""Structure-based property prediction with the SevenNet universal ML potentials.

The checkpoints bundled in the ``sevenn`` wheel are the only ones used: ``7net-0`` (default
structure tier) and ``7net-l3i5`` (accurate tier); other names are refused, never downloaded.

Curated API:

- :func:`load_sevennet` -- the cached ASE calculator of a bundled checkpoint.
- :func:`evaluate_energies` -- raw single-point energies (eV/atom, uncorrected).
- :func:`relax_structure` -- FIRE relaxation with explicit convergence reporting.
- :func:`formation_energy_per_atom` -- raw energy → formation energy (MP legacy convention).
- :func:`predict_structure_properties` -- formation energy and energy above hull with σ.
"""

from matdiscover.science.models.sevennet_path._model import (
    BUNDLED_CHECKPOINTS,
    canonical_checkpoint_name,
    load_sevennet,
    resolve_checkpoint,
    sevenn_version,
    supported_elements,
)
from matdiscover.science.models.sevennet_path.evaluate import check_structure, evaluate_energies
from matdiscover.science.models.sevennet_path.predict import (
    predict_structure_properties,
    sevennet_model_name,
)
from matdiscover.science.models.sevennet_path.references import (
    SevennetReferences,
    calibrated_sigma,
    formation_energy_per_atom,
    load_sevennet_references,
)
from matdiscover.science.models.sevennet_path.relax import relax_structure

__all__ = [
    "BUNDLED_CHECKPOINTS",
    "SevennetReferences",
    "calibrated_sigma",
    "canonical_checkpoint_name",
    "check_structure",
    "evaluate_energies",
    "formation_energy_per_atom",
    "load_sevennet",
    "load_sevennet_references",
    "predict_structure_properties",
    "relax_structure",
    "resolve_checkpoint",
    "sevenn_version",
    "sevennet_model_name",
    "supported_elements",
]
