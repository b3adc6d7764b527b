"""Throughput of the composition models: 10,000 MP formulas, all six properties.

Measures (single process; run with OMP_NUM_THREADS=1), through the public batch path
that batch jobs use (:func:`matdiscover.science.batch.predict_formula_table`):

- the cold load time of the five composition models, the hull route and the reference
  hull;
- featurisation alone;
- ``predict_formula_table`` end to end for all six properties and for the five model
  properties (everything but ``energy_above_hull``), each with an empty formula-parse
  cache and an empty hull cache (every chemical system placed cold);
- per property, excluding featurisation: each model's ``predict_features`` and, for
  ``energy_above_hull``, the hull placement of the predicted formation energies.

Reports wall-clock throughput and throughput per CPU-second of this process (robust to
other processes competing for the cores; the 1-minute load average is recorded).
Writes benchmarks/results/composition_speed.json.
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

from matdiscover.science.batch import predict_formula_table
from matdiscover.science.featurize import featurize_compositions
from matdiscover.science.featurize.formula import _parse_cached
from matdiscover.science.models.composition import (
    PROPERTIES,
    load_composition_model,
    load_hull_route,
)
from matdiscover.science.reference_data import load_table
from matdiscover.science.thermo import reference_hull

OUT = Path(__file__).resolve().parent / "results" / "composition_speed.json"
N = 10_000
E_HULL = "energy_above_hull"
MODEL_PROPS = [p for p in PROPERTIES if p != E_HULL]


def _cold() -> None:
    _parse_cached.cache_clear()
    reference_hull().clear_cache()


def _timed_table(sample: list[str], props: list[str]) -> tuple[float, float]:
    _cold()
    t, c = time.perf_counter(), time.process_time()
    df = predict_formula_table(sample, properties=props)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    assert len(df) == N and df["error"].isna().all()
    return N / wall, N / cpu


def main() -> None:
    formulas = load_table("mp_e_form")["formula"].tolist()
    rng = np.random.default_rng(0)
    sample = [formulas[i] for i in rng.choice(len(formulas), N, replace=False)]
    t = time.perf_counter()
    for p in MODEL_PROPS:
        load_composition_model(p)
    load_hull_route()
    reference_hull()
    cold_load = time.perf_counter() - t

    _parse_cached.cache_clear()
    t = time.perf_counter()
    batch = featurize_compositions(sample)
    feat = time.perf_counter() - t

    six, six_cpu = _timed_table(sample, list(PROPERTIES))
    five, five_cpu = _timed_table(sample, MODEL_PROPS)

    per_prop: dict[str, float] = {}
    eform = None
    for p in MODEL_PROPS:
        t = time.perf_counter()
        pred = load_composition_model(p).predict_features(batch, N)
        per_prop[p] = N / (time.perf_counter() - t)
        if p == "formation_energy":
            eform = pred
    assert eform is not None
    reference_hull().clear_cache()
    t = time.perf_counter()
    load_hull_route().predict(sample, eform)
    per_prop[E_HULL] = N / (time.perf_counter() - t)

    res = {
        "n_formulas": N,
        "sample": "10,000 random mp_e_form formulas (numpy default_rng(0))",
        "path": "matdiscover.science.batch.predict_formula_table (as batch jobs)",
        "cold_load_seconds_models_hull_route_and_reference_hull": cold_load,
        "featurize_formulas_per_s": N / feat,
        "all_six_formulas_per_s": six,
        "all_six_formulas_per_cpu_s": six_cpu,
        "five_model_properties_formulas_per_s": five,
        "five_model_properties_formulas_per_cpu_s": five_cpu,
        "distinct_chemical_systems": len({tuple(sorted(parse)) for parse in map(_els, sample)}),
        "load_average_1min": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "per_property_formulas_per_s_excluding_featurisation": per_prop,
        "target_all_six_formulas_per_s": 2000,
    }
    print(json.dumps(res, indent=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")


def _els(formula: str) -> list[str]:
    return [el for el, _ in _parse_cached(formula)]


if __name__ == "__main__":
    main()
