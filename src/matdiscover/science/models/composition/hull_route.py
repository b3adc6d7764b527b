"""Energy above hull of a composition: the hull of its predicted formation energy.

MatDiscover has one definition of the energy above hull: the best available formation
energy of the material placed on the Materials Project reference hull
(:func:`matdiscover.science.thermo.stability`, also used by the phase-diagram panel).
For a composition the best formation energy is the composition model's, so::

    E_hull = max(E_form_pred - E_hull_ref(composition), 0)

The separate composition model trained on ``mp_e_hull`` was retired: on the held-out
split it did not beat this route (figures on ``energy_above_hull/card.json``).

Uncertainty: ``sigma = scale * sigma_form ** power + floor`` with ``sigma_form`` the
formation-energy model's calibrated sigma, fitted on the validation rows; the 95 %
interval is ``max(E_form_pred - E_hull_ref +- z95 * sigma, 0)``.

Evaluation (:func:`fit_hull_route`) uses rows of ``mp_e_hull`` whose reduced formula is
in the formation-energy model's calibration split (validation) or test split (test):
the formation-energy model never saw them, and every phase of the row's own formula is
removed from the hull (:meth:`ReferenceHull.hull_energy_without`), as for a new material.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matdiscover.errors import NotFound
from matdiscover.science.featurize.formula import parse_formula
from matdiscover.science.models.composition.calibration import (
    SigmaCalibration,
    coverage,
    fit_sigma_calibration,
)
from matdiscover.science.models.composition.card import ModelCard
from matdiscover.science.models.composition.ensemble import (
    ARTIFACT_FILE,
    CompositionModel,
    CompositionPredictions,
    load_composition_model,
    models_dir,
)
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.properties import PropertyName
from matdiscover.science.thermo import HULL_DATASET, reference_hull, stability_many

__all__ = [
    "HULL_ROUTE_FILE",
    "HullRoute",
    "evaluation_rows",
    "fit_hull_route",
    "load_hull_route",
    "loo_predictions",
]

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]
HULL_ROUTE_FILE = "hull_route.json"
PROP = PropertyName.energy_above_hull.value
E_FORM = PropertyName.formation_energy.value
VERSION = "2.0.0"


@dataclass(frozen=True)
class HullRoute:
    """The calibrated hull route for ``energy_above_hull`` of compositions."""

    name: str
    version: str
    calibration: SigmaCalibration
    formation_model: str
    slope: float = 0.0

    def sigma(self, sigma_form: FloatArray, signed: FloatArray) -> FloatArray:
        """Calibrated sigma from the formation-energy sigma and ``E_form - hull``: wider
        for compositions predicted far above the hull, where the formation-energy errors
        are largest (``slope`` chosen on the validation rows)."""
        s_in = np.asarray(sigma_form) + self.slope * np.maximum(np.asarray(signed), 0.0)
        return self.calibration.apply(s_in)

    def predict(
        self, formulas: list[str], eform: CompositionPredictions
    ) -> tuple[CompositionPredictions, list[dict[str, Any]]]:
        """Energy above hull from formation-energy predictions of the same formulas.

        Returns the predictions (training space = value, eV/atom) and, per row, the
        details of the hull placement (formation energy, hull energy, decomposition).
        """
        n = len(formulas)
        value, std, low, high = (np.full(n, np.nan) for _ in range(4))
        details: list[dict[str, Any]] = [{} for _ in range(n)]
        z95 = self.calibration.z95
        rows = [
            i for i in range(n) if eform.errors[i] is None and np.isfinite(float(eform.value[i]))
        ]
        # Same parse as the features (any formula the model accepted has a hull place);
        # stability_many gives the numbers of stability(), one chemical system at a time.
        amounts = [parse_formula(formulas[i]) for i in rows]
        placed = stability_many(amounts, [float(eform.value[i]) for i in rows])
        if rows:
            idx = np.array(rows)
            hull_e = np.array([p.hull_energy_per_atom for _, p in placed])
            ef_rows = eform.value[idx].astype(np.float64)
            signed = ef_rows - hull_e
            sd = self.sigma(np.asarray(eform.std_t)[idx], signed)
            value[idx] = [e for e, _ in placed]
            std[idx] = sd
            low[idx] = np.maximum(signed - z95 * sd, 0.0)
            high[idx] = np.maximum(signed + z95 * sd, 0.0)
            for k, i in enumerate(rows):
                details[i] = {
                    "formation_energy": float(ef_rows[k]),
                    "hull_energy": float(hull_e[k]),
                    "hull_dataset": HULL_DATASET,
                    "decomposition": [list(d) for d in placed[k][1].decomposition],
                }
        pred = CompositionPredictions(
            property=PROP,
            unit=PROPERTIES[PROP].unit,
            value=value,
            std=std,
            low95=low,
            high95=high,
            mean_t=value.copy(),
            std_t=std.copy(),
            in_domain=eform.in_domain.copy(),
            warnings=list(eform.warnings),
            errors=list(eform.errors),
        )
        return pred, details

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / HULL_ROUTE_FILE
        payload = {
            "name": self.name,
            "version": self.version,
            "formation_model": self.formation_model,
            "hull_dataset": HULL_DATASET,
            "slope": self.slope,
            "calibration": asdict(self.calibration),
        }
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_file(cls, path: Path) -> HullRoute:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            name=str(payload["name"]),
            version=str(payload["version"]),
            calibration=SigmaCalibration(**payload["calibration"]),
            formation_model=str(payload["formation_model"]),
            slope=float(payload.get("slope", 0.0)),
        )


@lru_cache(maxsize=4)
def _load_cached(root: Path | None) -> HullRoute:
    path = models_dir(root) / PROP / HULL_ROUTE_FILE
    if not path.is_file():
        raise NotFound(f"energy-above-hull calibration missing: {path}")
    return HullRoute.from_file(path)


def load_hull_route(*, root: Path | str | None = None) -> HullRoute:
    """The shipped hull route (cached)."""
    return _load_cached(Path(root) if root is not None else None)


# -- evaluation and calibration ---------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRows:
    """``mp_e_hull`` rows unseen by the formation-energy model (see module docstring)."""

    formulas: np.ndarray
    y: FloatArray
    validation: np.ndarray
    test: np.ndarray
    ehull_test: np.ndarray  # also in the retired E_hull model's own test split
    n_table: int


def evaluation_rows(*, seed: int = 0, root: Path | None = None) -> EvaluationRows:
    """Validation and test rows of ``mp_e_hull`` for the hull route (grouped splits of
    the formation-energy model, ``random_state=seed``)."""
    from matdiscover.science.models.composition.data import load_training_data, make_splits

    f_data = load_training_data(E_FORM, seed=seed, root=root)
    _, f_cal, f_test = make_splits(f_data.groups, seed=seed)
    cal_groups, test_groups = set(f_data.groups[f_cal]), set(f_data.groups[f_test])
    h_data = load_training_data(PROP, seed=seed, root=root)
    _, _, h_test = make_splits(h_data.groups, seed=seed)
    in_h_test = np.zeros(len(h_data.y), dtype=bool)
    in_h_test[h_test] = True
    val = np.array([g in cal_groups for g in h_data.groups])
    test = np.array([g in test_groups for g in h_data.groups])
    return EvaluationRows(
        formulas=h_data.formulas,
        y=h_data.y,
        validation=np.flatnonzero(val),
        test=np.flatnonzero(test),
        ehull_test=np.flatnonzero(test & in_h_test),
        n_table=h_data.n_table,
    )


def loo_predictions(
    formulas: np.ndarray, model: CompositionModel
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(E_hull signed, E_form sigma, leave-formula-out hull energy)`` for formulas whose
    own phases are removed from the reference hull (new-material setting)."""
    hull = reference_hull()
    ef = model.predict(list(formulas))
    h = np.array([hull.hull_energy_without(str(f)) for f in formulas])
    return ef.value - h, ef.std_t, h


def _fit_sigma(
    y: FloatArray, pred: FloatArray, sigma_form: FloatArray, signed: FloatArray
) -> tuple[float, SigmaCalibration]:
    """``(slope, calibration)`` with the validation coverage closest to Gaussian."""
    best: tuple[float, float, SigmaCalibration] | None = None
    for slope in (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0):
        s_in = sigma_form + slope * np.maximum(signed, 0.0)
        cal = fit_sigma_calibration(y, pred, s_in)
        s = cal.apply(s_in)
        c1, c2 = coverage(y, pred, s, 1.0), coverage(y, pred, s, 2.0)
        loss = abs(c1 - 0.683) + abs(c2 - 0.954)
        log.info("hull-route sigma slope %g: validation coverage %.3f / %.3f", slope, c1, c2)
        if best is None or loss < best[0] - 1e-9:
            best = (loss, slope, cal)
    assert best is not None
    return best[1], best[2]


def _metrics(y: FloatArray, p: FloatArray) -> dict[str, float]:
    err = p - y
    ss = float(np.sum((y - y.mean()) ** 2)) or 1.0
    stable_true, stable_pred = y <= 0.0, p <= 0.0
    tp = float(np.sum(stable_true & stable_pred))
    f1 = 2 * tp / max(float(np.sum(stable_true) + np.sum(stable_pred)), 1.0)
    return {
        "mae_eV/atom": float(np.mean(np.abs(err))),
        "rmse_eV/atom": float(np.sqrt(np.mean(err**2))),
        "r2_eV/atom": float(1.0 - np.sum(err**2) / ss),
        "stable_f1_at_0": f1,
        "n": float(len(y)),
    }


def fit_hull_route(
    *,
    out_dir: Path,
    seed: int = 0,
    root: Path | None = None,
    retired_model: Path | None = None,
) -> ModelCard:
    """Calibrate the hull route on the validation rows, measure it on the test rows,
    compare with the retired composition E_hull model (``retired_model``: its
    ``model.json.xz``; the figures of an earlier comparison are kept otherwise) and write
    ``hull_route.json`` and the card to ``out_dir/energy_above_hull``."""
    started = time.perf_counter()
    rows = evaluation_rows(seed=seed, root=root)
    eform = load_composition_model(E_FORM, root=root)
    idx = np.concatenate([rows.validation, rows.test])
    signed, sd_form, _ = loo_predictions(rows.formulas[idx], eform)
    pred = np.maximum(signed, 0.0)
    nv = len(rows.validation)
    y = rows.y[idx]
    slope, cal = _fit_sigma(y[:nv], pred[:nv], sd_form[:nv], signed[:nv])
    sd = cal.apply(sd_form + slope * np.maximum(signed, 0.0))
    yt, pt, st, s_t = y[nv:], pred[nv:], sd[nv:], signed[nv:]
    in95 = (yt >= np.maximum(s_t - cal.z95 * st, 0.0)) & (yt <= np.maximum(s_t + cal.z95 * st, 0))
    metrics = _metrics(yt, pt)
    baseline = float(np.mean(np.abs(yt - np.median(rows.y[rows.validation]))))
    metrics["baseline_mae_validation_median_eV/atom"] = baseline
    # Head-to-head on rows in both test splits (neither model saw them).
    both = np.isin(rows.test, rows.ehull_test)
    comparison: dict[str, Any] = {
        "rows": "mp_e_hull rows in the test splits of both the formation-energy model and "
        "the retired E_hull model",
        "n": int(both.sum()),
        "hull_route_mae": float(np.mean(np.abs(pt[both] - yt[both]))),
    }
    folder = out_dir / PROP
    old_card = folder / "card.json"
    if retired_model is not None:
        old = CompositionModel.from_file(retired_model, data_root=root)
        op = old.predict(list(rows.formulas[rows.test][both]))
        comparison["retired_model"] = old.name
        comparison["retired_model_mae"] = float(np.mean(np.abs(op.value - yt[both])))
        comparison["retired_model_r2"] = _metrics(yt[both], op.value)["r2_eV/atom"]
    elif old_card.is_file():
        prev = json.loads(old_card.read_text(encoding="utf-8")).get("hyperparameters", {})
        for k in ("retired_model", "retired_model_mae", "retired_model_r2"):
            if k in prev.get("comparison", {}):
                comparison[k] = prev["comparison"][k]
    comparison["hull_route_r2"] = _metrics(yt[both], pt[both])["r2_eV/atom"]
    route = HullRoute(
        name=f"hull-{HULL_DATASET}+{eform.name}",
        version=VERSION,
        calibration=cal,
        formation_model=f"{eform.name} {eform.version}",
        slope=slope,
    )
    for stale in (ARTIFACT_FILE, "mlp.npz"):
        (folder / stale).unlink(missing_ok=True)
    route.save(folder)
    pd.DataFrame(
        {
            "formula": rows.formulas[rows.test],
            "true": yt,
            "pred": pt,
            "std": st,
            "low95": np.maximum(s_t - cal.z95 * st, 0.0),
            "high95": np.maximum(s_t + cal.z95 * st, 0.0),
        }
    ).sample(n=min(2000, len(yt)), random_state=seed).sort_index().to_csv(
        folder / "parity.csv", index=False, float_format="%.6g"
    )
    table = PROPERTIES[PROP].table
    card = ModelCard(
        name=route.name,
        version=route.version,
        property=PROP,
        unit=PROPERTIES[PROP].unit,
        description="energy above the Materials Project hull (mp_e_form phases) of the "
        "predicted formation energy; the same function as the phase-diagram panel",
        architecture="hull route: max(E_form_pred - hull energy, 0) with E_form_pred from "
        f"{eform.name}; sigma = calibrated map of the formation-energy sigma. The "
        "composition model trained on mp_e_hull is retired: on the "
        f"{comparison['n']} test rows neither model saw, hull route MAE "
        f"{comparison['hull_route_mae']:.4f} eV/atom (R2 {comparison['hull_route_r2']:.2f}) vs "
        f"{comparison.get('retired_model_mae', float('nan')):.4f} "
        f"(R2 {comparison.get('retired_model_r2', float('nan')):.2f}) for "
        f"{comparison.get('retired_model', 'the retired model')}",
        training_space="value",
        training_data={
            "table": table,
            "rows_in_table": rows.n_table,
            "rows_used": int(len(idx)),
            "rows_dropped_unfeaturisable": 0,
            "subset_for_fast_run": False,
            "parquet_sha256": _sha256(root, table),
            "source": "data/PROVENANCE.md",
            "hull": f"{HULL_DATASET} (lowest formation energy per reduced formula)",
        },
        split={
            "method": "mp_e_hull rows grouped by the formation-energy model's "
            "GroupShuffleSplit by reduced formula: validation = its calibration split, "
            "test = its test split; each row's own formula removed from the hull",
            "test_random_state": seed,
            "calibration_random_state": seed + 1,
            "n_train": 0,
            "n_calibration": int(nv),
            "n_test": int(len(rows.test)),
        },
        features="none (formation energy from the formation-energy model)",
        hyperparameters={"comparison": comparison},
        metrics_test=metrics,
        calibration={
            "method": "sigma = scale * s**power + floor with s = sigma_form + slope * "
            "max(E_form - hull, 0), fitted on the validation rows to Gaussian coverage at "
            "0.5-2.5 sigma (slope: the grid value whose validation coverage is closest to "
            "68.3 % / 95.4 %); 95% interval = max(E_form - hull +- z95 * sigma, 0), z95 "
            "split-conformal. Rows that are stable and predicted below the hull are "
            "covered at any sigma, so one sigma must also widen for predicted-unstable rows",
            "slope": slope,
            "scale": cal.scale,
            "floor": cal.floor,
            "power": cal.power,
            "z95": cal.z95,
            "test_coverage_1sigma": coverage(yt, pt, st, 1.0),
            "test_coverage_2sigma": coverage(yt, pt, st, 2.0),
            "test_coverage_95_interval": float(np.mean(in95)),
            "cal_coverage_1sigma": coverage(y[:nv], pred[:nv], sd[:nv], 1.0),
            "cal_coverage_2sigma": coverage(y[:nv], pred[:nv], sd[:nv], 2.0),
            "interval_vs_sigma": f"the 95 % interval is E_form - hull +- {cal.z95:.2f} "
            "sigma clipped at 0 (split-conformal), not +-2 sigma",
            "coverage_space": "value",
        },
        out_of_domain={
            "rule": "inherits the formation-energy model's domain rule and warnings",
        },
        command="python -m matdiscover.science.models.composition --property "
        f"energy_above_hull --seed {seed} --out data/models/composition",
        training_seconds=round(time.perf_counter() - started, 1),
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        artifact_bytes=(folder / HULL_ROUTE_FILE).stat().st_size,
        energy_convention="Materials Project legacy (pre-2020) corrections, as in "
        "Matbench mp_e_form (formation energy and hull)",
    )
    card.write(folder)
    return card


def _sha256(root: Path | None, table: str) -> str:
    import hashlib

    from matdiscover.science.reference_data import data_dir

    path = data_dir(root) / "reference" / f"{table}.parquet"
    return hashlib.sha256(path.read_bytes()).hexdigest()
