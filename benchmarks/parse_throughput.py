"""Parse throughput of the structure-ingestion core on the real-world corpus.

Reads every file of ``tests/data/real`` with ``read_structures`` (parse, validation,
symmetry analysis and canonical hash), optionally also through
``read_structures_isolated``, and writes ``benchmarks/results/parse_throughput.json``.

Usage::

    python benchmarks/parse_throughput.py [--repeat 3] [--isolated] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from matdiscover.errors import MatDiscoverError
from matdiscover.science.io import ReadResult, read_structures, read_structures_isolated

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "real"
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "parse_throughput.json"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(files: list[Path], *, repeat: int, isolated: bool) -> dict[str, Any]:
    """Time each file ``repeat`` times (best of) and summarise, in ms and per second."""
    reader = read_structures_isolated if isolated else read_structures
    reader(files[0].read_bytes(), files[0].name)  # warm caches / start the fork server
    per_file_ms: dict[str, float] = {}
    structures = 0
    failures: dict[str, str] = {}
    for path in files:
        data = path.read_bytes()
        best = float("inf")
        result: ReadResult | None = None
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                result = reader(data, path.name)
            except MatDiscoverError as exc:
                failures[path.name] = exc.message
            best = min(best, time.perf_counter() - start)
        per_file_ms[path.name] = best * 1000
        structures += len(result.structures) if result is not None else 0
    total_s = sum(per_file_ms.values()) / 1000
    times = list(per_file_ms.values())
    slowest = sorted(per_file_ms.items(), key=lambda kv: -kv[1])[:5]
    return {
        "mode": "isolated" if isolated else "in_process",
        "files": len(files),
        "files_parsed": len(files) - len(failures),
        "structures": structures,
        "success_rate": round((len(files) - len(failures)) / len(files), 4),
        "total_s": round(total_s, 3),
        "files_per_s": round(len(files) / total_s, 2),
        "structures_per_s": round(structures / total_s, 2),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "slowest": {name: round(ms, 1) for name, ms in slowest},
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="timings per file (best of)")
    parser.add_argument("--isolated", action="store_true", help="also time the isolated path")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()

    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".md")
    runs = [run(files, repeat=args.repeat, isolated=False)]
    if args.isolated:
        runs.append(run(files, repeat=args.repeat, isolated=True))
    report = {
        "benchmark": "parse_throughput",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(CORPUS.relative_to(ROOT)),
        "repeat": args.repeat,
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "pymatgen": version("pymatgen"),
            "spglib": version("spglib"),
            "ase": version("ase"),
        },
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    for r in runs:
        print(
            f"[{r['mode']}] {r['files']} files ({r['files_parsed']} parsed, "
            f"{r['structures']} structures) in {r['total_s']:.2f} s: "
            f"{r['files_per_s']:.1f} files/s, {r['structures_per_s']:.1f} structures/s, "
            f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms"
        )
        for name, message in r["failures"].items():
            print(f"  failed: {name}: {message}")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
