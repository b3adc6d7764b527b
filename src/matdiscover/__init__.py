"""MatDiscover: self-hostable AI-assisted materials discovery.

Two calls to value (the heavy science modules are imported on first use, so
``import matdiscover`` stays fast)::

    >>> import matdiscover
    >>> report = matdiscover.predict("Fe2O3", properties=["formation_energy"])
    >>> report.predictions[0].unit
    'eV/atom'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymatgen.core import Composition, Structure

    from matdiscover.science.predict import PredictionReport

__version__ = "0.1.0"

__all__ = ["__version__", "load_model", "predict"]


def predict(
    obj: Structure | Composition | str | Path,
    properties: Sequence[str] | None = None,
    relax: bool = False,
    model: str | None = None,
) -> PredictionReport:
    """Predict properties of a structure, composition, formula or structure file.

    Args:
        obj: a pymatgen ``Structure`` or ``Composition``, a formula such as ``"Fe2O3"``, or
            a path to a CIF/POSCAR/XYZ/JSON file.
        properties: any of ``formation_energy``, ``band_gap``, ``bulk_modulus``,
            ``shear_modulus``, ``debye_temperature``, ``energy_above_hull``; all when
            ``None``.
        relax: relax a structure with the structure model first.
        model: structure model for structures: ``"chgnet"`` (fast), ``"7net-0"`` (default)
            or ``"7net-l3i5"`` (accurate).

    Returns:
        A :class:`~matdiscover.science.predict.PredictionReport` (``predictions``: one
        ``PropertyPrediction`` per property with value, unit, std, 95 % interval, method,
        model name and version).

    Raises:
        matdiscover.errors.InvalidInput: unknown property or model, unreadable input.
    """
    from matdiscover.science.predict import predict as _predict

    return _predict(obj, properties=properties, relax=relax, model=model)


def load_model(name: str) -> Any:
    """A loaded, cached model by name.

    ``"chgnet"`` → the CHGNet model; ``"7net-0"`` / ``"7net-l3i5"`` → the SevenNet ASE
    calculator (bundled checkpoints only, never downloaded); a property name such as
    ``"band_gap"`` → its composition model, except ``"energy_above_hull"`` → the
    :class:`~matdiscover.science.models.composition.HullRoute` (energy above the
    reference hull of the predicted formation energy: one definition, no separate model).

    Raises:
        matdiscover.errors.InvalidInput: unknown name (the message lists the names).
    """
    from matdiscover.errors import InvalidInput
    from matdiscover.science.models.structure_models import STRUCTURE_MODELS
    from matdiscover.science.properties import PROPERTY_NAMES

    key = name.strip().lower()
    if key == "chgnet":
        from matdiscover.science.models.chgnet_path import load_chgnet

        return load_chgnet()
    if key in STRUCTURE_MODELS:
        from matdiscover.science.models.sevennet_path import load_sevennet

        return load_sevennet(key)
    if key == "energy_above_hull":  # not a model: the hull of the predicted E_form
        from matdiscover.science.models.composition import load_hull_route

        return load_hull_route()
    if key in PROPERTY_NAMES:
        from matdiscover.science.models.composition import load_composition_model

        return load_composition_model(key)
    raise InvalidInput(
        f"unknown model {name!r}; choose a structure model ({', '.join(STRUCTURE_MODELS)}) "
        f"or a composition property ({', '.join(PROPERTY_NAMES)})"
    )
