"""Batch screening throughput, end to end through the real stack.

Starts `matdiscover serve --workers 2` (embedded PostgreSQL, API, two worker
processes) in a fresh data directory, then measures wall time from submitting a
job to having the results file downloaded:

1. 10,000 compositions x all six composition-model properties;
2. 100 CIF files through the structure path (CHGNet, no relaxation).

Writes benchmarks/results/batch_throughput.json and prints a summary.
Usage: .venv/bin/python benchmarks/batch_throughput.py [--rows 10000] [--cifs 100]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"

CATIONS = [
    "Li",
    "Na",
    "K",
    "Rb",
    "Cs",
    "Mg",
    "Ca",
    "Sr",
    "Ba",
    "Al",
    "Ga",
    "In",
    "Ti",
    "Zr",
    "Fe",
    "Co",
    "Ni",
    "Cu",
    "Zn",
    "Mn",
    "Cr",
    "V",
    "Nb",
    "Ta",
    "Y",
    "La",
    "Sc",
    "Sn",
]
ANIONS = ["O", "S", "Se", "F", "Cl", "Br", "N", "P", "As", "Te"]


def candidate_formulas(n: int, seed: int = 7) -> list[str]:
    """Screening-style candidates: binaries and ternaries with small integer stoichiometry."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a, b = rng.sample(CATIONS, 2)
        x = rng.choice(ANIONS)
        if rng.random() < 0.4:
            out.append(f"{a}{rng.randint(1, 3)}{x}{rng.randint(1, 4)}")
        else:
            out.append(f"{a}{rng.randint(1, 2)}{b}{rng.randint(1, 2)}{x}{rng.randint(1, 6)}")
    return out


def prototype_cifs(n: int, seed: int = 11) -> list[tuple[str, str]]:
    """n small crystals (rock salt, CsCl, zinc blende, fluorite, perovskite) as CIF text."""
    from pymatgen.core import Lattice, Structure

    from matdiscover.science.io import write_structure

    rng = random.Random(seed)
    protos = [
        ("Fm-3m", ["A", "X"], [[0, 0, 0], [0.5, 0.5, 0.5]], 5.3),
        ("Pm-3m", ["A", "X"], [[0, 0, 0], [0.5, 0.5, 0.5]], 3.6),
        ("F-43m", ["A", "X"], [[0, 0, 0], [0.25, 0.25, 0.25]], 5.6),
        ("Fm-3m", ["X", "A"], [[0, 0, 0], [0.25, 0.25, 0.25]], 5.5),
        ("Pm-3m", ["B", "A", "X"], [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0]], 3.9),
    ]
    out = []
    for i in range(n):
        sg, roles, coords, a = protos[i % len(protos)]
        cat1, cat2 = rng.sample(CATIONS, 2)
        anion = rng.choice(["O", "S", "F", "Cl"])
        species = [{"A": cat1, "B": cat2, "X": anion}[r] for r in roles]
        s = Structure.from_spacegroup(
            sg, Lattice.cubic(a * rng.uniform(0.95, 1.08)), species, coords
        )
        out.append((f"cand_{i:03d}.cif", write_structure(s, "cif")))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_job(http: httpx.Client, name: str, data: bytes, timeout: float = 900) -> dict:  # type: ignore[type-arg]
    t0 = time.perf_counter()
    job = http.post("/api/v1/jobs/batch-predictions", files={"file": (name, data)}).json()
    submitted = time.perf_counter() - t0
    while True:
        state = http.get(f"/api/v1/jobs/{job['id']}").json()
        if state["status"] in ("succeeded", "failed", "cancelled"):
            break
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(state)
        time.sleep(0.2)
    r = http.get(f"/api/v1/jobs/{job['id']}/results", params={"format": "parquet"})
    wall = time.perf_counter() - t0
    frame = pd.read_parquet(io.BytesIO(r.content)) if r.status_code == 200 else pd.DataFrame()
    return {
        "status": state["status"],
        "rows_in": state["total"],
        "rows_out": len(frame),
        "errors": state["error_count"],
        "submit_s": round(submitted, 2),
        "wall_s": round(wall, 2),
        "rows_per_s": round(state["total"] / wall, 1),
        "columns": len(frame.columns),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--cifs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="matdiscover-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATDISCOVER_")}
    env["MATDISCOVER_AUTO_PREDICT"] = "false"
    env["MATDISCOVER_LOAD_REFERENCE"] = "never"
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matdiscover.cli.main",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(root / "data"),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    out: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "workers": args.workers,
    }
    try:
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        deadline = time.monotonic() + 120
        while True:
            try:
                if http.get("/api/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or serve.poll() is not None:
                raise RuntimeError("server did not start")
            time.sleep(0.3)
        while len(http.get("/api/v1/workers").json()) < args.workers:
            time.sleep(0.3)

        csv = pd.DataFrame({"formula": candidate_formulas(args.rows)}).to_csv(index=False).encode()
        out["load_average_1min_before"] = os.getloadavg()[0]
        out["compositions"] = run_job(http, "candidates.csv", csv)
        out["load_average_1min_after_compositions"] = os.getloadavg()[0]

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in prototype_cifs(args.cifs):
                zf.writestr(name, text)
        out["structures"] = run_job(http, "candidates.zip", buf.getvalue())
        out["load_average_1min_after_structures"] = os.getloadavg()[0]
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "batch_throughput.json").write_text(json.dumps(out, indent=2))
    c, s = out["compositions"], out["structures"]
    print(f"machine: {out['machine']}")
    print(
        f"{args.rows} compositions x 6 properties, {args.workers} workers: "
        f"{c['wall_s']} s submit->download ({c['rows_per_s']} rows/s), status {c['status']}"
    )  # type: ignore[index]
    print(
        f"{args.cifs} CIFs, structure path (CHGNet): {s['wall_s']} s "  # type: ignore[index]
        f"({s['rows_per_s']} files/s), status {s['status']}"
    )  # type: ignore[index]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
