"""The structure-model tiers and one place to select among them.

=============  =====================================================================
name           tier
=============  =====================================================================
``chgnet``     fast: CHGNet 0.3.0 (also the source of similarity embeddings)
``7net-0``     default: SevenNet-0 (11 Jul 2024), σ from the 7net committee
``7net-l3i5``  accurate: SevenNet-l3i5, σ from the 7net committee
=============  =====================================================================

The science core reads no configuration: ``None`` means :data:`DEFAULT_STRUCTURE_MODEL`;
the platform passes its ``MATDISCOVER_STRUCTURE_MODEL`` setting down explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymatgen.core import Structure

from matdiscover.errors import InvalidInput
from matdiscover.science.models.chgnet_path.relax import RelaxationResult
from matdiscover.science.models.types import PropertyPrediction

#: Selectable structure models, fastest first.
STRUCTURE_MODELS: tuple[str, ...] = ("chgnet", "7net-0", "7net-l3i5")
#: Default structure model when nothing is configured.
DEFAULT_STRUCTURE_MODEL = "7net-0"


def check_structure_model(name: str | None) -> str:
    """The canonical tier name for ``name`` (``None`` → :data:`DEFAULT_STRUCTURE_MODEL`).

    Raises:
        InvalidInput: Unknown name; the message lists the allowed names.

    Example:
        >>> check_structure_model("7NET-L3I5")
        '7net-l3i5'
    """
    if name is None:
        name = DEFAULT_STRUCTURE_MODEL
    key = name.strip().lower()
    if key not in STRUCTURE_MODELS:
        raise InvalidInput(
            f"unknown structure model {name!r}; choose one of {', '.join(STRUCTURE_MODELS)}"
        )
    return key


def predict_structure_properties(
    structures: Sequence[Structure], *, model: str | None = None, relax: bool = False
) -> list[list[PropertyPrediction]]:
    """``[formation_energy, energy_above_hull]`` per structure from the selected tier."""
    name = check_structure_model(model)
    if name == "chgnet":
        from matdiscover.science.models.chgnet_path import predict_structure_properties as chg

        return chg(structures, relax=relax)
    from matdiscover.science.models.sevennet_path import predict_structure_properties as sev

    return sev(structures, model=name, relax=relax)


def relax_with(structure: Structure, model: str | None = None) -> RelaxationResult:
    """Relax ``structure`` with the selected tier (a ``RelaxationResult``)."""
    name = check_structure_model(model)
    if name == "chgnet":
        from matdiscover.science.models.chgnet_path import relax_structure

        return relax_structure(structure)
    from matdiscover.science.models.sevennet_path import relax_structure as relax7

    return relax7(structure, name)
