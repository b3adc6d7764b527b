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
        learner: ``"lgbm"`` (boosted trees), ``"mlp"`` (multilayer perceptron) or
            ``"hybrid"`` (MLP members plus ``n_lgbm_members`` LightGBM members; the two
            means are blended with a weight chosen on the calibration split).
        params: LightGBM parameters for each ensemble member (``learner`` lgbm/hybrid).
        num_rounds: boosting rounds per member (``learner`` lgbm/hybrid).
        mlp: MLP options for :func:`members.train_mlp` (``learner`` mlp/hybrid).
        n_lgbm_members: LightGBM members of a hybrid ensemble.
        metal_classifier: LightGBM parameters of a metal/non-metal classifier (label:
            value == 0) put in front of the regressor, which is then trained on the
            non-zero rows only; ``None``: no classifier.
        classifier_rounds: boosting rounds of the classifier.
        extra_tables: tables of the same quantity from another method (AFLOW AEL-AGL)
            added to the LightGBM members' training rows, flagged by one extra feature
            (1 = extra table, 0 = ``table``; predictions use 0); rows whose formula is in
            the calibration or test split are left out.
    """

    key: PropertyName
    table: str
    transform: Literal["identity", "log10"]
    description: str
    table_is_log10: bool = False
    lower_bound: float | None = None
    learner: Literal["lgbm", "mlp", "hybrid"] = "lgbm"
    params: dict[str, Any] = field(default_factory=dict)
    num_rounds: int = 300
    mlp: dict[str, Any] = field(default_factory=dict)
    n_lgbm_members: int = 5
    metal_classifier: dict[str, Any] | None = None
    classifier_rounds: int = 600
    extra_tables: tuple[str, ...] = ()

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


# LightGBM members of the hybrid moduli ensembles: Huber loss (robust to the few
# wildly off elasticity entries), chosen on the calibration split of mp_log10_k/g_vrh.
_HUBER = _params(
    objective="huber", alpha=0.1, learning_rate=0.05, num_leaves=63, min_data_in_leaf=5
)

# Metal/non-metal classifier of the band-gap model (mp_gap: metal = gap 0).
_METAL = {**_params(objective="binary", learning_rate=0.1, num_leaves=127), "max_bin": 255}


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
        metal_classifier=_METAL,
        classifier_rounds=600,
    ),
    PropertyName.bulk_modulus: PropertySpec(
        key=PropertyName.bulk_modulus,
        table="mp_log10_k_vrh",
        transform="log10",
        table_is_log10=True,
        description="Voigt-Reuss-Hill bulk modulus (Materials Project elasticity)",
        lower_bound=0.0,
        learner="hybrid",
        mlp=_mlp(epochs=100),
        params=_HUBER,
        num_rounds=800,
        extra_tables=("aflow_bulk_modulus_vrh",),
    ),
    PropertyName.shear_modulus: PropertySpec(
        key=PropertyName.shear_modulus,
        table="mp_log10_g_vrh",
        transform="log10",
        table_is_log10=True,
        description="Voigt-Reuss-Hill shear modulus (Materials Project elasticity)",
        lower_bound=0.0,
        learner="hybrid",
        mlp=_mlp(epochs=100),
        params=_HUBER,
        num_rounds=800,
        extra_tables=("aflow_shear_modulus_vrh",),
    ),
    PropertyName.debye_temperature: PropertySpec(
        key=PropertyName.debye_temperature,
        table="aflow_debye_temperature",
        transform="log10",
        description="Debye temperature from the AFLOW AEL-AGL elastic model",
        lower_bound=0.0,
        learner="hybrid",
        mlp=_mlp(epochs=150),
        params=_HUBER,
        num_rounds=800,
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
