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


def _exported() -> tuple[frozenset[str], frozenset[str]]:
    """(every metric name the API and workers export, the histograms among them), read from
    the code that defines them: the metric objects of ``matdiscover.observability.metrics``
    and the scrape-time collectors' family names in ``matdiscover/observability``."""
    from prometheus_client import Histogram

    from matdiscover.observability import metrics

    source = ROOT / "src" / "matdiscover" / "observability"
    names = {
        name
        for path in source.glob("*.py")
        for name in re.findall(r'"(matdiscover_[a-z0-9_]+)"', path.read_text())
    }
    objects = (*metrics.API_METRICS, *metrics.WORKER_METRICS)
    histograms = {c._name for c in objects if isinstance(c, Histogram)}  # type: ignore[attr-defined]
    assert histograms <= names and len(names) >= 20, names
    return frozenset(names), frozenset(histograms)


METRIC_CONTRACT, HISTOGRAMS = _exported()
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
