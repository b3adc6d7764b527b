"""CLI: ``matdiscover search``, ``similar`` and ``phase-diagram`` on the local database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matdiscover.cli import search_commands
from matdiscover.domains.similarity.derived import backfill_derived_columns
from tests.platform.test_search_data import seed


@pytest.fixture()
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    app = typer.Typer()
    app.command("search")(search_commands.search)
    app.command("similar")(search_commands.similar)
    app.command("phase-diagram")(search_commands.phase_diagram)
    yield app
    get_settings.cache_clear()


def test_search_similar_and_phase_diagram(
    cli: typer.Typer, session: Session, engine: Engine, tmp_path: Path
) -> None:
    seed(session)
    with engine.begin() as conn:
        backfill_derived_columns(conn)
    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "search",
            "--elements",
            "O",
            "--prop",
            "band_gap=1:3",
            "--sort",
            "band_gap",
            "--desc",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    page = json.loads(r.output)
    gaps = [i["sort_value"] for i in page["items"]]
    assert gaps and gaps == sorted(gaps, reverse=True) and all(1 <= g <= 3 for g in gaps)
    r = runner.invoke(cli, ["search", "--anonymous", "ABO3", "--limit", "5"])
    assert r.exit_code == 0 and "match" in r.output
    r = runner.invoke(cli, ["search", "--prop", "band_gap"])
    assert r.exit_code == 1
    # a misspelt property or option is an error, not a filter silently dropped
    r = runner.invoke(cli, ["search", "--prop", "bandgap=1:3"])
    assert r.exit_code == 1 and "bandgap_min" in r.output, r.output
    r = runner.invoke(cli, ["search", "--bandgap", "1"])
    assert r.exit_code == 2 and "No such option" in r.output, r.output
    r = runner.invoke(cli, ["similar", "SrTiO3", "-k", "5", "--json"])
    assert r.exit_code == 0, r.output
    assert "BaTiO3" in {i["material"]["reduced_formula"] for i in json.loads(r.output)["items"]}
    png = tmp_path / "lfo.png"
    r = runner.invoke(cli, ["phase-diagram", "Li-Fe-O", "--png", str(png)])
    assert r.exit_code == 0, r.output
    assert "Fe2O3" in r.output and png.stat().st_size > 10_000
    r = runner.invoke(cli, ["phase-diagram", "Al-Ni", "--png", str(tmp_path / "alni.png")])
    assert r.exit_code == 0 and (tmp_path / "alni.png").exists()
