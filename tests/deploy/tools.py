"""Helpers of the deployment config tests: paths and the external tools they run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def require(tool: str) -> str:
    """The path of ``tool``; fail (not skip) when it is missing: `make deploy-tools`."""
    path = shutil.which(tool)
    assert path, f"{tool} not found: run `make deploy-tools` (Debian docker-compose, prometheus)"
    return path


def run(
    cmd: list[str], *, cwd: Path = ROOT, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )


#: The metric names agreed between the metrics code and the dashboards/alerts (see
#: ``matdiscover.observability.metrics``); histograms are listed by their base name.
HISTOGRAMS = {
    "matdiscover_http_request_duration_seconds",
    "matdiscover_worker_chunk_duration_seconds",
    "matdiscover_worker_model_load_seconds",
    "matdiscover_worker_prediction_latency_seconds",
}
METRIC_CONTRACT = HISTOGRAMS | {
    "matdiscover_http_requests_total",
    "matdiscover_http_requests_in_flight",
    "matdiscover_http_errors_total",
    "matdiscover_database_up",
    "matdiscover_live_workers",
    "matdiscover_queue_depth",
    "matdiscover_queue_oldest_job_age_seconds",
    "matdiscover_storage_free_bytes",
    "matdiscover_build_info",
    "matdiscover_worker_jobs_started_total",
    "matdiscover_worker_jobs_finished_total",
    "matdiscover_worker_jobs_failed_total",
    "matdiscover_worker_chunks_started_total",
    "matdiscover_worker_chunks_finished_total",
    "matdiscover_worker_chunks_failed_total",
    "matdiscover_worker_rows_total",
    "matdiscover_worker_rows_per_second",
    "matdiscover_worker_stalled_job_recoveries_total",
    "matdiscover_worker_info",
}
_METRIC = re.compile(r"\bmatdiscover_[a-z0-9_]+")


def metric_names_in(expr: str) -> set[str]:
    """The matdiscover_* metrics a PromQL expression reads (histogram series by base name)."""
    names = set()
    for name in _METRIC.findall(expr):
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name.removesuffix(suffix) in HISTOGRAMS:
                name = name.removesuffix(suffix)
        names.add(name)
    return names
