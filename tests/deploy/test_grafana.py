"""Grafana dashboards and provisioning under ``deploy/grafana``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import DEPLOY, METRIC_CONTRACT, metric_names_in, require, run

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def load_builder() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_dashboards", GRAFANA / "build_dashboards.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def queries(board: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in board["panels"] for t in p.get("targets", [])]


def test_dashboards_are_the_generated_ones() -> None:
    rendered = load_builder().render()
    assert sorted(rendered) == ["api.json", "database.json", "models.json", "queue-workers.json"]
    assert [p.name for p in DASHBOARDS] == sorted(rendered)
    for path in DASHBOARDS:
        assert path.read_text() == rendered[path.name], (
            f"{path.name} is stale: run .venv/bin/python deploy/grafana/build_dashboards.py"
        )


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_layout(path: Path) -> None:
    board = json.loads(path.read_text())
    assert board["uid"].startswith("matdiscover-") and board["title"].startswith("MatDiscover")
    panels = board["panels"]
    assert [p["id"] for p in panels] == list(range(1, len(panels) + 1))
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not mine & cells, f"{panel['title']} overlaps another panel"
        cells |= mine
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}"
            assert panel["targets"], panel["title"]
    assert len(queries(board)) >= 6


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """promtool parses every query (as recording rules: there is no other offline parser)."""
    rules = [
        {"record": f"dashboard:query_{i}", "expr": expr}
        for i, expr in enumerate(
            e for path in DASHBOARDS for e in queries(json.loads(path.read_text()))
        )
    ]
    (tmp_path / "queries.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "q", "rules": rules}]})
    )
    result = run([require("promtool"), "check", "rules", str(tmp_path / "queries.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rules)} rules found" in result.stdout

    rules[0]["expr"] = "sum(rate(matdiscover_http_requests_total[5m])"  # and it does notice
    (tmp_path / "queries.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "q", "rules": rules}]})
    )
    assert (
        run([require("promtool"), "check", "rules", str(tmp_path / "queries.yml")]).returncode != 0
    )


def test_dashboards_and_alerts_use_only_exported_metrics() -> None:
    used: dict[str, set[str]] = {}
    for path in DASHBOARDS:
        for expr in queries(json.loads(path.read_text())):
            used.setdefault(path.name, set()).update(metric_names_in(expr))
    groups = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"]
    for rule in (r for g in groups for r in g["rules"]):
        used.setdefault("alerts.yml", set()).update(metric_names_in(rule["expr"]))
    for name, metrics in used.items():
        assert metrics <= METRIC_CONTRACT, f"{name}: unknown metrics {metrics - METRIC_CONTRACT}"
    # the dashboards together show every exported series
    shown = set().union(*(m for n, m in used.items() if n != "alerts.yml"))
    assert shown == METRIC_CONTRACT, METRIC_CONTRACT - shown
    assert metric_names_in("rate(matdiscover_worker_chunk_duration_seconds_bucket[5m])") == {
        "matdiscover_worker_chunk_duration_seconds"
    }
    assert metric_names_in("matdiscover_nonexistent_total") - METRIC_CONTRACT


def test_provisioning_points_at_the_dashboards() -> None:
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus" and source["uid"] == "prometheus"
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/matdiscover.yml").read_text())
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards/matdiscover"
