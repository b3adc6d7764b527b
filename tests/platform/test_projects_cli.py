"""``matdiscover projects ...`` on the local database: the same services and numbers as
the API (both read the same database here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from matdiscover.cli.projects_commands import app as projects_app
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.projects_helpers import add_compound, add_prediction, upload


@pytest.fixture()
def env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    monkeypatch.setenv("MATDISCOVER_AUTO_PREDICT", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_projects_cli_end_to_end(env: None, db_url: str, engine: Engine, tmp_path: Path) -> None:
    from matdiscover.api.app import create_app

    add_compound(engine, "GaAs", ["Ga", "As"], band_gap=1.42)
    run = CliRunner()

    def ok(*args: str) -> str:
        r = run.invoke(projects_app, list(args))
        assert r.exit_code == 0, r.output
        return r.output

    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as api:
        mids = {f: upload(api, f) for f in ("NaCl", "MgO")}
        for mid, (pred, sigma) in zip(mids.values(), ((5.0, 0.5), (6.0, 0.5)), strict=True):
            add_prediction(engine, mid, "band_gap", pred, sigma)
        assert "created project" in ok("create", "Gaps", "--description", "band gaps")
        ok("add", "Gaps", str(mids["NaCl"]), "--tag", "rocksalt")
        ok("add", "Gaps", str(mids["MgO"]))
        assert "GaAs" in ok("add", "Gaps", "GaAs")
        bad = tmp_path / "bad.csv"
        bad.write_text(
            f"material_id,formula,property,value,unit,notes\n{mids['NaCl']},,band gap,8.5,eV,"
            f"\"=cmd|' /C calc'!A0\"\n{mids['MgO']},,band_gap,7.8,furlong,\n"
        )
        r = run.invoke(projects_app, ["measurements-import", "Gaps", str(bad)])
        assert r.exit_code == 1 and "row 3 [unit]" in r.output and "nothing was stored" in r.output
        assert count_rows(engine, "experimental_results") == 0
        ok("measurements-import", "Gaps", str(bad), "--store-valid-rows")
        assert count_rows(engine, "experimental_results") == 1
        good = tmp_path / "good.csv"
        good.write_text(f"material_id,property,value\n{mids['MgO']},band_gap,7.8\n")
        ok("measurements-import", "Gaps", str(good))
        shown = ok("show", "Gaps")
        assert "NaCl" in shown and "5.00 ± 0.50" in shown and "8.5" in shown
        listed = json.loads(ok("list", "--json"))["items"]
        assert [(p["name"], p["n_items"], p["n_measurements"]) for p in listed] == [("Gaps", 3, 2)]
        pid = listed[0]["id"]
        item_id = json.loads(ok("show", "Gaps", "--json"))["items"][0]["id"]
        assert "selected" in ok("status", "Gaps", str(item_id), "selected")
        ok("note", "Gaps", "first batch", "--item", str(item_id))
        cli_parity = json.loads(ok("parity", str(pid), "band_gap", "--json"))
        api_parity = api.get(f"/api/v1/projects/{pid}/parity", params={"property": "band_gap"})
        assert cli_parity == api_parity.json()
        assert cli_parity["metrics"]["mae"] == pytest.approx((3.5 + 1.8) / 2)
        printed = ok("parity", "Gaps", "band_gap", "--by-chemistry")
        assert "2.65" in printed and "halides" in printed and "oxides" in printed
        out = tmp_path / "gaps.csv"
        ok("export", "Gaps", str(out), "--excel")
        data = out.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data == api.get(f"/api/v1/projects/{pid}/export.csv?excel=true").content
        r = run.invoke(projects_app, ["recalibrate", "Gaps", "band_gap"])
        assert r.exit_code == 1 and "at least" in r.output
        r = run.invoke(projects_app, ["show", "Nope"])
        assert r.exit_code == 1 and "no project named" in r.output
