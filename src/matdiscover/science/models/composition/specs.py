"""How each property's composition model is trained: tables and hyperparameters.

Names and units come from the property catalogue (:mod:`matdiscover.science.properties`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from matdiscover.science.properties import CATALOGUE, PropertyName

__all__ = ["PROPERTIES", "PropertySpec"]


@dataclass(frozen=True)
class PropertySpec:
    """What a composition model predicts and how it is trained.

    Attributes:
        key: property key (see :mod:`matdiscover.science.properties`); the unit of
            predictions is the catalogue's (:attr:`unit`).
        table: reference table (``matdiscover.science.reference_data``) with the labels.
        transform: ``"identity"`` (trained on the value) or ``"log10"`` (trained on
            ``log10(value)``, predictions reported in ``unit``).
        table_is_log10: the table already stores ``log10(value)``.
        lower_bound: physical lower bound of the value (predictions are clipped).
        description: one line for cards and UIs.
        learner: ``"lgbm"`` (boosted trees) or ``"mlp"`` (multilayer perceptron).
        params: LightGBM parameters for each ensemble member (``learner="lgbm"``).
        num_rounds: boosting rounds per member (``learner="lgbm"``).
        mlp: MLP options for :func:`members.train_mlp` (``learner="mlp"``).
    """

    key: PropertyName
    table: str
    transform: Literal["identity", "log10"]
    description: str
    table_is_log10: bool = False
    lower_bound: float | None = None
    learner: Literal["lgbm", "mlp"] = "lgbm"
    params: dict[str, Any] = field(default_factory=dict)
    num_rounds: int = 300
    mlp: dict[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """Unit of the predictions, from the property catalogue."""
        return CATALOGUE[self.key].unit


_BASE: dict[str, Any] = {
    "objective": "regression",
    "learning_rate": 0.08,
    "num_leaves": 63,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 255,
    "num_threads": 1,
    "verbose": -1,
}


def _params(**over: Any) -> dict[str, Any]:
    return {**_BASE, **over}


_MLP: dict[str, Any] = {
    "hidden": (256, 256, 128),
    "epochs": 30,
    "lr": 2e-3,
    "batch_size": 256,
    "weight_decay": 1e-4,
    "loss": "l1",
}


def _mlp(**over: Any) -> dict[str, Any]:
    return {**_MLP, **over}


PROPERTIES: dict[str, PropertySpec] = {  # keyed by PropertyName (a str)
    PropertyName.formation_energy: PropertySpec(
        key=PropertyName.formation_energy,
        table="mp_e_form",
        transform="identity",
        description="DFT formation energy per atom (Materials Project, legacy corrections)",
        learner="mlp",
        mlp=_mlp(hidden=(384, 384, 192)),
    ),
    PropertyName.band_gap: PropertySpec(
        key=PropertyName.band_gap,
        table="mp_gap",
        transform="identity",
        description="DFT (PBE) band gap (Materials Project)",
        lower_bound=0.0,
        learner="mlp",
        mlp=_mlp(),
    ),
    PropertyName.bulk_modulus: PropertySpec(
        key=PropertyName.bulk_modulus,
        table="mp_log10_k_vrh",
        transform="log10",
        table_is_log10=True,
        description="Voigt-Reuss-Hill bulk modulus (Materials Project elasticity)",
        lower_bound=0.0,
        learner="mlp",
        mlp=_mlp(epochs=100),
        params=_params(num_leaves=31, learning_rate=0.08, min_data_in_leaf=5),
        num_rounds=250,
    ),
    PropertyName.shear_modulus: PropertySpec(
        key=PropertyName.shear_modulus,
        table="mp_log10_g_vrh",
        transform="log10",
        table_is_log10=True,
        description="Voigt-Reuss-Hill shear modulus (Materials Project elasticity)",
        lower_bound=0.0,
        learner="mlp",
        mlp=_mlp(epochs=100),
        params=_params(num_leaves=31, learning_rate=0.08, min_data_in_leaf=5),
        num_rounds=250,
    ),
    PropertyName.debye_temperature: PropertySpec(
        key=PropertyName.debye_temperature,
        table="aflow_debye_temperature",
        transform="log10",
        description="Debye temperature from the AFLOW AEL-AGL elastic model",
        lower_bound=0.0,
        learner="mlp",
        mlp=_mlp(epochs=150),
        params=_params(num_leaves=31, learning_rate=0.08, min_data_in_leaf=5),
        num_rounds=250,
    ),
    PropertyName.energy_above_hull: PropertySpec(
        key=PropertyName.energy_above_hull,
        table="mp_e_hull",
        transform="identity",
        description="DFT energy above the convex hull (Materials Project snapshot in CrabNet)",
        lower_bound=0.0,
        learner="mlp",
        mlp=_mlp(),
    ),
}
