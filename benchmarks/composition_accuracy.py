"""Held-out accuracy and calibration of the shipped composition models.

Rebuilds each model's test split exactly as training did (GroupShuffleSplit by reduced
formula, seed from the model card), predicts it with the shipped artifact through the
public API and reports MAE / RMSE / R^2 and the coverage of +-1 sigma / +-2 sigma.
Band gap: also the metal/non-metal classifier's accuracy; its coverage is over the rows
reported as a gap (metal calls are "metal, P(metal)"), all-rows coverage alongside.
Energy above hull: the hull of the predicted formation energy on the mp_e_hull rows of
the formation-energy test split, each formula's own phases removed from the hull.

    OMP_NUM_THREADS=1 python benchmarks/composition_accuracy.py
writes benchmarks/results/composition_accuracy.json.
"""

# ruff: noqa: E402  (thread limits must be set before numpy is imported)
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per process (SCIENCE-NOTES); before numpy

import json
import time
from pathlib import Path

import numpy as np

from matdiscover.science.models.composition import (
    PROPERTIES,
    ModelCard,
    load_composition_model,
    models_dir,
)
from matdiscover.science.models.composition.calibration import coverage
from matdiscover.science.models.composition.hull_route import (
    evaluation_rows,
    load_hull_route,
    loo_predictions,
)
from matdiscover.science.models.composition.training import load_training_data, make_splits

OUT = Path(__file__).resolve().parent / "results" / "composition_accuracy.json"
TARGETS = {  # MAE targets on the test split, in training space
    "formation_energy": 0.10,
    "band_gap": 0.32,
    "bulk_modulus": 0.078,
    "shear_modulus": 0.097,
}


def evaluate_hull_route() -> dict[str, object]:
    card = ModelCard.read(models_dir() / "energy_above_hull")
    rows = evaluation_rows(seed=int(card.split["test_random_state"]))
    route = load_hull_route()
    signed, sd_form, _ = loo_predictions(
        rows.formulas[rows.test], load_composition_model("formation_energy")
    )
    pred, sd = np.maximum(signed, 0.0), route.sigma(sd_form, signed)
    y = rows.y[rows.test]
    err = pred - y
    z = route.calibration.z95
    low, high = np.maximum(signed - z * sd, 0.0), np.maximum(signed + z * sd, 0.0)
    return {
        "model": route.name,
        "unit": "eV/atom",
        "n_test": len(y),
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "r2": float(1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2)),
        "mae_training_space": float(np.mean(np.abs(err))),
        "training_space": "value",
        "baseline_mae_mean": float(np.mean(np.abs(y - y.mean()))),
        "coverage_1sigma": coverage(y, pred, sd, 1.0),
        "coverage_2sigma": coverage(y, pred, sd, 2.0),
        "coverage_95_interval": float(np.mean((y >= low) & (y <= high))),
        "test_rows": "mp_e_hull rows of the formation-energy test split, own formula "
        "removed from the hull",
        "comparison_with_retired_model": card.hyperparameters.get("comparison", {}),
    }


def evaluate(prop: str) -> dict[str, object]:
    if prop == "energy_above_hull":
        return evaluate_hull_route()
    card = ModelCard.read(models_dir() / prop)
    seed = int(card.split["test_random_state"])
    data = load_training_data(prop, seed=seed)
    _, _, test = make_splits(data.groups, seed=seed)
    model = load_composition_model(prop)
    pred = model.predict(list(data.formulas[test]))
    yt = data.y[test]
    log = PROPERTIES[prop].transform == "log10"
    y_unit = 10.0**yt if log else yt
    err_t = pred.mean_t - yt
    err_u = pred.value - y_unit
    mae_t = float(np.mean(np.abs(err_t)))
    rows = np.ones(len(yt), dtype=bool)
    gate = model.metal_gate
    if gate is not None and pred.p_metal is not None:
        rows = pred.p_metal < gate.threshold
    in95 = (y_unit >= pred.low95) & (y_unit <= pred.high95)
    out: dict[str, object] = {
        "model": model.name,
        "unit": PROPERTIES[prop].unit,
        "n_test": len(test),
        "mae": float(np.mean(np.abs(err_u))),
        "rmse": float(np.sqrt(np.mean(err_u**2))),
        "r2": float(1 - np.sum(err_u**2) / np.sum((y_unit - y_unit.mean()) ** 2)),
        "mae_training_space": mae_t,
        "training_space": "log10" if log else "value",
        "baseline_mae_mean": float(np.mean(np.abs(y_unit - y_unit.mean()))),
        "coverage_1sigma": coverage(yt[rows], pred.mean_t[rows], pred.std_t[rows], 1.0),
        "coverage_2sigma": coverage(yt[rows], pred.mean_t[rows], pred.std_t[rows], 2.0),
        "coverage_95_interval": float(np.mean(in95[rows])),
        "fraction_in_domain": float(np.mean(pred.in_domain)),
    }
    if gate is not None and pred.p_metal is not None:
        out["coverage_rows"] = "reported as a gap (classifier: non-metal)"
        out["fraction_reported_as_gap"] = float(np.mean(rows))
        out["coverage_1sigma_all_rows"] = coverage(yt, pred.mean_t, pred.std_t, 1.0)
        out["coverage_2sigma_all_rows"] = coverage(yt, pred.mean_t, pred.std_t, 2.0)
        out["metal_threshold"] = gate.threshold
        out["metal_accuracy"] = float(np.mean((pred.p_metal >= gate.threshold) == (yt <= 0)))
        out["metal_accuracy_target"] = 0.90
    if prop in TARGETS:
        out["target_mae_training_space"] = TARGETS[prop]
        out["meets_target"] = mae_t <= TARGETS[prop]
    if prop == "debye_temperature":
        ratio = float(np.mean(np.abs(y_unit - y_unit.mean()))) / float(np.mean(np.abs(err_u)))
        out["improvement_over_mean"] = ratio
        out["meets_target"] = ratio >= 3.0
    return out


def main() -> None:
    results: dict[str, object] = {}
    for prop in PROPERTIES:
        t = time.perf_counter()
        r = evaluate(prop)
        results[prop] = r
        print(
            f"{prop:18s} MAE {r['mae']:.4g} {r['unit']:8s} "
            f"(train-space {r['mae_training_space']:.4f}) R2 {r['r2']:.3f} "
            f"cov1 {r['coverage_1sigma']:.3f} cov2 {r['coverage_2sigma']:.3f} "
            f"target_ok={r.get('meets_target', '-')} [{time.perf_counter() - t:.0f}s]"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
