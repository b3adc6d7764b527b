"""CLI: ``matdiscover materials list`` pages through the caller's materials via search."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matdiscover.cli import materials_commands
from tests.platform.test_search_data import seed


@pytest.fixture()
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield materials_commands.app
    get_settings.cache_clear()


def list_all(cli: typer.Typer, *args: str) -> list[dict[str, Any]]:
    """Every item of ``list --json`` over all pages (2 a page)."""
    items: list[dict[str, Any]] = []
    cursor: list[str] = []
    for _ in range(50):
        r = CliRunner().invoke(cli, ["list", "--json", "--limit", "2", *args, *cursor])
        assert r.exit_code == 0, r.output
        page = json.loads(r.output)
        assert len(page["items"]) <= 2
        items.extend(page["items"])
        if not page["next_cursor"]:
            return items
        cursor = ["--cursor", page["next_cursor"]]
    raise AssertionError("no last page")


def test_list_pages_through_own_materials_and_reference_on_request(
    cli: typer.Typer, session: Session
) -> None:
    data = seed(session)
    frame = data.frame
    mine = frame[frame.org == data.org_id]
    got = list_all(cli)
    assert [m["id"] for m in got] == sorted(mine.id.tolist())  # id order, no other org
    fe_o = frame[
        (frame.chemical_system == "Fe-O") & (frame.org.isna() | (frame.org == data.org_id))
    ]
    got = list_all(cli, "--chemsys", "Fe-O", "--reference")
    assert sorted(m["id"] for m in got) == sorted(fe_o.id.tolist())
    assert any(m["is_reference"] for m in got) and any(not m["is_reference"] for m in got)
    got = list_all(cli, "--elements", "Li")
    assert sorted(m["reduced_formula"] for m in got) == ["LiCoO2", "LiFeO2"]
