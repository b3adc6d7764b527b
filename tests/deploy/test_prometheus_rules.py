"""Prometheus config and alert rules under ``deploy/prometheus``, checked with promtool
(Debian's prometheus package; ``make deploy-tools`` installs it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.deploy.tools import DEPLOY, require, run

PROMETHEUS = DEPLOY / "prometheus"
ALERTS = {
    "MatDiscoverApiHighErrorRate",
    "MatDiscoverApiHighLatency",
    "MatDiscoverApiDown",
    "MatDiscoverDatabaseUnreachable",
    "MatDiscoverQueueStuck",
    "MatDiscoverNoLiveWorkers",
    "MatDiscoverQueueWithoutWorkers",
    "MatDiscoverWorkerDown",
    "MatDiscoverDiskLow",
}


def alert_rules() -> list[dict]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_prometheus_config_is_valid(tmp_path: Path) -> None:
    """`promtool check config` also opens the token file and the rule files, so check a
    copy whose token path points at a real file."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"matdiscover-api", "matdiscover-worker", "matdiscover-gpu-worker"}
    api_auth = jobs["matdiscover-api"]["authorization"]
    assert api_auth["type"] == "Bearer"
    token = tmp_path / "metrics_token"
    token.write_text("a-test-token\n")
    text = (PROMETHEUS / "prometheus.yml").read_text()
    (tmp_path / "prometheus.yml").write_text(text.replace(api_auth["credentials_file"], str(token)))
    shutil.copy(PROMETHEUS / "alerts.yml", tmp_path / "alerts.yml")

    result = run([require("promtool"), "check", "config", str(tmp_path / "prometheus.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 rules found" in result.stdout + result.stderr

    token.unlink()  # and it does notice a missing token file
    result = run([require("promtool"), "check", "config", str(tmp_path / "prometheus.yml")])
    assert result.returncode != 0


def test_alert_rules_are_valid_and_complete() -> None:
    result = run([require("promtool"), "check", "rules", str(PROMETHEUS / "alerts.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} == ALERTS
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_alert_rule_unit_tests_pass() -> None:
    result = run([require("promtool"), "test", "rules", str(PROMETHEUS / "alerts_test.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    tests = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
    fires: set[str] = set()
    quiet: set[str] = set()
    for case in tests:
        for check in case["alert_rule_test"]:
            (fires if check["exp_alerts"] else quiet).add(check["alertname"])
    assert fires == ALERTS
    assert quiet == ALERTS


@pytest.mark.parametrize("alert", sorted(ALERTS))
def test_unit_tests_catch_a_broken_rule(alert: str, tmp_path: Path) -> None:
    """A rule that can never fire must fail its unit tests (the tests are not vacuous)."""
    doc = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    for group in doc["groups"]:
        for rule in group["rules"]:
            if rule["alert"] == alert:
                rule["expr"] = "vector(1) == 0"
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(doc))
    shutil.copy(PROMETHEUS / "alerts_test.yml", tmp_path / "alerts_test.yml")
    result = run([require("promtool"), "test", "rules", str(tmp_path / "alerts_test.yml")])
    assert result.returncode != 0
    assert f"alertname: {alert}" in result.stdout + result.stderr
