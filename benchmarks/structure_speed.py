"""Speed of the CHGNet structure path on this machine (1 thread, CPU).

Measures
- cold start: a fresh subprocess doing import + model load + first full prediction
  (formation energy + energy above hull, including the reference-hull index build);
- warm single-structure latency (all structure properties, cells of ≤ 30 sites): p50/p95;
- batch throughput: 100 structures through ``evaluate_structures`` (energies, forces,
  stress, magmoms, features) and through ``predict_structure_properties``.

Run:  nice -n 5 .venv/bin/python benchmarks/structure_speed.py
Writes benchmarks/results/structure_speed.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from pymatgen.core import Structure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

COLD = """
import time; t0 = time.perf_counter()
import torch; torch.set_num_threads(1)
from matdiscover.science.models.chgnet_path import prototypes as P
from matdiscover.science.models.chgnet_path.predict import predict_structure_properties
t_import = time.perf_counter() - t0
from matdiscover.science.models.chgnet_path import load_chgnet
load_chgnet(); t_load = time.perf_counter() - t0
predict_structure_properties([P.rocksalt("Na", "Cl", 5.64)])
t_first = time.perf_counter() - t0
print(t_import, t_load, t_first)
"""


def structures() -> list[Structure]:
    from matdiscover.science.models.chgnet_path import prototypes as P

    base = [
        P.rocksalt("Mg", "O", 4.21),
        P.zincblende("Ga", "As", 5.65),
        P.wurtzite("Zn", "O", 3.25, 5.21, 0.382),
        P.fluorite("Ca", "F", 5.46),
        P.rutile("Ti", "O", 4.59, 2.96, 0.305),
        P.corundum("Al", "O", 4.76, 12.99),
        P.perovskite("Sr", "Ti", "O", 3.905),
        P.l12("Ni", "Al", 3.57),
        P.rocksalt("Na", "Cl", 5.64, primitive=False),
        P.perovskite("Ba", "Zr", "O", 4.19) * (2, 1, 1),
    ]
    rng = np.random.default_rng(0)
    out = []
    for i in range(100):
        s = base[i % len(base)].copy()
        s.perturb(0.03 * rng.random())
        out.append(s)
    return out


def main() -> int:
    from matdiscover.science.models.chgnet_path import evaluate_structures, load_chgnet
    from matdiscover.science.models.chgnet_path.predict import predict_structure_properties
    from matdiscover.science.thermo import ReferenceHull

    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    cold = []
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, env=env, check=True
        )
        cold.append([float(x) for x in out.stdout.split()[-3:]])

    load_chgnet()
    hull = ReferenceHull.from_dataset("mp_e_form")
    structs = structures()
    assert max(len(s) for s in structs) <= 30
    predict_structure_properties(structs[:10], hull=hull)  # warm the per-system hull cache
    lat = []
    for s in structs[:40]:
        t = time.perf_counter()
        predict_structure_properties([s], hull=hull)
        lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    evaluate_structures(structs, batch_size=16)
    t_eval = time.perf_counter() - t
    t = time.perf_counter()
    predict_structure_properties(structs, hull=hull)
    t_pred = time.perf_counter() - t
    res = {
        "benchmark": "structure_speed",
        "threads": 1,
        "machine_note": "2-core VM shared with other jobs; numbers are upper bounds",
        "cold_start_s": {
            "import": min(c[0] for c in cold),
            "import_plus_load": min(c[1] for c in cold),
            "first_prediction_total": min(c[2] for c in cold),
            "runs": cold,
        },
        "warm_single_latency_s": {
            "p50": float(np.percentile(lat, 50)),
            "p95": float(np.percentile(lat, 95)),
            "n": len(lat),
            "sites_max": max(len(s) for s in structs[:40]),
        },
        "batch_100": {
            "evaluate_structures_s": t_eval,
            "evaluate_structures_per_s": 100 / t_eval,
            "predict_structure_properties_s": t_pred,
            "predict_structure_properties_per_s": 100 / t_pred,
            "mean_sites": float(np.mean([len(s) for s in structs])),
        },
    }
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "structure_speed.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
