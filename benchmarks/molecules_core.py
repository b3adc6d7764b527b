"""Throughput of the molecule chemistry core on one process (no queue, no database).

10,000 SMILES of the MoleculeACE seed set (first occurrence of each distinct SMILES, in file
order, with that row's activity) go through parse + standardise + descriptors + pActivity +
efficiency indices + alerts (PAINS A/B/C, Brenk, NIH) + O[Q/P/L]A score
(the steps of ``profile_molecule``, timed one by one; like ``profile_molecule`` it computes
one pattern fingerprint of the parent, step ``screen``, that alerts and QED share); a SMILES
the reader refuses (more than 200 heavy atoms) counts as a row error. The whole pass is
timed ``--repeats`` times; min and median are reported, with the per-molecule time and the
time per step of the last pass. It also times ECFP4 top-20 Tanimoto queries over every
distinct seed SMILES (``FingerprintIndex``).

Usage:
    python benchmarks/molecules_core.py [--n 10000] [--repeats 3] [--queries 200]

Writes benchmarks/results/molecules_core.json (with the load average at start and end).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

import rdkit
from rdkit import Chem

from matdiscover.errors import InvalidInput
from matdiscover.science.chemistry import (
    Activity,
    FingerprintIndex,
    efficiency_indices,
    load_moleculeace_seed,
    oqpla_score,
    p_activity,
    parse_smiles,
    standardise,
)
from matdiscover.science.chemistry._screen import pattern_bits
from matdiscover.science.chemistry.alerts import ALL_CATALOGS, _find_alerts
from matdiscover.science.chemistry.descriptors import _descriptors

RESULTS = Path(__file__).resolve().parent / "results"


def one_pass(rows: list[tuple[str, float, str]]) -> tuple[float, dict[str, float], dict[str, int]]:
    steps = dict.fromkeys(
        ("parse", "standardise", "screen", "descriptors", "indices", "alerts", "score"), 0.0
    )
    classes: dict[str, int] = {}
    clock = time.perf_counter
    start = clock()
    for smiles, value, kind in rows:
        t0 = clock()
        try:
            mol = parse_smiles(smiles)
        except InvalidInput:  # a row error (e.g. > 200 heavy atoms), as the reader reports it
            classes["row error"] = classes.get("row error", 0) + 1
            steps["parse"] += clock() - t0
            continue
        t1 = clock()
        std = standardise(mol)
        t2 = clock()
        bits = pattern_bits(std.mol)
        t2s = clock()
        desc = _descriptors(std.mol, bits=bits)
        t3 = clock()
        pa = p_activity(Activity(value=value, unit="nM", type=kind))
        efficiency_indices(
            pa.value,
            mw=desc.mw,
            tpsa=desc.tpsa,
            clogp=desc.clogp,
            heavy_atoms=desc.heavy_atoms,
            n_o_count=desc.n_o_count,
        )
        t4 = clock()
        alerts = _find_alerts(std.mol, catalogs=ALL_CATALOGS, bits=bits)
        t5 = clock()
        score = oqpla_score(desc, p_activity=pa.value, alerts=alerts)
        t6 = clock()
        classes[score.classification] = classes.get(score.classification, 0) + 1
        for name, a, b in (
            ("parse", t0, t1),
            ("standardise", t1, t2),
            ("screen", t2, t2s),
            ("descriptors", t2s, t3),
            ("indices", t3, t4),
            ("alerts", t4, t5),
            ("score", t5, t6),
        ):
            steps[name] += b - a
    return clock() - start, steps, classes


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()

    load_start = os.getloadavg()[0]
    seed = load_moleculeace_seed()
    first = seed.drop_duplicates("smiles")
    rows = list(
        zip(
            first["smiles"].head(args.n),
            first["value"].head(args.n).astype(float),
            first["activity_type"].head(args.n),
            strict=True,
        )
    )
    totals: list[float] = []
    steps: dict[str, float] = {}
    classes: dict[str, int] = {}
    for repeat in range(args.repeats):
        total, steps, classes = one_pass(rows)
        totals.append(total)
        print(
            f"pass {repeat + 1}: {len(rows):,} molecules in {total:.1f} s "
            f"({1000 * total / len(rows):.2f} ms/molecule)"
        )

    # similarity: top-20 over every distinct seed SMILES
    all_smiles = first["smiles"].tolist()
    t0 = time.perf_counter()
    mols = [Chem.MolFromSmiles(s) for s in all_smiles]
    index = FingerprintIndex.from_mols(mols, keys=all_smiles)
    build_s = time.perf_counter() - t0
    rng = random.Random(19)
    latencies = []
    for i in rng.sample(range(len(mols)), args.queries):
        t = time.perf_counter()
        hits = index.top_k(mols[i], k=20)
        latencies.append(time.perf_counter() - t)
        assert hits[0].similarity == 1.0
    latencies.sort()

    out: dict[str, Any] = {
        "molecules": len(rows),
        "repeats": args.repeats,
        "pipeline": "parse_smiles + standardise + descriptors + p_activity + "
        "efficiency_indices + find_alerts (PAINS_A/B/C, BRENK, NIH) + oqpla_score "
        "(alerts and QED share one pattern-fingerprint screen, as in profile_molecule)",
        "total_s_min": round(min(totals), 3),
        "total_s_median": round(statistics.median(totals), 3),
        "ms_per_molecule_min": round(1000 * min(totals) / len(rows), 3),
        "ms_per_molecule_median": round(1000 * statistics.median(totals) / len(rows), 3),
        "step_s_last_pass": {k: round(v, 3) for k, v in steps.items()},
        "classes_last_pass": dict(sorted(classes.items())),
        "similarity": {
            "indexed": len(mols),
            "k": 20,
            "queries": args.queries,
            "fingerprint_build_s": round(build_s, 3),
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 3),
            "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95) - 1], 3),
        },
        "processes": 1,
        "cpu_count": os.cpu_count(),
        "load_avg_1m_at_start": round(load_start, 2),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "rdkit": rdkit.__version__,
        "python": platform.python_version(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "molecules_core.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    print(
        f"per molecule: min {out['ms_per_molecule_min']} ms, "
        f"median {out['ms_per_molecule_median']} ms (one process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
