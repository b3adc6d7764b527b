"""Calibrated LightGBM ensembles over composition features.

An artifact is a folder ``<models_dir>/<property>/`` holding

* ``model.json.xz`` -- the ensemble metadata: learner kind, LightGBM model strings (for
  tree members), the sigma calibration, per-element training counts;
* ``mlp.npz`` -- MLP member weights (for MLP members);
* ``card.json`` / ``card.md`` -- the model card;
* ``parity.csv`` -- a held-out sample of true / predicted / std for parity plots.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from matdiscover.errors import ConfigurationError, NotFound
from matdiscover.science.featurize import CompositionFeatures, featurize_compositions
from matdiscover.science.featurize.composition import element_data, feature_names
from matdiscover.science.models.composition.calibration import SigmaCalibration
from matdiscover.science.models.composition.members import (
    LGBMMember,
    Member,
    MLPMember,
    load_mlp_members,
    save_mlp_members,
)
from matdiscover.science.models.composition.specs import PROPERTIES, PropertySpec
from matdiscover.science.reference_data import data_dir

__all__ = [
    "ARTIFACT_FILE",
    "CompositionModel",
    "CompositionPredictions",
    "MetalGate",
    "load_composition_model",
    "models_dir",
]

ARTIFACT_FILE = "model.json.xz"
MLP_FILE = "mlp.npz"
FORMAT_VERSION = 1
Z95 = 1.959963984540054
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def models_dir(root: Path | str | None = None) -> Path:
    """Directory of the shipped composition-model artifacts (``<data>/models/composition``)."""
    return data_dir(root) / "models" / "composition"


@dataclass(frozen=True)
class CompositionPredictions:
    """Vectorised predictions for one property; one entry per input formula.

    Rows that could not be featurised have ``NaN`` values, ``in_domain=False`` and their
    message in ``errors``. ``value``, ``std``, ``low95`` and ``high95`` are in ``unit``;
    ``mean_t`` and ``std_t`` are the calibrated mean and std in training space (log10 of
    the value for log-trained properties).
    """

    property: str
    unit: str
    value: FloatArray
    std: FloatArray
    low95: FloatArray
    high95: FloatArray
    mean_t: FloatArray
    std_t: FloatArray
    in_domain: BoolArray
    warnings: list[tuple[str, ...]]
    errors: list[str | None]
    p_metal: FloatArray | None = None  # band gap: classifier P(metal), NaN for bad rows


@dataclass(frozen=True)
class MetalGate:
    """Metal/non-metal classifier in front of a band-gap regressor.

    ``P(metal) >= threshold`` -> the prediction is "metal": value 0 and
    ``sigma = calibration.apply(1 - P(metal))``; otherwise the regressor's value and its
    calibrated sigma. The threshold was chosen on the calibration (validation) split.
    """

    booster: lgb.Booster
    threshold: float
    calibration: SigmaCalibration

    def p_metal(self, features: FloatArray) -> FloatArray:
        return np.asarray(self.booster.predict(features, num_threads=1), dtype=np.float64)


class CompositionModel:
    """A calibrated ensemble predicting one property from the composition alone.

    Example:
        >>> model = load_composition_model("band_gap")
        >>> preds = model.predict(["NaCl", "Cu"])
        >>> bool(preds.value[0] > 3.0), bool(preds.value[1] < 0.5)
        (True, True)
    """

    def __init__(
        self,
        *,
        spec: PropertySpec,
        members: Sequence[Member],
        calibration: SigmaCalibration,
        element_counts: dict[str, int],
        name: str,
        version: str,
        rare_threshold: int = 20,
        ood_factor: float = 2.0,
        data_root: Path | None = None,
        lgbm_weight: float | None = None,
        metal_gate: MetalGate | None = None,
    ) -> None:
        if len(members) < 2:
            raise ConfigurationError("an ensemble needs at least two members")
        self.spec = spec
        self.members = list(members)
        self.calibration = calibration
        self.element_counts = dict(element_counts)
        self.name = name
        self.version = version
        self.rare_threshold = rare_threshold
        self.ood_factor = ood_factor
        self.data_root = data_root
        self.lgbm_weight = lgbm_weight
        self.metal_gate = metal_gate
        symbols = element_data(data_root).symbols
        self._symbols = symbols
        self._counts = np.array([element_counts.get(s, 0) for s in symbols], dtype=np.int64)

    # -- persistence -------------------------------------------------------------------
    def to_payload(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "property": self.spec.key,
            "name": self.name,
            "version": self.version,
            "unit": self.spec.unit,
            "transform": self.spec.transform,
            "feature_names": list(feature_names(self.data_root)),
            "calibration": _cal_dict(self.calibration),
            "element_counts": self.element_counts,
            "rare_threshold": self.rare_threshold,
            "ood_factor": self.ood_factor,
            "kind": self.kind,
            "n_members": len(self.members),
            "members": [
                m.booster.model_to_string() for m in self.members if isinstance(m, LGBMMember)
            ],
            "lgbm_weight": self.lgbm_weight,
            "metal_gate": None
            if self.metal_gate is None
            else {
                "classifier": self.metal_gate.booster.model_to_string(),
                "threshold": self.metal_gate.threshold,
                "calibration": _cal_dict(self.metal_gate.calibration),
            },
        }

    @property
    def kind(self) -> str:
        """``"lgbm"``, ``"mlp"`` or ``"hybrid"`` (MLP and LightGBM members)."""
        n_mlp = sum(isinstance(m, MLPMember) for m in self.members)
        if n_mlp == len(self.members):
            return "mlp"
        return "lgbm" if n_mlp == 0 else "hybrid"

    def save(self, folder: Path) -> Path:
        """Write ``model.json.xz`` into ``folder`` and return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ARTIFACT_FILE
        raw = json.dumps(self.to_payload()).encode("utf-8")
        path.write_bytes(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME))
        if self.kind in ("mlp", "hybrid"):
            mlps = [m for m in self.members if isinstance(m, MLPMember)]
            (folder / MLP_FILE).write_bytes(save_mlp_members(mlps))
        return path

    @classmethod
    def from_file(cls, path: Path, *, data_root: Path | None = None) -> CompositionModel:
        """Load an artifact written by :meth:`save`."""
        payload = json.loads(lzma.decompress(path.read_bytes()).decode("utf-8"))
        if payload.get("format") != FORMAT_VERSION:
            raise ConfigurationError(f"unsupported composition-model format in {path}")
        if payload["feature_names"] != list(feature_names(data_root)):
            raise ConfigurationError(f"{path} was trained on different features")
        spec = PROPERTIES[payload["property"]]
        cal = payload["calibration"]
        kind = payload.get("kind", "lgbm")
        members: list[Member] = []
        if kind in ("mlp", "hybrid"):
            members += load_mlp_members((path.parent / MLP_FILE).read_bytes())
        members += [LGBMMember(lgb.Booster(model_str=s)) for s in payload["members"]]
        gate = payload.get("metal_gate")
        weight = payload.get("lgbm_weight")
        return cls(
            spec=spec,
            members=members,
            calibration=_cal_from(cal),
            lgbm_weight=None if weight is None else float(weight),
            metal_gate=None
            if gate is None
            else MetalGate(
                booster=lgb.Booster(model_str=gate["classifier"]),
                threshold=float(gate["threshold"]),
                calibration=_cal_from(gate["calibration"]),
            ),
            element_counts={k: int(v) for k, v in payload["element_counts"].items()},
            name=str(payload["name"]),
            version=str(payload["version"]),
            rare_threshold=int(payload["rare_threshold"]),
            ood_factor=float(payload["ood_factor"]),
            data_root=data_root,
        )

    # -- prediction --------------------------------------------------------------------
    def raw_predict(self, features: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Ensemble mean and (uncalibrated) member std in training space.

        Hybrid ensembles weight the LightGBM members' mean by ``lgbm_weight`` and the MLP
        members' mean by ``1 - lgbm_weight``; the std is over all members."""
        preds = np.stack([m.predict(features) for m in self.members], axis=0)
        std = preds.std(axis=0, ddof=1)
        if self.kind != "hybrid" or self.lgbm_weight is None:
            return preds.mean(axis=0), std
        is_lgbm = np.array([isinstance(m, LGBMMember) for m in self.members])
        w = self.lgbm_weight
        return w * preds[is_lgbm].mean(axis=0) + (1.0 - w) * preds[~is_lgbm].mean(axis=0), std

    def predict_features(self, batch: CompositionFeatures, n_rows: int) -> CompositionPredictions:
        """Predict from a precomputed feature batch covering ``n_rows`` inputs."""
        nan = np.full(n_rows, np.nan)
        mean_t, std_t = nan.copy(), nan.copy()
        in_domain = np.zeros(n_rows, dtype=bool)
        warnings: list[tuple[str, ...]] = [() for _ in range(n_rows)]
        errors: list[str | None] = [None] * n_rows
        for row, msg in batch.errors:
            errors[row] = msg
        p_metal = None if self.metal_gate is None else np.full(n_rows, np.nan)
        if len(batch.rows):
            mu, sd = self.raw_predict(batch.features)
            sd = self.calibration.apply(sd)
            if self.metal_gate is not None and p_metal is not None:
                pm = self.metal_gate.p_metal(batch.features)
                metal = pm >= self.metal_gate.threshold
                mu = np.where(metal, 0.0, mu)
                sd = np.where(metal, self.metal_gate.calibration.apply(1.0 - pm), sd)
                p_metal[batch.rows] = pm
            present = batch.fractions > 0
            counts = np.where(present, self._counts[None, :], np.iinfo(np.int64).max)
            low_count = counts.min(axis=1) < self.rare_threshold
            sd = np.where(low_count, sd * self.ood_factor, sd)
            mean_t[batch.rows] = mu
            std_t[batch.rows] = sd
            in_domain[batch.rows] = ~low_count
            for j in np.flatnonzero(low_count):
                warnings[int(batch.rows[j])] = self._domain_warnings(present[j])
        value, std, low, high = self._to_unit(mean_t, std_t)
        return CompositionPredictions(
            property=self.spec.key,
            unit=self.spec.unit,
            value=value,
            std=std,
            low95=low,
            high95=high,
            mean_t=mean_t,
            std_t=std_t,
            in_domain=in_domain,
            warnings=warnings,
            errors=errors,
            p_metal=p_metal,
        )

    def predict(self, formulas: Sequence[str]) -> CompositionPredictions:
        """Predict the property for a batch of formulas (see :class:`CompositionPredictions`).

        Bad formulas never raise; they come back with ``NaN`` and an error message.
        Compositions with an element seen in fewer than ``rare_threshold`` training rows
        get ``in_domain=False``, a warning and their std multiplied by ``ood_factor``.
        """
        batch = featurize_compositions(formulas, root=self.data_root)
        return self.predict_features(batch, len(formulas))

    def _domain_warnings(self, present: BoolArray) -> tuple[str, ...]:
        out = []
        for k in np.flatnonzero(present):
            n = int(self._counts[k])
            if n == 0:
                out.append(
                    f"element {self._symbols[k]} is absent from the training data "
                    f"({self.spec.table}); uncertainty widened x{self.ood_factor:g}"
                )
            elif n < self.rare_threshold:
                out.append(
                    f"element {self._symbols[k]} is rare in the training data "
                    f"({n} rows < {self.rare_threshold}); uncertainty widened "
                    f"x{self.ood_factor:g}"
                )
        return tuple(out)

    def _to_unit(
        self, mean_t: FloatArray, std_t: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        lb = self.spec.lower_bound
        z95 = self.calibration.z95
        if self.spec.transform == "log10":
            with np.errstate(over="ignore"):  # absurdly wide intervals saturate at inf
                value = 10.0**mean_t
                std = np.log(10.0) * value * std_t  # delta method
                low = 10.0 ** (mean_t - z95 * std_t)
                high = 10.0 ** (mean_t + z95 * std_t)
        else:
            value = mean_t.copy()
            std = std_t.copy()
            low = mean_t - z95 * std_t
            high = mean_t + z95 * std_t
        if lb is not None:
            value = np.maximum(value, lb)
            low = np.maximum(low, lb)
            high = np.maximum(high, lb)
        return value, std, low, high


def _cal_dict(cal: SigmaCalibration) -> dict[str, float]:
    return {"scale": cal.scale, "floor": cal.floor, "power": cal.power, "z95": cal.z95}


def _cal_from(cal: dict[str, Any]) -> SigmaCalibration:
    return SigmaCalibration(
        float(cal["scale"]),
        float(cal["floor"]),
        float(cal.get("power", 1.0)),
        float(cal.get("z95", Z95)),
    )


@lru_cache(maxsize=16)
def _load_cached(prop: str, root: Path | None) -> CompositionModel:
    if prop not in PROPERTIES:
        raise NotFound(f"no composition model for property {prop!r}; known: {sorted(PROPERTIES)}")
    path = models_dir(root) / prop / ARTIFACT_FILE
    if not path.is_file() and prop == "energy_above_hull":
        raise NotFound(
            "energy_above_hull has no composition model: it is the hull of the predicted "
            "formation energy (matdiscover.science.models.composition.load_hull_route)"
        )
    if not path.is_file():
        raise NotFound(f"composition model artifact missing: {path}")
    return CompositionModel.from_file(path, data_root=root)


def load_composition_model(prop: str, *, root: Path | str | None = None) -> CompositionModel:
    """Load (once, then cached) the shipped composition model for a property.

    Args:
        prop: one of :data:`PROPERTIES` (``"formation_energy"``, ``"band_gap"``,
            ``"bulk_modulus"``, ``"shear_modulus"``, ``"debye_temperature"``,
            ``"energy_above_hull"``).
        root: optional data directory overriding
            :func:`matdiscover.science.reference_data.data_dir`.

    Raises:
        NotFound: unknown property or missing artifact.
    """
    return _load_cached(prop, Path(root) if root is not None else None)
