"""Recalibrating the DFT-trained band-gap model on a group's experimental measurements.

Data: the shipped experimental band-gap table (``expt_gap``, matbench_expt_gap
compositions, 4,604 rows, metals with gap 0 kept as they are). Raw model: the platform's
composition band-gap model (trained on Materials Project PBE gaps), predicted once for
every row through the batch path (``predict_compositions``), never retrained.

Protocol, for each of 5 seeds: 30 % of the rows are held out, grouped by reduced
formula (no composition on both sides); from the remaining rows a "group's measurements"
set is drawn at n = 25, 50, 100, 200, 400 (nested: the 50 contain the 25). A
:func:`fit_recalibration` on those n points (its choices -- L1 line or shift, residual
model or not, sigma scale and floor -- made by cross-validation inside the n points)
is applied to the held-out part and compared with the raw model: MAE, coverage of the
95 % interval, chosen kind. Mean and std over seeds.

    OMP_NUM_THREADS=1 python benchmarks/recalibration.py
writes benchmarks/results/recalibration.json and prints a summary table.
"""

# ruff: noqa: E402  (thread limits must be set before numpy is imported)
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per process (SCIENCE-NOTES); before numpy

import dataclasses
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from matdiscover.science.featurize import reduced_formula_key
from matdiscover.science.models.composition import load_composition_model, predict_compositions
from matdiscover.science.recalibration import fit_recalibration, parity_metrics
from matdiscover.science.reference_data import load_table

OUT = Path(__file__).resolve().parent / "results" / "recalibration.json"
SEEDS = (0, 1, 2, 3, 4)
SIZES = (25, 50, 100, 200, 400)
HELD_OUT = 0.30
GOAL_N = 200
GOAL_MAE_REDUCTION = 0.30
GOAL_COVERAGE = (0.90, 0.98)


def split(groups: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of (pool, held-out): whole reduced-formula groups, ~30 % held out."""
    rng = np.random.default_rng(seed)
    unique = np.unique(groups)
    rng.shuffle(unique)
    counts = dict.fromkeys(unique, 0)
    for g in groups:
        counts[g] += 1
    held: set[str] = set()
    total = 0
    for g in unique:
        if total >= HELD_OUT * len(groups):
            break
        held.add(str(g))
        total += counts[g]
    mask = np.array([g in held for g in groups])
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def _stats(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=np.float64)
    return {"mean": float(arr.mean()), "std": float(arr.std(ddof=1)) if arr.size > 1 else 0.0}


def main() -> dict[str, Any]:
    start = time.perf_counter()
    table = load_table("expt_gap")
    formulas = [str(f) for f in table["formula"]]
    measured = table["target"].to_numpy(dtype=np.float64)
    t0 = time.perf_counter()
    raw = predict_compositions(formulas, properties=["band_gap"])
    predict_s = time.perf_counter() - t0
    if raw["error"].notna().any():
        raise SystemExit(f"{int(raw['error'].notna().sum())} formulas could not be predicted")
    mean = raw["band_gap"].to_numpy(dtype=np.float64)
    sigma = raw["band_gap_std"].to_numpy(dtype=np.float64)
    low, high = raw["band_gap_low95"].to_numpy(), raw["band_gap_high95"].to_numpy()
    groups = np.array([reduced_formula_key(f) for f in formulas])
    metal = measured == 0

    runs: list[dict[str, Any]] = []
    for seed in SEEDS:
        pool, held = split(groups, seed)
        order = np.random.default_rng(1000 + seed).permutation(pool)
        raw_m = parity_metrics(mean[held], measured[held], sigma[held])
        own_cov = float(np.mean((measured[held] >= low[held]) & (measured[held] <= high[held])))
        held_f = [formulas[i] for i in held]
        for n in SIZES:
            train = order[:n]
            t1 = time.perf_counter()
            recal = fit_recalibration(
                "band_gap",
                [formulas[i] for i in train],
                mean[train],
                sigma[train],
                measured[train],
                seed=seed,
            )
            fit_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            new_mean, new_sigma = recal.apply(held_f, mean[held], sigma[held])
            apply_s = time.perf_counter() - t2
            new_m = parity_metrics(new_mean, measured[held], new_sigma)
            # the linear part alone (same line), to show what the residual model adds
            line = dataclasses.replace(recal, kind="linear")
            line_mae = float(
                np.mean(np.abs(line.apply(held_f, mean[held], sigma[held])[0] - measured[held]))
            )
            err = np.abs(new_mean - measured[held])
            raw_err = np.abs(mean[held] - measured[held])
            runs.append(
                {
                    "seed": seed,
                    "n": n,
                    "n_held_out": int(held.size),
                    "kind": recal.kind,
                    "linear_variant": recal.params["linear_variant"],
                    "intercept": recal.params["intercept"],
                    "slope": recal.params["slope"],
                    "sigma_scale": recal.sigma_scale,
                    "sigma_floor": recal.params["sigma_floor"],
                    "cv_mae": recal.cv_mae,
                    "cv_coverage95": recal.cv_coverage95,
                    "raw_mae": raw_m.mae,
                    "recal_mae": new_m.mae,
                    "mae_reduction": 1.0 - new_m.mae / raw_m.mae,
                    "linear_part_only_mae": line_mae,
                    "raw_bias": raw_m.bias,
                    "recal_bias": new_m.bias,
                    "raw_coverage95_1.96sigma": raw_m.coverage95,
                    "raw_coverage95_model_interval": own_cov,
                    "recal_coverage95": new_m.coverage95,
                    "raw_mae_metals": float(raw_err[metal[held]].mean()),
                    "recal_mae_metals": float(err[metal[held]].mean()),
                    "raw_mae_nonmetals": float(raw_err[~metal[held]].mean()),
                    "recal_mae_nonmetals": float(err[~metal[held]].mean()),
                    "fit_seconds": fit_s,
                    "apply_rows_per_second": held.size / max(apply_s, 1e-9),
                }
            )

    summary: dict[str, Any] = {}
    keys = (
        "raw_mae",
        "recal_mae",
        "linear_part_only_mae",
        "mae_reduction",
        "raw_coverage95_1.96sigma",
        "raw_coverage95_model_interval",
        "recal_coverage95",
        "raw_mae_metals",
        "recal_mae_metals",
        "raw_mae_nonmetals",
        "recal_mae_nonmetals",
        "fit_seconds",
        "apply_rows_per_second",
    )
    for n in SIZES:
        rows = [r for r in runs if r["n"] == n]
        entry: dict[str, Any] = {k: _stats([r[k] for r in rows]) for k in keys}
        kinds = [r["kind"] for r in rows]
        entry["chosen_kind"] = {k: kinds.count(k) for k in sorted(set(kinds))}
        summary[str(n)] = entry
    goal = summary[str(GOAL_N)]
    reduction = goal["mae_reduction"]["mean"]
    cov = goal["recal_coverage95"]["mean"]
    result: dict[str, Any] = {
        "benchmark": "recalibration of the DFT-trained band-gap model on experimental gaps",
        "dataset": {
            "table": "expt_gap (matbench_expt_gap compositions), data/PROVENANCE.md",
            "rows": len(formulas),
            "metals_gap_0": int(metal.sum()),
            "filtered": "nothing: metals (gap 0) and non-metals kept as they are",
        },
        "raw_model": load_composition_model("band_gap").name,
        "protocol": {
            "seeds": list(SEEDS),
            "held_out_fraction": HELD_OUT,
            "held_out_grouping": "reduced formula (no composition on both sides)",
            "measurement_sizes": list(SIZES),
            "measurements": "drawn from the non-held-out rows, nested across n per seed",
            "model_selection": "inside fit_recalibration, by K-fold CV on the n points only",
            "coverage": "share of held-out measured gaps within mean +- 1.96 sigma",
        },
        "goal": {
            "n": GOAL_N,
            "mae_reduction_at_least": GOAL_MAE_REDUCTION,
            "coverage95_between": list(GOAL_COVERAGE),
            "mae_reduction": reduction,
            "coverage95": cov,
            "mae_goal_met": bool(reduction >= GOAL_MAE_REDUCTION),
            "coverage_goal_met": bool(GOAL_COVERAGE[0] <= cov <= GOAL_COVERAGE[1]),
        },
        "summary_by_n": summary,
        "notes": [
            "Most of the gain comes from the residual model on composition features: the "
            "least-absolute-deviations line alone (linear_part_only_mae) cuts the MAE by "
            "about 8 % at every n (DFT gaps of insulators are ~0.8 eV too low, but metals "
            "and insulators predicted as metals limit what a line can do).",
            "Residual models are tried from 50 measurements; cross-validation kept them in "
            "1/5 runs at n=50, 4/5 at 100 and all runs from 200.",
            "Explored while writing this benchmark and not adopted (held-out MAE at n=200 "
            "within 0.005 of the shipped method or worse): Huber instead of L1 loss, a "
            "metal/non-metal classifier with a non-metal regressor, averaging 5 boosters, "
            "the other five property predictions as extra features, other tree sizes and "
            "learning rates. The shipped settings were fixed before these probes.",
            "raw_coverage95_1.96sigma uses mean +- 1.96 sigma of the raw model; its own "
            "stated 95 % interval (conformal, wider) covers raw_coverage95_model_interval.",
        ],
        "runs": runs,
        "does_not_show": [
            "The DFT model was trained on Materials Project PBE gaps (mp_gap); compositions "
            "of the experimental table may be in its training data, so the raw MAE may be "
            "optimistic and part of the correction may be learned from memorised rows.",
            "Compositions only: the experimental table has no structures, so polymorphs "
            "with one formula share one prediction; structure-based paths are not tested.",
            "One property (band gap) and one source of measurements: a group's own "
            "measurements may be noisier, more clustered in chemistry or differently "
            "distributed than this curated table.",
            "Held-out rows come from the same table as the measurements (same distribution); "
            "a correction applied to new chemistries may transfer worse.",
            "Measurement uncertainties are not given in the table, so the measured "
            "uncertainty term of the coverage is zero.",
        ],
        "raw_predict_seconds_all_rows": predict_s,
        "runtime_seconds": time.perf_counter() - start,
        "machine": {"python": platform.python_version(), "threads": os.environ["OMP_NUM_THREADS"]},
    }
    return result


def print_table(result: dict[str, Any]) -> None:
    print(
        f"{'n':>5} {'raw MAE':>9} {'recal MAE':>11} {'line only':>10} {'reduction':>10} "
        f"{'cov raw':>8} {'cov recal':>10}  kind"
    )
    for n, e in result["summary_by_n"].items():
        print(
            f"{n:>5} {e['raw_mae']['mean']:9.3f} "
            f"{e['recal_mae']['mean']:7.3f}±{e['recal_mae']['std']:.3f} "
            f"{e['linear_part_only_mae']['mean']:10.3f} "
            f"{100 * e['mae_reduction']['mean']:9.1f}% "
            f"{e['raw_coverage95_1.96sigma']['mean']:8.3f} "
            f"{e['recal_coverage95']['mean']:6.3f}±{e['recal_coverage95']['std']:.3f}  "
            f"{e['chosen_kind']}"
        )
    g = result["goal"]
    print(
        f"goal at n={g['n']}: MAE -{100 * g['mae_reduction']:.1f}% "
        f"(target -{100 * g['mae_reduction_at_least']:.0f}%: "
        f"{'met' if g['mae_goal_met'] else 'NOT met'}), coverage {g['coverage95']:.3f} "
        f"({'met' if g['coverage_goal_met'] else 'NOT met'})"
    )


if __name__ == "__main__":
    res = main()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print_table(res)
    print(f"wrote {OUT} in {res['runtime_seconds']:.0f} s")
