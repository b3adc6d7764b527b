"""Composition-only property models: calibrated LightGBM ensembles on Magpie features.

Two calls to value::

    >>> from matdiscover.science.models.composition import predict_composition
    >>> [p.unit for p in predict_composition("Fe2O3", properties=["formation_energy"])]
    ['eV/atom']

Properties (:data:`PROPERTIES`): ``formation_energy`` (eV/atom), ``band_gap`` (eV),
``bulk_modulus`` (GPa), ``shear_modulus`` (GPa), ``debye_temperature`` (K),
``energy_above_hull`` (eV/atom). Artifacts live in ``<repo>/data/models/composition``.

The band gap has a metal/non-metal classifier in front of its regressor (``details`` of a
prediction: ``p_metal``, ``metal``); bulk and shear moduli and the Debye temperature are
hybrid MLP + LightGBM ensembles; ``energy_above_hull`` is not a separate model but the
hull of the predicted formation energy (:mod:`.hull_route`, the same function as the
phase-diagram panel).
"""

from __future__ import annotations

from matdiscover.science.models.composition.api import predict_composition, predict_compositions
from matdiscover.science.models.composition.card import ModelCard
from matdiscover.science.models.composition.ensemble import (
    CompositionModel,
    CompositionPredictions,
    MetalGate,
    load_composition_model,
    models_dir,
)
from matdiscover.science.models.composition.hull_route import HullRoute, load_hull_route
from matdiscover.science.models.composition.specs import PROPERTIES, PropertySpec
from matdiscover.science.models.composition.training import TrainingConfig, train_property

__all__ = [
    "PROPERTIES",
    "CompositionModel",
    "CompositionPredictions",
    "HullRoute",
    "MetalGate",
    "ModelCard",
    "PropertySpec",
    "TrainingConfig",
    "load_composition_model",
    "load_hull_route",
    "models_dir",
    "predict_composition",
    "predict_compositions",
    "train_property",
]
