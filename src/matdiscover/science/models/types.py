"""Types shared by all property predictors (composition and structure paths) and their
fine-tunes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["EpochPoint", "PropertyPrediction"]


@dataclass(frozen=True)
class PropertyPrediction:
    """One predicted property value with calibrated uncertainty.

    Attributes:
        property: property key, e.g. ``"formation_energy"``.
        value: predicted value in ``unit``.
        unit: e.g. ``"eV/atom"``, ``"eV"``, ``"GPa"``, ``"K"``.
        std: calibrated one-standard-deviation uncertainty in ``unit``.
        interval_95: calibrated central 95 % interval ``(low, high)`` in ``unit``; may be
            asymmetric (log-trained properties) and is clipped to physical bounds.
        method: ``"composition"`` or ``"structure"``.
        model: model name, e.g. ``"lgbm-ens5-mp_e_form-2026.11-formation_energy"``.
        model_version: model version string.
        warnings: human-readable warnings (e.g. out-of-domain elements).
        in_domain: ``False`` when the input lies outside the model's training domain.
        details: extra facts of this prediction, e.g. ``{"p_metal": 0.93, "metal": True}``
            for a band gap (classifier probability that the material is a metal) or the
            formation energy, hull energy and decomposition behind an energy above hull.
    """

    property: str
    value: float
    unit: str
    std: float
    interval_95: tuple[float, float]
    method: Literal["composition", "structure"]
    model: str
    model_version: str
    warnings: tuple[str, ...] = ()
    in_domain: bool = True
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class EpochPoint:
    """One learning-curve point of a fine-tune: the training loss of the epoch and the
    held-out MAE after it (in the property's unit). What the loss is, and which members
    the MAE covers, each fine-tune's module says."""

    epoch: int
    epochs: int
    train_loss: float
    holdout_mae: float
    seconds: float
