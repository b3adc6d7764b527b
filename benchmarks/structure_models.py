"""Structure-model tiers on shipped Materials Project structures: CHGNet vs 7net-0 vs 7net-l3i5.

Set: the held-out TEST split of ``data/sevennet_references/references.json`` (about 600
``flla_2015`` entries of ``data/reference/known_structures.parquet``; grouped by chemical
system and stratified by anion class x number of elements, seed 15, see
``matdiscover.science.models.sevennet_path.build.split_rows``). 600 keeps the whole program
near 10 minutes on one thread (single points only, no relaxation: ~0.1 s / 0.3 s / 0.05 s per
structure for 7net-0 / 7net-l3i5 / CHGNet at 12 sites on average) and gives a formation-energy
MAE with a standard error of about 0.002 eV/atom. None of its chemical systems was used to fit
the SevenNet references or choose their hyperparameters (fit and validation splits).

NOT A HELD-OUT TEST OF THE POTENTIALS: CHGNet, SevenNet-0 and SevenNet-l3i5 were trained on
MPtrj, the Materials Project relaxation trajectories that contain these very compounds. The
numbers measure the whole pipeline (potential + MP2020/legacy conventions + references + hull)
on in-distribution MP structures, not discovery of new materials.

Per tier: formation-energy MAE/RMSE against the shipped MP value (legacy corrections), σ
coverage, energy-above-hull MAE against the shipped ``energy_above_hull`` (predicted formation
energy placed on the platform hull, ``mp_e_form``), stable/unstable F1 at 0 eV (stable =
on or below the hull), and timings. An ``mp_label_on_platform_hull`` row places the shipped MP
formation energy itself on the platform hull: the floor set by the two hulls differing
(2015 flla data vs the Matbench 2018 snapshot).

Run:  nice -n 5 .venv/bin/python benchmarks/structure_models.py [--update-cards]
Writes benchmarks/results/structure_models.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REFS = ROOT / "data" / "sevennet_references" / "references.json"


def f1_stable(true_stable: NDArray[np.bool_], pred_stable: NDArray[np.bool_]) -> dict[str, float]:
    tp = float(np.sum(true_stable & pred_stable))
    fp = float(np.sum(~true_stable & pred_stable))
    fn = float(np.sum(true_stable & ~pred_stable))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    acc = float(np.mean(true_stable == pred_stable))
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": acc}


def hull_metrics(
    formulas: list[str], e_form: NDArray[np.float64], true_ehull: NDArray[np.float64]
) -> dict[str, float]:
    from matdiscover.science.thermo import ReferenceHull, energy_above_hull

    hull = ReferenceHull.from_dataset("mp_e_form")
    raw = np.array(
        [
            (lambda r: r.e_above_hull - r.below_hull_by)(energy_above_hull(f, e, hull=hull))
            for f, e in zip(formulas, e_form, strict=True)
        ]
    )
    pred = np.maximum(raw, 0.0)
    ok = ~np.isnan(true_ehull)
    out = {
        "n_with_e_above_hull": int(ok.sum()),
        "e_above_hull_mae_eV/atom": float(np.mean(np.abs(pred[ok] - true_ehull[ok]))),
        "n_true_stable": int(np.sum(true_ehull[ok] <= 0.0)),
    }
    out.update(
        {f"stable_{k}": v for k, v in f1_stable(true_ehull[ok] <= 0.0, raw[ok] <= 0.0).items()}
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="structure-model tiers on shipped MP data")
    parser.add_argument("--update-cards", action="store_true", help="write figures into cards")
    args = parser.parse_args(argv)

    from pymatgen.core import Structure

    from matdiscover.science.models.chgnet_path import (
        evaluate_structures,
        formation_energy_sigma,
        load_references,
    )
    from matdiscover.science.models.chgnet_path import (
        formation_energy_per_atom as chg_formation_energy,
    )
    from matdiscover.science.models.sevennet_path import (
        calibrated_sigma,
        evaluate_energies,
        formation_energy_per_atom,
        load_sevennet_references,
    )
    from matdiscover.science.models.sevennet_path.build import mp_formation_rows

    payload = json.loads(REFS.read_text())
    test_ids = set(payload["split"]["test_ids"])
    rows = mp_formation_rows()
    rows = rows[rows["source_id"].isin(test_ids)].reset_index(drop=True)
    structures = [Structure.from_dict(json.loads(s)) for s in rows["structure"]]
    formulas = [s.composition.reduced_formula for s in structures]
    y = rows["formation_energy"].to_numpy(dtype=float)
    ehull = rows["energy_above_hull"].astype(float).to_numpy()
    load0 = os.getloadavg()

    timings: dict[str, list[float]] = {}
    raw: dict[str, list[float]] = {}
    for m in ("7net-0", "7net-l3i5"):
        evaluate_energies(structures[:2], m)  # load + warm
        t = time.perf_counter()
        raw[m] = evaluate_energies(structures, m)
        timings[m] = [time.perf_counter() - t]
    evaluate_structures(structures[:2])
    t = time.perf_counter()
    chg_e = [r.energy_per_atom for r in evaluate_structures(structures, batch_size=16)]
    timings["chgnet"] = [time.perf_counter() - t]

    e_form: dict[str, NDArray[np.float64]] = {}
    sigma: dict[str, NDArray[np.float64]] = {}
    refs = {m: load_sevennet_references(m) for m in ("7net-0", "7net-l3i5")}
    for m in refs:
        e_form[m] = np.array(
            [
                formation_energy_per_atom(s, e, refs[m])
                for s, e in zip(structures, raw[m], strict=True)
            ]
        )
    spread = np.abs(e_form["7net-0"] - e_form["7net-l3i5"])
    for m in refs:
        sigma[m] = np.array(
            [
                calibrated_sigma(s.composition, d, refs[m])
                for s, d in zip(structures, spread, strict=True)
            ]
        )
    chg_refs = load_references()
    e_form["chgnet"] = np.array(
        [
            chg_formation_energy(s, e, references=chg_refs)[0]
            for s, e in zip(structures, chg_e, strict=True)
        ]
    )
    sigma["chgnet"] = np.array(
        [formation_energy_sigma(s.composition, chg_refs) for s in structures]
    )

    models: dict[str, dict[str, float]] = {}
    for m in ("chgnet", "7net-0", "7net-l3i5"):
        err = e_form[m] - y
        models[m] = {
            "formation_energy_mae_eV/atom": float(np.mean(np.abs(err))),
            "formation_energy_rmse_eV/atom": float(np.sqrt(np.mean(err**2))),
            "formation_energy_median_ae_eV/atom": float(np.median(np.abs(err))),
            "coverage_1sigma": float(np.mean(np.abs(err) <= sigma[m])),
            "coverage_2sigma": float(np.mean(np.abs(err) <= 2 * sigma[m])),
            "coverage_95_interval": float(np.mean(np.abs(err) <= 1.959964 * sigma[m])),
            "mean_sigma_eV/atom": float(np.mean(sigma[m])),
            **hull_metrics(formulas, e_form[m], ehull),
            "single_point_seconds_total": timings[m][0],
            "single_point_seconds_per_structure": timings[m][0] / len(structures),
        }
    floor = hull_metrics(formulas, y, ehull)
    res = {
        "benchmark": "structure_models",
        "set": {
            "source": "data/reference/known_structures.parquet, materials_project rows of "
            "matminer 0.4.2 flla_2015 (formation_energy: MP legacy-corrected 2015 values)",
            "split": "test split of data/sevennet_references/references.json (grouped by "
            "chemical system, stratified by anion class x n elements, seed 15)",
            "n": len(structures),
            "mean_sites": float(np.mean([len(s) for s in structures])),
            "static": "single points of the MP-relaxed structures, no relaxation",
            "hull": "platform hull: mp_e_form (Matbench v0.1, MP legacy corrections)",
            "stable_definition": "true: shipped energy_above_hull <= 0; predicted: predicted "
            "formation energy on or below the platform hull",
            "overlap": "NOT held out for the potentials: CHGNet and SevenNet were trained on "
            "MPtrj, which contains these Materials Project compounds",
        },
        "models": models,
        "mp_label_on_platform_hull": floor,
        "committee_spread_mean_eV/atom": float(np.mean(spread)),
        "threads": 1,
        "load_average_start": list(load0),
        "load_average_end": list(os.getloadavg()),
        "machine_note": "2-core VM shared with other jobs; timings are upper bounds",
    }
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "structure_models.json").write_text(json.dumps(res, indent=1) + "\n")
    print(f"{len(structures)} shipped MP structures (test split); trained-on data, see JSON")
    print(
        f"{'tier':10s} {'E_f MAE':>8s} {'E_hull MAE':>10s} {'F1':>6s} {'cov1':>5s} "
        f"{'cov2':>5s} {'s/str':>6s}"
    )
    for m, r in models.items():
        print(
            f"{m:10s} {r['formation_energy_mae_eV/atom']:8.4f} "
            f"{r['e_above_hull_mae_eV/atom']:10.4f}"
            f" {r['stable_f1']:6.3f} {r['coverage_1sigma']:5.2f} {r['coverage_2sigma']:5.2f}"
            f" {r['single_point_seconds_per_structure']:6.3f}"
        )
    print(
        f"MP label on platform hull: E_hull MAE {floor['e_above_hull_mae_eV/atom']:.4f}, "
        f"F1 {floor['stable_f1']:.3f}"
    )
    if args.update_cards:
        from matdiscover.science.models.sevennet_path.build import structure_cards, write_cards

        write_cards(structure_cards(payload), ROOT / "data" / "models", benchmark=res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
