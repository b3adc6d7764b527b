"""Scripts use API keys: the CLI against a real server in server mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from matdiscover.api.app import create_app
from matdiscover.cli.main import app as cli
from matdiscover.domains.identity import Role
from matdiscover.settings import Settings, get_settings
from tests.platform.live import serve_in_thread
from tests.platform.tenants import make_org, make_user, server_settings
from tests.platform.test_batch_jobs import Workers


@pytest.fixture()
def secured_server(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = server_settings(db_url, tmp_path)
    with serve_in_thread(create_app(settings)) as url:
        yield url, settings


def test_batch_cli_with_api_key_in_server_mode(
    secured_server: tuple[str, Settings],
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    url, settings = secured_server
    org = make_org(engine, "Scripted Lab")
    make_user(engine, org, "bot@lab.org", Role.researcher)
    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("MATDISCOVER_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()  # the CLI reads the environment through the cached settings
    request.addfinalizer(get_settings.cache_clear)
    runner = CliRunner()
    made = runner.invoke(cli, ["users", "api-key", "bot@lab.org", "--org", org.slug])
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("mdk_")

    csv = tmp_path / "in.csv"
    csv.write_text("formula\nNaCl\nFe2O3\nnot-a-formula\n")
    out = tmp_path / "out.csv"
    # without a key the server refuses
    anonymous = runner.invoke(cli, ["batch", "run", str(csv), "--server", url, "-o", str(out)])
    assert anonymous.exit_code == 1 and "401" in anonymous.output
    workers = Workers(settings)
    workers.start(1)
    try:
        ok = runner.invoke(
            cli,
            ["batch", "run", str(csv), "--server", url, "--api-key", key, "-o", str(out)],
        )
        assert ok.exit_code == 0, ok.output + workers.tails()
        frame = pd.read_csv(out)
        assert len(frame) == 2 and frame["formation_energy"].notna().all()
        assert "1 errors" in ok.output and "not-a-formula" in ok.output
        # the key also works from the environment
        monkeypatch.setenv("MATDISCOVER_API_KEY", key)
        get_settings.cache_clear()
        listed = runner.invoke(cli, ["workers", "--server", url, "--json"])
        assert listed.exit_code == 0, listed.output
    finally:
        workers.stop()
