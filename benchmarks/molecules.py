"""Molecule batch throughput and seed similarity latency, end to end through the real stack.

For each repeat, starts `matdiscover serve --workers 2` (embedded PostgreSQL, API, two
worker processes) in a fresh data directory, then:

1. submits 10,000 unique SMILES from the seed set (a fixed-seed sample of the MoleculeACE
   seed's unique SMILES, each with its first seed activity as ChEMBL-style columns) as one
   CSV to POST /api/v1/molecules/batch and times submit -> job succeeded: parsing at the
   API, then on the workers standardisation, descriptors, alerts, pActivity, efficiency
   indices, the O[Q/P/L]A score and storing every molecule;
2. (last repeat) times similarity searches top-20 over the seed set through
   GET /api/v1/molecules/search?scope=seed (HTTP round trip; the first query, which builds
   the seed index, is reported apart).

Each repeat starts from an empty database, so every molecule is stored, none matched.
Writes benchmarks/results/molecules.json and prints a summary.
Usage: .venv/bin/python benchmarks/molecules.py [--rows 10000] [--repeats 2] [--queries 50]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
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
TARGET_BATCH_S = 60.0
TARGET_SEARCH_P50_MS = 50.0


def sample_rows(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` unique seed SMILES (fixed-seed sample), each with its first seed activity."""
    from matdiscover.science.chemistry import load_moleculeace_seed

    frame = load_moleculeace_seed().drop_duplicates("smiles").reset_index(drop=True)
    picked = sorted(random.Random(seed).sample(range(len(frame)), n))
    return [frame.iloc[i].to_dict() for i in picked]


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        ["smiles", "target_chembl_id", "standard_type", "standard_relation", "standard_value"]
        + ["standard_units"]
    )
    for r in rows:
        writer.writerow(
            [r["smiles"], r["target"], r["activity_type"], r["relation"], r["value"], r["unit"]]
        )
    return buf.getvalue().encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`matdiscover serve --workers N` in a fresh data directory."""

    def __init__(self, workers: int) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="matdiscover-bench-mol-"))
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


def run_batch(http: httpx.Client, data: bytes, timeout: float = 1800) -> dict[str, Any]:
    t0 = time.perf_counter()
    r = http.post("/api/v1/molecules/batch", files={"file": ("seed_sample.csv", data)})
    r.raise_for_status()
    job = r.json()
    submitted = time.perf_counter() - t0
    first_stored = None
    while True:
        state = http.get(f"/api/v1/jobs/{job['id']}").json()
        if first_stored is None and state["params"]["steps"]["stored"]:
            first_stored = time.perf_counter() - t0
        if state["status"] in ("succeeded", "failed", "cancelled"):
            break
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(state)
        time.sleep(0.25)
    wall = time.perf_counter() - t0
    return {
        "job_id": job["id"],
        "status": state["status"],
        "rows": state["total"],
        "row_errors": state["error_count"],
        "steps": state["params"]["steps"],
        "chunks": state["chunks_total"],
        "submit_s": round(submitted, 2),
        "first_chunk_stored_s": round(first_stored, 2) if first_stored else None,
        "wall_s": round(wall, 2),
        "rows_per_s": round(state["total"] / wall, 1),
        "ms_per_molecule_per_worker": None,
    }


def process_cpu(root_pid: int, pgdata: Path) -> dict[str, float]:
    """CPU seconds (user + system) so far of the server's process tree and of the embedded
    PostgreSQL (its postmaster runs ``pgdata``; its backends are the postmaster's children),
    by role. Processes that ended in between are not counted."""
    import psutil

    out: dict[str, float] = {}
    try:
        procs = [psutil.Process(root_pid), *psutil.Process(root_pid).children(recursive=True)]
    except psutil.Error:
        return out
    for proc in psutil.process_iter(["cmdline"]):
        if str(pgdata) in " ".join(proc.info["cmdline"] or []):
            with contextlib.suppress(psutil.Error):
                procs += [proc, *proc.children(recursive=True)]
    procs = list({p.pid: p for p in procs}.values())
    for proc in procs:
        try:
            cmd = " ".join(proc.cmdline())
            t = proc.cpu_times()
        except psutil.Error:
            continue
        role = (
            "postgres"
            if "postgres" in proc.name()
            else "worker"
            if " worker" in cmd or "worker" in proc.name()
            else "api"
            if " serve" in cmd
            else "other"
        )
        out[role] = out.get(role, 0.0) + t.user + t.system
    return {k: round(v, 2) for k, v in sorted(out.items())}


def timeline(data_dir: Path, job_id: int) -> dict[str, Any]:
    """Where the job's time went, from the database: submit -> first chunk start, chunk
    durations, gaps between a worker's chunks (claiming), workers idle at the end, last
    chunk -> job finished (reduce)."""
    from sqlalchemy import create_engine, text

    from matdiscover.db.embedded import start_embedded

    db = start_embedded(data_dir)  # attaches to the running server (reference-counted)
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            job = conn.execute(
                text("SELECT created_at, started_at, finished_at FROM jobs WHERE id = :j"),
                {"j": job_id},
            ).one()
            chunks = conn.execute(
                text(
                    "SELECT c.index, c.started_at, c.finished_at, c.processed, p.worker_id "
                    "FROM job_chunks c LEFT JOIN procrastinate_jobs p ON p.id = c.queue_job_id "
                    "WHERE c.job_id = :j ORDER BY c.started_at"
                ),
                {"j": job_id},
            ).all()
    finally:
        engine.dispose()
        db.stop()
    t0 = job.created_at
    sec = lambda t: (t - t0).total_seconds()  # noqa: E731
    durations = [(c.finished_at - c.started_at).total_seconds() for c in chunks]
    by_worker: dict[Any, list[Any]] = {}
    for c in chunks:
        by_worker.setdefault(c.worker_id, []).append(c)
    gaps: list[float] = []
    ends: list[float] = []
    for runs in by_worker.values():
        for a, b in zip(runs, runs[1:], strict=False):
            gaps.append((b.started_at - a.finished_at).total_seconds())
        ends.append(sec(runs[-1].finished_at))
    last = max(sec(c.finished_at) for c in chunks)
    return {
        "job_created_to_first_chunk_start_s": round(min(sec(c.started_at) for c in chunks), 2),
        "chunk_s_mean": round(statistics.mean(durations), 2),
        "chunk_s_max": round(max(durations), 2),
        "chunk_ms_per_row_mean": round(
            1000 * sum(durations) / max(sum(c.processed for c in chunks), 1), 2
        ),
        "chunks_per_worker": [len(v) for v in by_worker.values()],
        "gap_between_chunks_s_mean": round(statistics.mean(gaps), 3) if gaps else None,
        "gap_between_chunks_s_max": round(max(gaps), 3) if gaps else None,
        "worker_idle_at_end_s": [round(last - e, 2) for e in ends],
        "last_chunk_to_job_finished_s": round(sec(job.finished_at) - last, 2),
        "job_created_to_finished_s": round(sec(job.finished_at), 2),
    }


def time_searches(http: httpx.Client, queries: list[str]) -> dict[str, Any]:
    def one(smiles: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        r = http.get(
            "/api/v1/molecules/search",
            params={"similar_to": smiles, "k": 20, "scope": "seed"},
        )
        ms = (time.perf_counter() - t0) * 1000
        r.raise_for_status()
        return ms, len(r.json()["seed"])

    first_ms, _ = one(queries[0])
    times, hits = [], []
    for q in queries[1:]:
        ms, n = one(q)
        times.append(ms)
        hits.append(n)
    times.sort()
    return {
        "route": "GET /api/v1/molecules/search?similar_to=...&k=20&scope=seed (HTTP round trip)",
        "queries": len(times),
        "first_query_ms": round(first_ms, 1),
        "p50_ms": round(statistics.median(times), 2),
        "min_ms": round(times[0], 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "max_ms": round(times[-1], 2),
        "hits_per_query": min(hits),
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" (+ uncommitted changes)" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=51)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=RESULTS / "molecules.json")
    args = parser.parse_args()

    rows = sample_rows(args.rows, args.seed)
    data = as_csv(rows)
    queries = [r["smiles"] for r in random.Random(args.seed + 1).sample(rows, args.queries)]
    out: dict[str, Any] = {
        "commit": git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "workers": args.workers,
        "input": {
            "rows": args.rows,
            "bytes": len(data),
            "source": "data/reference/molecules/moleculeace_seed.parquet, unique SMILES, "
            f"random.Random({args.seed}).sample, first seed activity per SMILES",
        },
        "runs": [],
    }
    search: dict[str, Any] = {}
    for repeat in range(args.repeats):
        server = Server(args.workers)
        try:
            load = os.getloadavg()[0]
            cpu0 = process_cpu(server.proc.pid, server.root / "data" / "pgdata")
            result = run_batch(server.http, data)
            result["load_average_1min_before"] = round(load, 2)
            result["load_average_1min_after"] = round(os.getloadavg()[0], 2)
            cpu1 = process_cpu(server.proc.pid, server.root / "data" / "pgdata")
            result["cpu_s_during_job"] = {
                k: round(v - cpu0.get(k, 0.0), 2) for k, v in cpu1.items()
            }
            try:
                result["timeline"] = timeline(server.root / "data", result.pop("job_id"))
            except Exception as exc:  # the timings are a diagnosis, not the result
                result["timeline"] = {"error": f"{type(exc).__name__}: {exc}"}
            result["ms_per_molecule_per_worker"] = round(
                1000 * result["wall_s"] * args.workers / max(result["rows"], 1), 2
            )
            out["runs"].append(result)
            print(
                f"run {repeat + 1}: {result['status']} {result['rows']} rows in "
                f"{result['wall_s']} s ({result['rows_per_s']} rows/s; "
                f"stored {result['steps']['stored']}, row errors {result['row_errors']})",
                flush=True,
            )
            if repeat == args.repeats - 1:
                search = time_searches(server.http, queries)
        finally:
            server.stop()
    walls = [r["wall_s"] for r in out["runs"]]
    out["batch"] = {
        "wall_s_min": min(walls),
        "wall_s_median": round(statistics.median(walls), 2),
        "rows_per_s_best": round(args.rows / min(walls), 1),
        "target_s": TARGET_BATCH_S,
        "met": min(walls) <= TARGET_BATCH_S,
    }
    search["target_p50_ms"] = TARGET_SEARCH_P50_MS
    search["met"] = search["p50_ms"] <= TARGET_SEARCH_P50_MS
    out["similarity_search"] = search
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=2) + "\n")
    b = out["batch"]
    print(
        f"batch of {args.rows:,} SMILES, {args.workers} workers: min {b['wall_s_min']} s, "
        f"median {b['wall_s_median']} s over {len(walls)} runs "
        f"({b['rows_per_s_best']} rows/s best); target <= {TARGET_BATCH_S:.0f} s: "
        f"{'met' if b['met'] else 'NOT met'}"
    )
    print(
        f"similarity top-20 over the seed set (API): p50 {search['p50_ms']} ms, "
        f"min {search['min_ms']} ms, p95 {search['p95_ms']} ms "
        f"(first query {search['first_query_ms']} ms); target p50 <= "
        f"{TARGET_SEARCH_P50_MS:.0f} ms: {'met' if search['met'] else 'NOT met'}"
    )
    print(f"commit {out['commit']}; written {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
