"""Full reference-database load into a fresh embedded PostgreSQL.

Measures `load_reference` over every bundled table and the shipped known structures (what
`matdiscover db load-reference` and the first `make run` do), then a second, idempotent
run. Records the time per phase (stage = parse + COPY into staging, insert, index
rebuild, derived = composition embeddings + their HNSW index, vacuum, structures,
compounds = building the known compounds) and the load average.
Writes benchmarks/results/reference_load.json and prints a summary.

Usage:
    python benchmarks/reference_load.py [--keep-in DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from matdiscover.db.embedded import start_embedded, stop_server_at
from matdiscover.db.engine import create_db_engine
from matdiscover.db.migrate import upgrade
from matdiscover.domains.reference.service import load_reference

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--keep-in",
        type=Path,
        help="load into this (new) data directory and keep it, e.g. for search_latency.py",
    )
    args = ap.parse_args()
    load_before = os.getloadavg()
    if args.keep_in is not None and (args.keep_in / "pgdata").exists():
        ap.error(f"{args.keep_in} already holds a database; the benchmark needs a fresh one")
    root = args.keep_in or Path(tempfile.mkdtemp(prefix="matdiscover-bench-ref-"))
    db = start_embedded(root)
    engine = create_db_engine(db.url, pool_size=1)
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        first = load_reference(engine)
        first_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        second = load_reference(engine)
        second_s = time.perf_counter() - t1
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT source_database, count(*) FROM materials GROUP BY 1 ORDER BY 1")
            ).all()
            compounds = conn.execute(
                text("SELECT count(*), count(*) FILTER (WHERE n_structures > 0) FROM compounds")
            ).one()
    finally:
        engine.dispose()
        db.stop()
        stop_server_at(db.pgdata)
        if args.keep_in is None:
            shutil.rmtree(root, ignore_errors=True)
    out = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "load_avg_1m_before": round(load_before[0], 2),
            "load_avg_1m_after": round(os.getloadavg()[0], 2),
        },
        "rows_loaded": first.total_loaded,
        "phases_s": first.phases,
        "derived": first.derived,
        "indexes_rebuilt": len(first.indexes_rebuilt),
        "rows_by_source": {k: int(v) for k, v in rows},
        "tables": first.loaded,
        "structures": first.structures,
        "compounds": int(compounds[0]),
        "compounds_with_structure": int(compounds[1]),
        "first_load_s": round(first_s, 1),
        "second_load_s": round(second_s, 2),
        "second_load_loaded_tables": len(second.loaded),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reference_load.json").write_text(json.dumps(out, indent=2))
    print(
        f"loaded {out['rows_loaded']:,} reference entries in {out['first_load_s']} s "
        f"({out['rows_by_source']}); second run {out['second_load_s']} s, "
        f"{out['second_load_loaded_tables']} tables reloaded; phases {out['phases_s']}; "
        f"load average {out['machine']['load_avg_1m_before']} -> "
        f"{out['machine']['load_avg_1m_after']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
