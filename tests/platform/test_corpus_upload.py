"""The real-world and malformed corpora through the HTTP API (issue: foundation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.platform.conftest import count_rows

DATA = Path(__file__).resolve().parent.parent / "data"
REAL = sorted(p for p in (DATA / "real").iterdir() if p.is_file() and p.suffix != ".md")
MALFORMED_DIR = DATA / "malformed"
EXPECTED: dict[str, str] = json.loads((MALFORMED_DIR / "EXPECTED.json").read_text())


def test_corpora_are_big_enough() -> None:
    assert len(REAL) >= 30
    assert len(EXPECTED) >= 20


def test_real_world_corpus_parses_through_api(client: TestClient) -> None:
    ok, failed = 0, {}
    for path in REAL:
        r = client.post("/api/v1/materials", files=[("files", (path.name, path.read_bytes()))])
        assert r.status_code < 500, f"{path.name}: {r.status_code} {r.text}"
        if r.status_code == 201 and any("id" in e for e in r.json()):
            ok += 1
        else:
            detail = r.json()["detail"]
            failed[path.name] = detail
            assert all(d["error"] and len(d["error"]) > 10 for d in detail), detail
    rate = ok / len(REAL)
    assert rate >= 0.95, f"parsed {ok}/{len(REAL)}; failures: {failed}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_rejected_specifically(
    name: str, client: TestClient, engine: Engine
) -> None:
    data = (MALFORMED_DIR / name).read_bytes()
    r = client.post("/api/v1/materials", files=[("files", (name, data))])
    assert 400 <= r.status_code < 500, f"{name}: {r.status_code} {r.text}"
    text = json.dumps(r.json()["detail"], ensure_ascii=False).lower()
    assert EXPECTED[name].lower() in text, f"{name}: expected {EXPECTED[name]!r} in {text}"
    assert count_rows(engine, "materials") == 0, "nothing may be stored for bad input"
