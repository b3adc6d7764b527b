"""HNSW similarity search over composition embeddings: latency, recall@k, build time.

Usage:
    python benchmarks/similarity.py --data-dir DIR [--queries 200] [--k 20] [--no-build]

Needs a data directory loaded with the reference database (see search_latency.py).
Queries are embeddings of random stored formulas; exact neighbours come from a numpy
brute-force scan of all stored vectors; latency is the SQL round trip of
``ORDER BY embedding <=> q LIMIT k`` with ``SET LOCAL hnsw.ef_search``. Unless
``--no-build``, it also times a clean build of the HNSW index exactly as the schema
declares it (``CompositionEmbedding`` in ``matdiscover.domains.similarity.models``: m=16,
ef_construction=64) with maintenance_work_mem=1GB, as a temporary second index over the
same table. Writes benchmarks/results/similarity.json (with the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from pgvector.psycopg import register_vector

from matdiscover.db.embedded import start_embedded

RESULTS = Path(__file__).resolve().parent / "results"
EF_VALUES = (20, 40, 64, 100, 150, 200)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--no-build", dest="build", action="store_false")
    args = ap.parse_args()
    import psycopg

    db = start_embedded(args.data_dir)
    conninfo = db.url.replace("postgresql+psycopg://", "postgresql://", 1)
    out: dict[str, Any] = {
        "k": args.k,
        "queries": args.queries,
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
    }
    with psycopg.connect(conninfo, autocommit=True) as conn:
        register_vector(conn)
        rows = conn.execute(
            "SELECT reduced_formula, embedding FROM composition_embeddings"
        ).fetchall()
        names = [r[0] for r in rows]
        matrix = np.stack([np.asarray(r[1].to_numpy(), dtype=np.float32) for r in rows])
        out["vectors"] = len(names)
        out["dim"] = int(matrix.shape[1])
        rng = np.random.default_rng(0)
        qidx = rng.choice(len(names), args.queries, replace=False)
        exact_t0 = time.perf_counter()
        sims = matrix[qidx] @ matrix.T  # unit vectors: cosine similarity
        kth = -np.partition(-sims, args.k - 1, axis=1)[:, args.k - 1]
        out["numpy_exact_ms_per_query"] = round(
            (time.perf_counter() - exact_t0) * 1000 / args.queries, 2
        )
        curve = []
        for ef in EF_VALUES:
            lat = []
            recalls = []
            for qi, i in enumerate(qidx):
                with conn.transaction():
                    conn.execute(f"SET LOCAL hnsw.ef_search = {ef}")
                    t0 = time.perf_counter()
                    got = conn.execute(
                        "SELECT reduced_formula, 1 - (embedding <=> %s) "
                        "FROM composition_embeddings "
                        "ORDER BY embedding <=> %s LIMIT %s",
                        (matrix[i], matrix[i], args.k),
                    ).fetchall()
                    lat.append((time.perf_counter() - t0) * 1000)
                # ties at the k-th distance count as hits
                hits = sum(1 for _, s in got if s >= kth[qi] - 1e-5)
                recalls.append(min(hits, args.k) / args.k)
            lat.sort()
            point = {
                "ef_search": ef,
                "recall_at_k": round(float(np.mean(recalls)), 4),
                "p50_ms": round(statistics.median(lat), 2),
                "p95_ms": round(lat[int(0.95 * len(lat)) - 1], 2),
            }
            curve.append(point)
            print(point, flush=True)
        out["curve"] = curve
        with conn.transaction():
            conn.execute("SET LOCAL enable_indexscan = off")
            t0 = time.perf_counter()
            for i in qidx[:10]:
                conn.execute(
                    "SELECT reduced_formula FROM composition_embeddings "
                    "ORDER BY embedding <=> %s LIMIT %s",
                    (matrix[i], args.k),
                ).fetchall()
            out["sql_exact_scan_ms_per_query"] = round((time.perf_counter() - t0) * 100, 1)
        if args.build:
            from matdiscover.domains.similarity.models import CompositionEmbedding

            (index,) = CompositionEmbedding.metadata.tables["composition_embeddings"].indexes
            params = dict(index.dialect_options["postgresql"]["with"])
            with_sql = ", ".join(f"{k} = {v}" for k, v in params.items())
            conn.execute("SET maintenance_work_mem = '1GB'")
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            conn.execute(
                "CREATE INDEX bench_hnsw_tmp ON composition_embeddings "
                f"USING hnsw (embedding vector_cosine_ops) WITH ({with_sql})"
            )
            out["index_build"] = {
                "seconds": round(time.perf_counter() - t0, 1),
                "vectors": len(names),
                "params": params,
                "maintenance_work_mem": "1GB",
                "parallel_workers": int(
                    conn.execute("SHOW max_parallel_maintenance_workers").fetchone()[0]
                ),
                "load_avg_1m_at_start": round(load, 2),
            }
            conn.execute("DROP INDEX bench_hnsw_tmp")
            print("build", out["index_build"], flush=True)
    good = [p for p in curve if p["recall_at_k"] >= 0.95 and p["p50_ms"] <= 20]
    out["chosen"] = good[0] if good else None
    out["machine"] = {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "similarity.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out["chosen"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
