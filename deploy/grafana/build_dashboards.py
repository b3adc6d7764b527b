"""Write the Grafana dashboards of MatDiscover (``deploy/grafana/dashboards/*.json``).

The JSON files are committed (Grafana's file provisioning reads them as they are); this
program is their source. After editing it run::

    .venv/bin/python deploy/grafana/build_dashboards.py

``tests/deploy/test_grafana.py`` fails when the files differ from what this writes, and
when a query names a metric the API or the workers do not export.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


class Board:
    """A dashboard filled left to right, two panels per row (or full-width ones)."""

    def __init__(self, uid: str, title: str, description: str) -> None:
        self.uid, self.title, self.description = uid, title, description
        self.panels: list[dict[str, Any]] = []
        self.x = 0
        self.y = 0

    def row(self, title: str) -> None:
        self._newline()
        self.panels.append(
            {
                "id": len(self.panels) + 1,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
                "panels": [],
            }
        )
        self.y += 1

    def _newline(self) -> None:
        if self.x:
            self.x = 0
            self.y += 8

    def panel(
        self,
        title: str,
        targets: list[tuple[str, str]],
        *,
        unit: str = "short",
        kind: str = "timeseries",
        width: int = 12,
        description: str = "",
        thresholds: list[tuple[str, float | None]] | None = None,
    ) -> None:
        if self.x + width > 24:
            self._newline()
        steps = [{"color": color, "value": value} for color, value in (thresholds or [])]
        panel: dict[str, Any] = {
            "id": len(self.panels) + 1,
            "type": kind,
            "title": title,
            "description": description,
            "datasource": DATASOURCE,
            "gridPos": {"h": 8, "w": width, "x": self.x, "y": self.y},
            "targets": [
                {
                    "refId": chr(ord("A") + i),
                    "datasource": DATASOURCE,
                    "expr": expr,
                    "legendFormat": legend,
                }
                for i, (expr, legend) in enumerate(targets)
            ],
            "fieldConfig": {
                "defaults": {
                    "unit": unit,
                    "thresholds": {
                        "mode": "absolute",
                        "steps": steps or [{"color": "green", "value": None}],
                    },
                },
                "overrides": [],
            },
            "options": {"legend": {"displayMode": "list", "placement": "bottom"}}
            if kind == "timeseries"
            else {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
        }
        self.panels.append(panel)
        self.x += width
        if self.x >= 24:
            self._newline()

    def json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": ["matdiscover"],
            "editable": True,
            "schemaVersion": 39,
            "version": 1,
            "refresh": "30s",
            "time": {"from": "now-6h", "to": "now"},
            "timezone": "browser",
            "templating": {
                "list": [
                    {
                        "name": "datasource",
                        "label": "Data source",
                        "type": "datasource",
                        "query": "prometheus",
                        "current": {"text": "Prometheus", "value": "prometheus"},
                        "hide": 0,
                    }
                ]
            },
            "annotations": {"list": []},
            "links": [
                {
                    "type": "dashboards",
                    "tags": ["matdiscover"],
                    "title": "MatDiscover",
                    "asDropdown": True,
                }
            ],
            "panels": self.panels,
        }


def quantiles(metric: str, by: str, *, window: str = "5m") -> list[tuple[str, str]]:
    """p50 and p95 of a histogram, per ``by`` label."""
    return [
        (
            f"histogram_quantile({q}, sum by (le, {by}) (rate({metric}_bucket[{window}])))",
            f"p{int(q * 100)} {{{{{by}}}}}",
        )
        for q in (0.5, 0.95)
    ]


def api() -> Board:
    b = Board(
        "matdiscover-api", "MatDiscover / API", "HTTP traffic, errors and latency of the API."
    )
    b.row("Traffic")
    b.panel(
        "Requests per second by route",
        [("sum by (route) (rate(matdiscover_http_requests_total[5m]))", "{{route}}")],
        unit="reqps",
    )
    b.panel(
        "Responses per second by status",
        [("sum by (status) (rate(matdiscover_http_requests_total[5m]))", "{{status}}")],
        unit="reqps",
    )
    b.panel(
        "5xx share of requests",
        [
            (
                'sum(rate(matdiscover_http_requests_total{status=~"5.."}[5m]))'
                " / clamp_min(sum(rate(matdiscover_http_requests_total[5m])), 1e-9)",
                "5xx share",
            )
        ],
        unit="percentunit",
        kind="stat",
        width=6,
        description="Alert MatDiscoverApiHighErrorRate fires above 5 % for 5 minutes.",
        thresholds=[("green", None), ("orange", 0.01), ("red", 0.05)],
    )
    b.panel(
        "Requests in flight",
        [("sum(matdiscover_http_requests_in_flight)", "in flight")],
        kind="stat",
        width=6,
    )
    b.panel(
        "Errors per second by route and status",
        [
            (
                "sum by (route, status) (rate(matdiscover_http_errors_total[5m]))",
                "{{status}} {{route}}",
            )
        ],
        unit="reqps",
    )
    b.row("Latency")
    b.panel(
        "Latency p50 / p95 / p99 (all routes)",
        [
            (
                f"histogram_quantile({q}, sum by (le) "
                "(rate(matdiscover_http_request_duration_seconds_bucket[5m])))",
                f"p{int(q * 100)}",
            )
            for q in (0.5, 0.95, 0.99)
        ],
        unit="s",
        description="Alert MatDiscoverApiHighLatency fires when p95 > 2 s for 10 minutes.",
    )
    b.panel(
        "Latency p95 by route",
        [
            (
                "histogram_quantile(0.95, sum by (le, route) "
                "(rate(matdiscover_http_request_duration_seconds_bucket[5m])))",
                "{{route}}",
            )
        ],
        unit="s",
    )
    b.panel(
        "Version",
        [("max by (version) (matdiscover_build_info)", "{{version}}")],
        kind="stat",
        width=6,
    )
    b.panel(
        "API targets up",
        [('sum(up{job="matdiscover-api"})', "up")],
        kind="stat",
        width=6,
        thresholds=[("red", None), ("green", 1)],
    )
    return b


def queue_workers() -> Board:
    b = Board(
        "matdiscover-queue-workers",
        "MatDiscover / Queue and workers",
        "Job queue depth and age, live workers, jobs and batch chunks.",
    )
    b.row("Queue")
    b.panel(
        "Jobs waiting by queue and priority",
        [
            (
                "max by (queue, priority) (matdiscover_queue_depth)",
                "{{queue}} priority {{priority}}",
            )
        ],
        description="Status 'todo' in the procrastinate jobs table; the autoscaler's input.",
    )
    b.panel(
        "Oldest waiting job by queue",
        [("max by (queue) (matdiscover_queue_oldest_job_age_seconds)", "{{queue}}")],
        unit="s",
        description="Alert MatDiscoverQueueStuck fires above 15 minutes.",
    )
    b.panel(
        "Live workers by queue",
        [("max by (queue) (matdiscover_live_workers)", "{{queue}}")],
        kind="stat",
        width=12,
        thresholds=[("red", None), ("green", 1)],
    )
    b.panel(
        "Workers (host, queues)",
        [("sum by (host, queues) (matdiscover_worker_info)", "{{host}} {{queues}}")],
        kind="stat",
        width=12,
    )
    b.row("Jobs")
    b.panel(
        "Jobs started / finished per second",
        [
            ("sum by (task) (rate(matdiscover_worker_jobs_started_total[5m]))", "started {{task}}"),
            (
                "sum by (task) (rate(matdiscover_worker_jobs_finished_total[5m]))",
                "finished {{task}}",
            ),
        ],
        unit="ops",
    )
    b.panel(
        "Jobs failed per second",
        [("sum by (task) (rate(matdiscover_worker_jobs_failed_total[5m]))", "{{task}}")],
        unit="ops",
    )
    b.panel(
        "Stalled-job recoveries (1 h)",
        [("sum(increase(matdiscover_worker_stalled_job_recoveries_total[1h]))", "re-queued")],
        kind="stat",
        width=6,
        description="Jobs of dead workers re-queued by the stalled-job recovery.",
        thresholds=[("green", None), ("orange", 1)],
    )
    b.row("Batch chunks")
    b.panel(
        "Chunks started / finished / failed per minute",
        [
            (
                "sum by (task) (rate(matdiscover_worker_chunks_started_total[5m])) * 60",
                "started {{task}}",
            ),
            (
                "sum by (task) (rate(matdiscover_worker_chunks_finished_total[5m])) * 60",
                "finished {{task}}",
            ),
            (
                "sum by (task) (rate(matdiscover_worker_chunks_failed_total[5m])) * 60",
                "failed {{task}}",
            ),
        ],
        unit="short",
    )
    b.panel(
        "Chunk duration",
        quantiles("matdiscover_worker_chunk_duration_seconds", "task"),
        unit="s",
    )
    b.panel(
        "Rows per second (all workers)",
        [("sum by (task) (rate(matdiscover_worker_rows_total[5m]))", "{{task}}")],
        unit="short",
    )
    b.panel(
        "Rows per second of the last chunk, per worker",
        [("matdiscover_worker_rows_per_second", "{{instance}} {{task}}")],
        unit="short",
    )
    return b


def models() -> Board:
    b = Board(
        "matdiscover-models",
        "MatDiscover / Models",
        "Model load times and prediction latency in the workers.",
    )
    b.row("Predictions")
    b.panel(
        "Prediction latency by model",
        quantiles("matdiscover_worker_prediction_latency_seconds", "model"),
        unit="s",
        description="One call: one material, or all rows of one batch chunk.",
    )
    b.panel(
        "Prediction calls per second by model",
        [
            (
                "sum by (model) (rate(matdiscover_worker_prediction_latency_seconds_count[5m]))",
                "{{model}}",
            )
        ],
        unit="ops",
    )
    b.row("Model loading")
    b.panel(
        "Model load time by model",
        quantiles("matdiscover_worker_model_load_seconds", "model", window="1h"),
        unit="s",
        description="First use of a model in a worker process (cold start).",
    )
    b.panel(
        "Model loads (1 h)",
        [
            (
                "sum by (model) (increase(matdiscover_worker_model_load_seconds_count[1h]))",
                "{{model}}",
            )
        ],
        unit="short",
        description="Frequent loads mean workers restart often.",
    )
    b.panel(
        "Mean model load time (6 h)",
        [
            (
                "sum by (model) (increase(matdiscover_worker_model_load_seconds_sum[6h]))"
                " / sum by (model) (increase(matdiscover_worker_model_load_seconds_count[6h]))",
                "{{model}}",
            )
        ],
        unit="s",
        kind="stat",
        width=24,
    )
    return b


def database() -> Board:
    b = Board(
        "matdiscover-database",
        "MatDiscover / Database and storage",
        "PostgreSQL reachability from the API, scrape targets and free storage.",
    )
    b.row("Database")
    b.panel(
        "Database reachable (SELECT 1 from the API)",
        [("min(matdiscover_database_up)", "up")],
        kind="stat",
        width=6,
        description="Alert MatDiscoverDatabaseUnreachable fires after 1 minute at 0.",
        thresholds=[("red", None), ("green", 1)],
    )
    b.panel(
        "Database reachable over time",
        [("min by (instance) (matdiscover_database_up)", "{{instance}}")],
        width=18,
    )
    b.panel(
        "Scrape targets up",
        [('sum by (job) (up{job=~"matdiscover-.*"})', "{{job}}")],
    )
    b.panel(
        "Jobs waiting (all queues)",
        [("sum(max by (queue, priority) (matdiscover_queue_depth))", "waiting")],
        description="A growing backlog with idle workers can mean a slow database.",
    )
    b.row("Storage")
    b.panel(
        "Free bytes on the data filesystem",
        [("min by (instance) (matdiscover_storage_free_bytes)", "{{instance}}")],
        unit="bytes",
        description="Alert MatDiscoverDiskLow fires below 5 GiB for 10 minutes.",
    )
    b.panel(
        "Free storage now",
        [("min(matdiscover_storage_free_bytes)", "free")],
        unit="bytes",
        kind="stat",
        thresholds=[("red", None), ("orange", 5 * 1024**3), ("green", 20 * 1024**3)],
    )
    return b


BOARDS = {"api": api, "queue-workers": queue_workers, "models": models, "database": database}


def render() -> dict[str, str]:
    """File name -> JSON text of every dashboard."""
    return {
        f"{name}.json": json.dumps(build().json(), indent=2, sort_keys=True) + "\n"
        for name, build in BOARDS.items()
    }


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
