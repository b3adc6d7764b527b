"""Matbench v0.1 protocol for matbench_expt_gap and matbench_steels.

KFold(n_splits=5, shuffle=True, random_state=18012019) over the dataset order of the
bundled tables (``expt_gap``, ``steels_yield``), Magpie-style features, LightGBM with
fixed hyperparameters (no tuning on the test folds), or an MLP (3 seeds averaged, the
same architecture as the shipped models). Variants are reported side by side;
the ``+dft_gap`` variant adds the shipped Materials Project band-gap model's prediction
(trained on PBE gaps, not on experimental labels) as one extra feature.

Published Matbench v0.1 leaderboard MAEs for comparison (composition-only entries, from
matbench.materialsproject.org as remembered; check before citing): expt_gap -- MODNet
0.33, CrabNet 0.35, AMMExpress 0.42, RF-SCM/Magpie 0.45, Dummy 1.14;
steels -- MODNet 88 MPa, AMMExpress 97, RF-SCM/Magpie 104, CrabNet 107, Dummy 230.

    OMP_NUM_THREADS=1 python benchmarks/matbench_protocol.py
writes benchmarks/results/matbench_protocol.json.
"""

# ruff: noqa: E402  (thread limits must be set before numpy is imported)
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per process (SCIENCE-NOTES); before numpy

import argparse
import json
import time
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.model_selection import KFold

from matdiscover.science.featurize import featurize_compositions
from matdiscover.science.models.composition import load_composition_model
from matdiscover.science.models.composition.members import train_mlp
from matdiscover.science.reference_data import load_table

OUT = Path(__file__).resolve().parent / "results" / "matbench_protocol.json"
SEED = 18012019
N_SEEDS = 2  # models averaged per fold

BASE: dict[str, Any] = {
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "verbose": -1,
}
VARIANTS: dict[str, dict[str, dict[str, Any]]] = {
    "expt_gap": {
        "lgbm_l2": {
            "objective": "regression",
            "num_leaves": 31,
            "learning_rate": 0.03,
            "min_data_in_leaf": 5,
            "rounds": 1500,
        },
        "lgbm_l1": {
            "objective": "regression_l1",
            "num_leaves": 31,
            "learning_rate": 0.03,
            "min_data_in_leaf": 5,
            "rounds": 1500,
        },
        "mlp_l1": {"learner": "mlp", "epochs": 150},
        "mlp_l1+dft_gap": {"learner": "mlp", "epochs": 150, "dft_gap": True},
        "lgbm_l1+dft_gap": {
            "objective": "regression_l1",
            "num_leaves": 31,
            "learning_rate": 0.03,
            "min_data_in_leaf": 5,
            "rounds": 1500,
            "dft_gap": True,
        },
    },
    "steels_yield": {
        "lgbm_l2": {
            "objective": "regression",
            "num_leaves": 15,
            "learning_rate": 0.03,
            "min_data_in_leaf": 3,
            "rounds": 2000,
        },
        "mlp_l1": {"learner": "mlp", "epochs": 300},
        "lgbm_l1": {
            "objective": "regression_l1",
            "num_leaves": 15,
            "learning_rate": 0.03,
            "min_data_in_leaf": 3,
            "rounds": 2000,
        },
    },
}


def run(table: str, name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    df = load_table(table)
    formulas = df["formula"].tolist()
    batch = featurize_compositions(formulas)
    assert not batch.errors, batch.errors[:3]
    X, y = batch.features, df["target"].to_numpy()
    if cfg.get("dft_gap"):
        dft = load_composition_model("band_gap").predict_features(batch, len(formulas))
        X = np.column_stack([X, dft.value])
    params = {**BASE, **{k: v for k, v in cfg.items() if k not in ("rounds", "dft_gap")}}
    fold_mae = []
    for k, (tr, te) in enumerate(KFold(5, shuffle=True, random_state=SEED).split(X)):
        if cfg.get("learner") == "mlp":
            mlps = [train_mlp(X[tr], y[tr], seed=s, epochs=cfg["epochs"]) for s in range(N_SEEDS)]
            pred = np.mean([m.predict(X[te]) for m in mlps], axis=0)
        else:
            members = [
                lgb.train({**params, "seed": s}, lgb.Dataset(X[tr], y[tr]), cfg["rounds"])
                for s in range(N_SEEDS)
            ]
            pred = np.mean([m.predict(X[te], num_threads=1) for m in members], axis=0)
        if table == "expt_gap":
            pred = np.maximum(pred, 0.0)
        fold_mae.append(float(np.mean(np.abs(pred - y[te]))))
        print(f"  {table} {name} fold {k}: MAE {fold_mae[-1]:.4f}", flush=True)
    return {
        "mae_mean": float(np.mean(fold_mae)),
        "mae_std": float(np.std(fold_mae)),
        "fold_mae": fold_mae,
        "params": cfg,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="TABLE:VARIANT (repeatable)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    results["protocol"] = f"KFold(5, shuffle=True, random_state={SEED}), {N_SEEDS} seeds/fold"
    for table, variants in VARIANTS.items():
        results.setdefault(table, {})
        for name, cfg in variants.items():
            if args.only and f"{table}:{name}" not in args.only:
                continue
            t = time.perf_counter()
            results[table][name] = run(table, name, cfg)
            r = results[table][name]
            print(
                f"{table:13s} {name:18s} MAE {r['mae_mean']:.4f} +- {r['mae_std']:.4f} "
                f"[{time.perf_counter() - t:.0f}s]",
                flush=True,
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # merge with results other invocations wrote meanwhile
    merged: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    for key, value in results.items():
        if isinstance(value, dict):
            merged.setdefault(key, {}).update(value)
        else:
            merged[key] = value
    OUT.write_text(json.dumps(merged, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
