"""Throughput of the composition models: 10,000 formulas, all six properties.

Measures (single process; run with OMP_NUM_THREADS=1) the cold load time of all six
artifacts, featurisation alone, and predict_compositions end to end with an empty
formula-parse cache. Reports wall-clock throughput and throughput per CPU-second of this
process (the latter is robust to other processes competing for the cores; the load
average is recorded). Writes benchmarks/results/composition_speed.json.
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

from matdiscover.science.featurize import featurize_compositions
from matdiscover.science.featurize.formula import _parse_cached
from matdiscover.science.models.composition import (
    PROPERTIES,
    load_composition_model,
    predict_compositions,
)
from matdiscover.science.reference_data import load_table

OUT = Path(__file__).resolve().parent / "results" / "composition_speed.json"
N = 10_000


def main() -> None:
    formulas = load_table("mp_e_form")["formula"].tolist()
    rng = np.random.default_rng(0)
    sample = [formulas[i] for i in rng.choice(len(formulas), N, replace=False)]
    t = time.perf_counter()
    for p in PROPERTIES:
        load_composition_model(p)
    cold_load = time.perf_counter() - t

    _parse_cached.cache_clear()
    t = time.perf_counter()
    featurize_compositions(sample)
    feat = time.perf_counter() - t

    _parse_cached.cache_clear()
    t, c = time.perf_counter(), time.process_time()
    df = predict_compositions(sample)
    total, total_cpu = time.perf_counter() - t, time.process_time() - c
    assert len(df) == N

    per_prop = {}
    batch = featurize_compositions(sample)
    for p in PROPERTIES:
        t = time.perf_counter()
        load_composition_model(p).predict_features(batch, N)
        per_prop[p] = N / (time.perf_counter() - t)
    res = {
        "n_formulas": N,
        "cold_load_seconds_all_six": cold_load,
        "featurize_formulas_per_s": N / feat,
        "all_six_formulas_per_s": N / total,
        "all_six_formulas_per_cpu_s": N / total_cpu,
        "load_average_1min": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "per_property_formulas_per_s_excluding_featurisation": per_prop,
        "target_all_six_formulas_per_s": 2000,
    }
    print(json.dumps(res, indent=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
