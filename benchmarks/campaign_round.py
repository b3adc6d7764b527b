"""Campaign ranking round on a 10,000-candidate composition pool, end to end through the
real stack.

Starts `matdiscover serve --workers 2` (embedded PostgreSQL, API, two worker processes) in
a fresh data directory, creates a project and then, per run, a campaign whose pool is
10,000 distinct reduced formulas (a fixed-seed sample of the shipped mp_e_form table, sent
as CSV text in the create request) and times POST .../rounds -> the round's job
succeeded, polling GET /jobs/{id} every 0.1 s. The round predicts the objective
properties with σ for every candidate on a worker (band gap, bulk modulus, and the energy
above hull for the stability constraint, which needs the formation energy), applies the
constraint, ranks two objectives (band gap in a 1.1-1.7 eV window, bulk modulus max) by
UCB and Pareto front, and picks a diverse batch of 20.

The first run on the fresh server includes loading the models into the worker that takes
it (cold); the others find them loaded, unless the other worker picks the job up. The
machine is shared with other work: the load average before and after each run is
recorded.

Writes benchmarks/results/campaign_round.json and prints a summary.
Usage: .venv/bin/python benchmarks/campaign_round.py [--candidates 10000] [--runs 4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_S = 30.0


def pool_formulas(n: int, seed: int) -> list[str]:
    """``n`` distinct reduced formulas from the shipped mp_e_form table (fixed seed)."""
    from pymatgen.core import Composition

    from matdiscover.science.reference_data import load_table

    table = load_table("mp_e_form")
    formulas = sorted({Composition(f).reduced_formula for f in table["formula"].astype(str)})
    return sorted(random.Random(seed).sample(formulas, n))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`matdiscover serve --workers N` in a fresh data directory."""

    def __init__(self, workers: int) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="matdiscover-bench-campaign-"))
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MATDISCOVER_")}
        env["MATDISCOVER_AUTO_PREDICT"] = "false"
        env["MATDISCOVER_LOAD_REFERENCE"] = "never"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "matdiscover.cli.main", "serve", "--port", str(self.port)]
            + ["--data-dir", str(self.root / "data"), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=300)
        deadline = time.monotonic() + 180
        while True:
            try:
                if self.http.get("/api/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("server did not start")
            time.sleep(0.3)
        while len(self.http.get("/api/v1/workers").json()) < workers:
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("workers did not start")
            time.sleep(0.3)

    def stop(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def campaign_body(name: str, text: str, batch: int) -> dict[str, Any]:
    return {
        "name": name,
        "objectives": [
            {"property": "band_gap", "direction": "window", "min": 1.1, "max": 1.7},
            {"property": "bulk_modulus", "direction": "max"},
        ],
        "acquisition": "ucb",
        "kappa": 1.0,
        "batch_size": batch,
        "diversity": 0.3,
        "constraints": {"max_e_above_hull": 0.2},
        "pool": {"source": "uploaded", "text": text},
    }


def one_run(http: httpx.Client, pid: int, name: str, text: str, batch: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    made = http.post(f"/api/v1/projects/{pid}/campaigns", json=campaign_body(name, text, batch))
    made.raise_for_status()
    create_s = time.perf_counter() - t0
    url = f"/api/v1/projects/{pid}/campaigns/{made.json()['id']}"
    t1 = time.perf_counter()
    started = http.post(f"{url}/rounds")
    started.raise_for_status()
    job_id = started.json()["job_id"]
    while True:
        job = http.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.1)
    round_s = time.perf_counter() - t1
    if job["status"] != "succeeded":
        raise RuntimeError(f"round failed: {job}")
    rnd = http.get(f"{url}/rounds/1").json()
    return {
        "create_s": round(create_s, 3),
        "round_s": round(round_s, 3),
        "worker_s": rnd["summary"].get("seconds"),
        "n_candidates": made.json()["n_candidates"],
        "n_available": rnd["summary"]["n_available"],
        "excluded_reasons": rnd["summary"]["excluded_reasons"],
        "batch": [e["formula"] for e in rnd["batch"]],
        "model_versions": rnd["model_versions"],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" (+ uncommitted changes in the tree)" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=RESULTS / "campaign_round.json")
    args = parser.parse_args()

    formulas = pool_formulas(args.candidates, args.seed)
    text = "formula\n" + "\n".join(formulas) + "\n"
    server = Server(args.workers)
    runs: list[dict[str, Any]] = []
    try:
        project = server.http.post("/api/v1/projects", json={"name": "benchmark"})
        project.raise_for_status()
        pid = project.json()["id"]
        for i in range(args.runs):
            run = one_run(server.http, pid, f"run {i + 1}", text, args.batch)
            run["cold"] = i == 0
            runs.append(run)
            print(
                f"run {i + 1}: round {run['round_s']:.2f} s (worker {run['worker_s']} s), "
                f"create {run['create_s']:.2f} s, load {run['load_before'][0]}",
                flush=True,
            )
    finally:
        server.stop()
    rounds = [r["round_s"] for r in runs]
    warm = [r["round_s"] for r in runs if not r["cold"]]
    result = {
        "benchmark": "campaign_round",
        "what": (
            "POST /projects/{id}/campaigns/{id}/rounds -> job succeeded on a "
            f"{args.candidates:,}-candidate composition pool, {args.workers} workers "
            "(`matdiscover serve`): predict band gap, bulk modulus and energy above hull "
            "(via formation energy) with sigma, constraint e_hull <= 0.2 eV/atom, two "
            "objectives (band gap window 1.1-1.7 eV, bulk modulus max) by UCB + Pareto "
            f"fronts, diverse batch of {args.batch}"
        ),
        "target_s": TARGET_S,
        "round_s_min": min(rounds),
        "round_s_median": statistics.median(rounds),
        "round_s_max": max(rounds),
        "warm_round_s_min": min(warm) if warm else None,
        "warm_round_s_median": statistics.median(warm) if warm else None,
        "create_s_median": statistics.median(r["create_s"] for r in runs),
        "met_every_run": max(rounds) < TARGET_S,
        "met_median": statistics.median(rounds) < TARGET_S,
        "met_warm_runs": bool(warm) and max(warm) < TARGET_S,
        "runs": runs,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "note": "shared machine: other engineers' tests and benchmarks ran at the same "
            "time; see load_before/load_after of each run",
        },
        "pool": f"fixed-seed ({args.seed}) sample of distinct reduced formulas of mp_e_form",
        "commit": git_commit(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{args.candidates:,} candidates, {args.workers} workers: round min "
        f"{result['round_s_min']:.2f} s, median {result['round_s_median']:.2f} s, max "
        f"{result['round_s_max']:.2f} s (cold first run included; target < {TARGET_S:.0f} s "
        f"every run: {'met' if result['met_every_run'] else 'NOT met'}, warm runs: "
        f"{'met' if result['met_warm_runs'] else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
