"""Phase-diagram and stability latency through the HTTP API.

Usage:
    python benchmarks/phase_diagram.py --data-dir DIR

Times the first and warm requests of ``GET /api/v1/phase-diagram`` for Li-Fe-O, Al-Ni,
Li-Fe-P-O, Na-Cl and one ``/materials/{id}/stability``. The API builds the MP hull from
``mp_e_form`` in a background thread when it starts, so the first request is timed twice,
each on a freshly started server: sent the moment ``/health`` answers (it may still wait
for the build: the worst case), and sent 10 s after start-up (a user's first click).
Writes benchmarks/results/phase_diagram.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_latency import api_server, database

RESULTS = Path(__file__).resolve().parent / "results"
SYSTEMS = ("Li-Fe-O", "Al-Ni", "Li-Fe-P-O", "Na-Cl")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--out", default="phase_diagram.json", help="file in benchmarks/results/")
    ap.add_argument("--note", help="how the run was made, e.g. the extra load applied")
    args = ap.parse_args()
    out: dict[str, object] = {}
    load_before = os.getloadavg()[0]
    with database(args.data_dir) as (url, info):
        with (
            api_server(url, args.data_dir) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            time.sleep(10)
            t0 = time.perf_counter()
            client.get("/phase-diagram", params={"chemsys": SYSTEMS[0]}).raise_for_status()
            out["first_request_10s_after_start_s"] = round(time.perf_counter() - t0, 3)
        with (
            api_server(url, args.data_dir) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            t0 = time.perf_counter()
            client.get("/phase-diagram", params={"chemsys": SYSTEMS[0]}).raise_for_status()
            out["first_request_at_start_s"] = round(time.perf_counter() - t0, 3)
            _warm_requests(client, args.repeats, out)
    out["machine"] = {
        "cpus": os.cpu_count(),
        "load_avg_1m_before": round(load_before, 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }
    out["database"] = info
    if args.note:
        out["note"] = args.note
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(out, indent=2))
    print({k: v for k, v in out.items() if k.startswith("first") or k == "machine"})
    return 0


def _warm_requests(client: httpx.Client, repeats: int, out: dict[str, object]) -> None:
    """Median/max of warm requests per system, and one stability request."""
    for chemsys in SYSTEMS:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            r = client.get("/phase-diagram", params={"chemsys": chemsys})
            times.append(time.perf_counter() - t0)
            r.raise_for_status()
        body = r.json()
        out[chemsys] = {
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "entries": len(body["entries"]),
            "stable": body["stable"],
        }
        print(chemsys, out[chemsys]["median_s"], "s", len(body["stable"]), "stable")
    mp = client.get(
        "/materials",
        params={
            "reduced_formula": "LiFeO2",
            "source_database": "materials_project",
            "formation_energy_min": -10,
        },
    ).json()["items"]
    if mp:
        t0 = time.perf_counter()
        r = client.get(f"/materials/{mp[0]['id']}/stability")
        out["stability_s"] = round(time.perf_counter() - t0, 3)
        out["stability_example"] = r.json()


if __name__ == "__main__":
    raise SystemExit(main())
