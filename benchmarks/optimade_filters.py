"""OPTIMADE filter latency over the full reference set, through HTTP.

Usage:
    python benchmarks/optimade_filters.py --data-dir DIR [--copy-from /tmp/devdb] [--repeats 5]

``DIR`` is a loaded data directory (``python benchmarks/reference_load.py --keep-in DIR``);
with ``--copy-from SRC`` it is first made as a copy of ``SRC`` (so ``SRC`` is never
migrated or written). The database is migrated to head, the API is served by uvicorn on
loopback in this process, and each filter of the test table
(``tests/platform/test_optimade_server.py``) is sent ``--repeats`` times (after one warm-up)
to ``/optimade/v1/structures`` with the default page size. Writes
benchmarks/results/optimade_filters.json; the target is p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGET_P95_MS = 200.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--copy-from", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.platform.live import serve_in_thread
    from tests.platform.test_optimade_server import FILTERS

    from matdiscover.api.app import create_app
    from matdiscover.db.embedded import start_embedded
    from matdiscover.db.engine import create_db_engine
    from matdiscover.db.migrate import upgrade
    from matdiscover.settings import Settings

    if args.copy_from:
        if args.data_dir.exists():
            raise SystemExit(f"{args.data_dir} exists; pass a new directory with --copy-from")
        t0 = time.perf_counter()
        # cp -a keeps the owner (the embedded server's system user) of every file
        subprocess.run(["cp", "-a", str(args.copy_from), str(args.data_dir)], check=True)
        print(f"copied {args.copy_from} in {time.perf_counter() - t0:.0f} s")
    server = start_embedded(args.data_dir)
    engine = create_db_engine(server.url)
    upgrade(engine)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM materials")).scalar_one()
        structures = conn.execute(
            text("SELECT count(*) FROM materials WHERE structure IS NOT NULL")
        ).scalar_one()
        conn.execute(text("ANALYZE materials"))
    engine.dispose()
    settings = Settings(database_url=server.url, data_dir=args.data_dir, auto_predict=False)
    rows = []
    try:
        with serve_in_thread(create_app(settings)) as url, httpx.Client(timeout=60) as http:
            for flt, _ in FILTERS:
                params = {"filter": flt}
                first = http.get(f"{url}/optimade/v1/structures", params=params)
                assert first.status_code == 200, first.text
                times = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    r = http.get(f"{url}/optimade/v1/structures", params=params)
                    times.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                rows.append(
                    {
                        "filter": flt,
                        "data_returned": first.json()["meta"]["data_returned"],
                        "median_ms": round(statistics.median(times), 1),
                        "max_ms": round(max(times), 1),
                    }
                )
                print(f"{rows[-1]['median_ms']:8.1f} ms  {rows[-1]['data_returned']:>8}  {flt}")
    finally:
        server.stop()
    medians = [r["median_ms"] for r in rows]
    result = {
        "benchmark": "optimade_filters",
        "materials": total,
        "structures": structures,
        "filters": len(rows),
        "repeats": args.repeats,
        "page_limit": 20,
        "p50_ms": round(statistics.median(medians), 1),
        "p95_ms": round(_p95(medians), 1),
        "max_ms": round(max(medians), 1),
        "target_p95_ms": TARGET_P95_MS,
        "passed": _p95(medians) <= TARGET_P95_MS,
        "machine": {"python": platform.python_version(), "cpu": platform.processor()},
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimade_filters.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
