"""Speed of the default structure tier (SevenNet ``7net-0``) on this machine (1 thread, CPU).

Measures, each over 5 runs (min and median reported):

- cold start: a fresh subprocess doing ``import matdiscover`` + ``matdiscover.predict`` of one
  structure with ``model="7net-0"`` (all six properties: loads both bundled SevenNet
  checkpoints for the committee σ, the reference hull and the composition models);
- warm single prediction: ``matdiscover.predict(structure, model="7net-0")`` (all six
  properties) of 20 shipped Materials Project structures with 20-30 sites (seeded sample);
  p50 per run. The structure path alone (formation energy + energy above hull) is reported
  too.

Targets (issue 15): warm p50 <= 1.5 s for <= 30 sites, cold start <= 20 s.

Run:  nice -n 5 .venv/bin/python benchmarks/structure_speed_sevennet.py
Writes benchmarks/results/structure_speed_sevennet.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5

COLD = """
import time; t0 = time.perf_counter()
import json, matdiscover
from pymatgen.core import Structure
s = Structure.from_dict(json.loads({structure!r}))
t_import = time.perf_counter() - t0
r = matdiscover.predict(s, model="7net-0")
assert r.by_property()["formation_energy"].model.startswith("sevennet-7net-0")
print(t_import, time.perf_counter() - t0)
"""


def sample() -> list[str]:
    from matdiscover.science.known_structures import load_known_structures

    df = load_known_structures()
    df = df[(df["source_database"] == "materials_project") & df["nsites"].between(20, 30)]
    df = df.sort_values("source_id")
    from pymatgen.core import Composition

    from matdiscover.science.models.sevennet_path import load_sevennet_references

    known = set(load_sevennet_references("7net-0").elements)
    df = df[df["formula"].map(lambda f: {e.symbol for e in Composition(f)} <= known)]
    idx = np.random.default_rng(15).choice(len(df), size=20, replace=False)
    return [str(s) for s in df.iloc[sorted(idx)]["structure"]]


def summary(values: list[float]) -> dict[str, object]:
    return {"min": min(values), "median": statistics.median(values), "runs": values}


def main() -> int:
    from pymatgen.core import Structure

    import matdiscover
    from matdiscover.science.models.sevennet_path import predict_structure_properties

    load0 = os.getloadavg()
    texts = sample()
    structures = [Structure.from_dict(json.loads(t)) for t in texts]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cold_total, cold_import = [], []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", COLD.format(structure=texts[0])],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        a, b = (float(x) for x in out.stdout.split()[-2:])
        cold_import.append(a)
        cold_total.append(b)

    for s in structures[:3]:  # warm: models, hull systems, composition models
        matdiscover.predict(s, model="7net-0")
    full_p50, path_p50, all_full = [], [], []
    for _ in range(RUNS):
        lat, lat_path = [], []
        for s in structures:
            t = time.perf_counter()
            matdiscover.predict(s, model="7net-0")
            lat.append(time.perf_counter() - t)
            t = time.perf_counter()
            predict_structure_properties([s], model="7net-0")
            lat_path.append(time.perf_counter() - t)
        full_p50.append(float(np.percentile(lat, 50)))
        path_p50.append(float(np.percentile(lat_path, 50)))
        all_full.extend(lat)
    res = {
        "benchmark": "structure_speed_sevennet",
        "model": "7net-0 (value) + 7net-l3i5 (committee sigma)",
        "threads": 1,
        "structures": {
            "n": len(structures),
            "sites_min": min(len(s) for s in structures),
            "sites_max": max(len(s) for s in structures),
            "source": "shipped MP structures with 20-30 sites, seeded sample (seed 15)",
        },
        "cold_start_s": {
            "import": summary(cold_import),
            "first_prediction_total": summary(cold_total),
        },
        "warm_single_prediction_p50_s": summary(full_p50),
        "warm_single_prediction_p95_s_all_runs": float(np.percentile(all_full, 95)),
        "warm_structure_path_only_p50_s": summary(path_p50),
        "targets": {"warm_p50_s": 1.5, "cold_start_s": 20.0},
        "load_average_start": list(load0),
        "load_average_end": list(os.getloadavg()),
        "machine_note": "2-core VM shared with other jobs; numbers are upper bounds",
    }
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "structure_speed_sevennet.json").write_text(json.dumps(res, indent=1) + "\n")
    print(
        f"7net-0 warm single prediction p50: min {min(full_p50):.3f} s, median "
        f"{statistics.median(full_p50):.3f} s (target 1.5); cold start: min "
        f"{min(cold_total):.1f} s, median {statistics.median(cold_total):.1f} s (target 20); "
        f"load {load0[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
