"""Composition-only property models: calibrated LightGBM ensembles on Magpie features.

Two calls to value::

    >>> from matdiscover.science.models.composition import predict_composition
    >>> [p.unit for p in predict_composition("Fe2O3", properties=["formation_energy"])]
    ['eV/atom']

Properties (:data:`PROPERTIES`): ``formation_energy`` (eV/atom), ``band_gap`` (eV),
``bulk_modulus`` (GPa), ``shear_modulus`` (GPa), ``debye_temperature`` (K),
``energy_above_hull`` (eV/atom). Artifacts live in ``<repo>/data/models/composition``.
"""

from __future__ import annotations

from matdiscover.science.models.composition.api import predict_composition, predict_compositions
from matdiscover.science.models.composition.card import ModelCard
from matdiscover.science.models.composition.ensemble import (
    CompositionModel,
    CompositionPredictions,
    load_composition_model,
    models_dir,
)
from matdiscover.science.models.composition.specs import PROPERTIES, PropertySpec
from matdiscover.science.models.composition.training import TrainingConfig, train_property

__all__ = [
    "PROPERTIES",
    "CompositionModel",
    "CompositionPredictions",
    "ModelCard",
    "PropertySpec",
    "TrainingConfig",
    "load_composition_model",
    "models_dir",
    "predict_composition",
    "predict_compositions",
    "train_property",
]
