"""``matdiscover campaign ...`` on the local database: create, round (run here), show,
results, list, with --json; bad input is a clear error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matdiscover.cli.campaign_commands import app as campaign_app
from matdiscover.cli.campaign_commands import parse_objective
from matdiscover.cli.projects_commands import app as projects_app
from matdiscover.errors import InvalidInput


@pytest.fixture()
def env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    monkeypatch.setenv("MATDISCOVER_AUTO_PREDICT", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_campaign_cli_end_to_end(env: None, tmp_path: Path) -> None:
    run = CliRunner()

    def ok(*args: str) -> str:
        r = run.invoke(campaign_app, list(args))
        assert r.exit_code == 0, r.output
        return r.output

    assert run.invoke(projects_app, ["create", "Gaps"]).exit_code == 0
    pool = tmp_path / "pool.csv"
    pool.write_text("formula,note\nNaCl,a\nKCl,b\nMgO,c\nZnO,d\nGaN,e\nSiC,f\nLiF,g\n")
    made = json.loads(
        ok(
            "create",
            "Gaps",
            "wide",
            "--objective",
            "band_gap:max",
            "--formulas",
            str(pool),
            "--batch-size",
            "2",
            "--acquisition",
            "greedy",
            "--json",
        )  # fmt: skip
    )
    assert made["n_candidates"] == 7 and made["pool_source"] == "uploaded"
    first = json.loads(ok("round", "Gaps", "wide", "--here", "--json"))
    assert first["status"] == "succeeded" and len(first["batch"]) == 2
    # greedy on the model's mean: the two largest predicted gaps, best first
    means = [e["mean"]["band_gap"] for e in first["batch"]]
    assert means == sorted(means, reverse=True)
    a, b = (e["candidate_id"] for e in first["batch"])
    out = ok("results", "Gaps", "wide", "1", "--value", f"{a}=7.5", "--value", f"{b}:band_gap=6")
    assert "recorded 2 result(s)" in out
    second = json.loads(ok("round", "Gaps", "wide", "--here", "--json"))
    assert {e["candidate_id"] for e in second["batch"]}.isdisjoint({a, b})
    assert second["refit"]["band_gap"]["kind"] == "shift"
    assert "2 result(s)" in ok("results", "Gaps", "wide", "2", "--computed")
    shown = ok("show", "Gaps", "wide")
    assert "round 1: succeeded" in shown and "round 2: succeeded" in shown
    both = json.loads(ok("show", "Gaps", made["id"].__str__(), "--json"))
    assert [r["index"] for r in both["rounds"]] == [1, 2] and both["campaign"]["n_results"] == 4
    listed = json.loads(ok("list", "Gaps", "--json"))["items"]
    assert [(c["name"], c["n_rounds"]) for c in listed] == [("wide", 2)]
    assert "wide" in ok("list", "Gaps")

    # enumeration pool, and bad input named
    ok("create", "Gaps", "limno", "--objective", "band_gap:window:1.1:1.7", "--elements",
       "Li,Mn,O", "--max-atoms", "6", "--acquisition", "window", "--batch-size", "2")  # fmt: skip
    bad = run.invoke(
        campaign_app,
        ["create", "Gaps", "x", "--objective", "band_gap:window:2:1", "--formulas", str(pool)],
    )
    assert bad.exit_code != 0 and "min 2.0 is above max 1.0" in bad.output
    bad = run.invoke(campaign_app, ["create", "Gaps", "y", "--objective", "band_gap:max"])
    assert bad.exit_code != 0 and "give exactly one pool" in bad.output
    bad = run.invoke(campaign_app, ["results", "Gaps", "wide", "1"])
    assert bad.exit_code != 0 and "--computed" in bad.output


def test_parse_objective() -> None:
    assert parse_objective("bulk_modulus:min") == {"property": "bulk_modulus", "direction": "min"}
    with pytest.raises(InvalidInput, match="PROPERTY:max"):
        parse_objective("band_gap:up")
