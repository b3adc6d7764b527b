"""Importing from OPTIMADE providers: the ``optimade`` package's reference server on
loopback (filtered import with provenance), and small local fake providers for paging,
rate limits, failures (malformed JSON, 500s, slow answers) and a killed CLI import that
resumes without duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from matdiscover.db.engine import make_session_factory, session_scope
from matdiscover.domains.jobs.models import Job
from matdiscover.domains.optimade import importing
from matdiscover.domains.organizations.service import ensure_local_identity
from matdiscover.settings import Settings
from tests.platform.test_serve_lifecycle import free_port
from tests.science.structure_fixtures import rocksalt

SALTS = [("Na", "Cl", 5.64), ("K", "Cl", 6.29), ("Mg", "O", 4.21), ("Li", "F", 4.03)]
SALTS += [("Ca", "O", 4.81), ("Ba", "O", 5.52)]

REFERENCE_CONFIG = {
    "insert_test_data": True,
    "database_backend": "mongomock",
    "aliases": {
        "structures": {
            "id": "task_id",
            "chemical_formula_descriptive": "pretty_formula",
            "chemical_formula_reduced": "pretty_formula",
            "chemical_formula_anonymous": "formula_anonymous",
        }
    },
    "length_aliases": {
        "structures": {
            "elements": "nelements",
            "cartesian_site_positions": "nsites",
            "species_at_sites": "nsites",
        }
    },
}


# ------------------------------------------------------------------------- providers


@pytest.fixture(scope="module")
def reference_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``uvicorn optimade.server.main:app`` with its bundled test structures (mongomock)."""
    folder = tmp_path_factory.mktemp("optimade-reference")
    config = folder / "optimade_config.json"
    config.write_text(json.dumps(REFERENCE_CONFIG))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIMADE_")}
    env["OPTIMADE_CONFIG_FILE"] = str(config)
    log = open(folder / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "optimade.server.main:app", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/v1/info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError((folder / "server.log").read_text()[-3000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def _entries() -> list[dict[str, Any]]:
    from optimade.adapters.structures.pymatgen import from_pymatgen

    out = []
    for i, (cation, anion, a) in enumerate(SALTS):
        attributes = from_pymatgen(rocksalt(a, cation, anion)).model_dump(mode="json")
        attributes["last_modified"] = "2024-01-01T00:00:00Z"
        out.append({"id": f"fk-{i}", "type": "structures", "attributes": attributes})
    return out


class FakeProvider:
    """One entry per page; ``behaviour[page]`` is "ok", "malformed", "500", "slow" or
    "429" (answered with Retry-After: 0, then ok), ``delay`` slows every page."""

    def __init__(self) -> None:
        self.entries = _entries()
        self.behaviour: dict[int, str] = {}
        self.delay = 0.0
        self.requests: list[str] = []
        self.rate_limited: set[int] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                query = parse_qs(urlsplit(self.path).query)
                page = int(query.get("page_offset", ["0"])[0])
                mode = fake.behaviour.get(page, "ok")
                time.sleep(fake.delay)
                if mode == "slow":
                    time.sleep(3)
                if mode == "429" and page not in fake.rate_limited:
                    fake.rate_limited.add(page)
                    return self._send(429, b'{"errors": [{"detail": "slow down"}]}', "0")
                if mode == "500":
                    return self._send(500, b'{"errors": [{"detail": "database on fire"}]}')
                if mode == "malformed":
                    return self._send(200, b'{"data": [{"id": "fk-x", ')
                following = page + 1
                nxt = (
                    f"http://127.0.0.1:{fake.port}/v1/structures?page_offset={following}"
                    if following < len(fake.entries)
                    else None
                )
                doc = {
                    "data": fake.entries[page : page + 1],
                    "links": {"next": nxt},
                    "meta": {
                        "data_returned": len(fake.entries),
                        "provider": {"prefix": "fake", "name": "Fake"},
                    },
                }
                self._send(200, json.dumps(doc).encode())

            def _send(self, status: int, body: bytes, retry_after: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    yield provider
    provider.close()


# ------------------------------------------------------------------------- helpers


def _settings(settings: Settings, **overrides: Any) -> Settings:
    base = {"optimade_backoff_s": 0.05, "optimade_timeout_s": 1.0, "auto_predict": False}
    return settings.model_copy(update=base | overrides)


def _import(engine: Engine, settings: Settings, provider: str, flt: str = "", **kw: Any) -> int:
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        org = ensure_local_identity(session).organization_id
        job = importing.start_import(
            session,
            organization_id=org,
            user_id=None,
            provider=provider,
            filter_=flt,
            limit=kw.get("limit"),
            page_limit=kw.get("page_limit", 5),
            settings=settings,
        )
        job_id = job.id
    importing.run_import(factory, job_id, settings=settings)
    return job_id


def _job(engine: Engine, job_id: int) -> Job:
    with session_scope(make_session_factory(engine)) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _imported(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT m.source, m.source_database, m.source_id, i.provider, i.entry_id, "
                    "i.entry_url, i.retrieved_at, m.reduced_formula FROM optimade_imports i "
                    "JOIN materials m ON m.id = i.material_id ORDER BY i.entry_id"
                )
            )
        ]


# ------------------------------------------------------------------------- tests


def test_filtered_import_from_the_reference_server_stores_provenance(
    engine: Engine, settings: Settings, reference_provider: str
) -> None:
    job_id = _import(engine, _settings(settings), reference_provider, 'elements HAS "Ag"')
    job = _job(engine, job_id)
    assert job.status == "succeeded", job.error
    rows = _imported(engine)
    # the bundled test structures are mostly placeholder geometries (all atoms on one
    # point): the upload path's validation refuses those, per entry, with the reason
    assert [r[:5] for r in rows] == [
        ("import", "exmpl", "mpf_200", f"{reference_provider}/v1", "mpf_200")
    ]
    assert rows[0][5] == f"{reference_provider}/v1/structures/mpf_200"
    assert rows[0][6] is not None and rows[0][7] == "Ag"
    provider_total = httpx.get(
        f"{reference_provider}/v1/structures", params={"filter": 'elements HAS "Ag"'}
    ).json()["meta"]["data_returned"]
    assert job.processed == job.total == provider_total > 1
    assert job.params["imported"] == 1
    assert job.error_count == provider_total - 1
    assert all("apart" in e["error"] or "volume" in e["error"] for e in job.params["errors"])


def test_pages_next_links_rate_limits_and_idempotency(
    engine: Engine, settings: Settings, fake: FakeProvider
) -> None:
    fake.behaviour = {1: "429", 3: "429"}
    s = _settings(settings)
    job_id = _import(engine, s, fake.url)
    job = _job(engine, job_id)
    assert job.status == "succeeded", job.error
    assert job.params["imported"] == len(SALTS) == len(_imported(engine))
    assert len(fake.requests) == len(SALTS) + 2  # each 429 answered once, then retried
    assert {r[2] for r in _imported(engine)} == {f"fk-{i}" for i in range(len(SALTS))}
    # the same import again stores nothing twice
    again = _job(engine, _import(engine, s, fake.url))
    assert again.params["imported"] == 0 and again.params["skipped"] == len(SALTS)
    assert len(_imported(engine)) == len(SALTS)
    # --limit stops early
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM materials WHERE source = 'import'"))
    limited = _job(engine, _import(engine, s, fake.url, limit=2))
    assert limited.params["imported"] == 2 and limited.total == 2


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("malformed", "not valid JSON"),
        ("500", "answered 500: database on fire"),
        ("slow", "no answer within 1 s"),
    ],
)
def test_a_failing_page_fails_clearly_and_stores_nothing_of_it(
    engine: Engine, settings: Settings, fake: FakeProvider, mode: str, message: str
) -> None:
    fake.behaviour = {2: mode}
    job = _job(engine, _import(engine, _settings(settings, optimade_max_retries=1), fake.url))
    assert job.status == "failed"
    assert message in (job.error or "")
    assert job.processed == 2
    assert [r[2] for r in _imported(engine)] == ["fk-0", "fk-1"]
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM materials WHERE source = 'import'"))
        assert n.scalar_one() == 2
    # once the provider recovers, resuming the job finishes it without duplicates
    fake.behaviour = {}
    with session_scope(make_session_factory(engine)) as session:
        found = session.get(Job, job.id)
        assert found is not None
        found.status = "queued"  # type: ignore[assignment]
    importing.run_import(make_session_factory(engine), job.id, settings=_settings(settings))
    assert [r[2] for r in _imported(engine)] == [f"fk-{i}" for i in range(len(SALTS))]


def test_a_killed_cli_import_resumes_without_duplicates(
    engine: Engine, db_url: str, tmp_path: Path, fake: FakeProvider
) -> None:
    fake.delay = 0.6
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATDISCOVER_")}
    env |= {
        "MATDISCOVER_DATABASE_URL": db_url,
        "MATDISCOVER_DATA_DIR": str(tmp_path / "data"),
        "MATDISCOVER_AUTO_PREDICT": "false",
    }
    cli = [sys.executable, "-m", "matdiscover.cli.main", "import", "optimade"]
    proc = subprocess.Popen(
        [*cli, "--provider", fake.url, "--page-size", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_imported(engine)) < 2:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    stored = len(_imported(engine))
    assert 2 <= stored < len(SALTS)
    with engine.connect() as conn:
        job_id = conn.execute(text("SELECT id FROM jobs")).scalar_one()
    fake.delay = 0.0
    done = subprocess.run(
        [*cli, "--resume", str(job_id), "--json"], env=env, capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    result = json.loads(done.stdout)
    assert result["status"] == "succeeded"
    ids = [r[2] for r in _imported(engine)]
    assert ids == [f"fk-{i}" for i in range(len(SALTS))]
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM materials WHERE source = 'import'"))
        assert n.scalar_one() == len(SALTS)


def test_api_import_is_a_queued_job_and_servers_refuse_unknown_providers(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    r = client.post(
        "/api/v1/imports/optimade",
        json={"provider": "http://127.0.0.1:9/optimade", "filter": 'elements HAS "Si"'},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "optimade_import" and job["status"] == "queued"
    assert job["params"]["next_url"].startswith("http://127.0.0.1:9/optimade/v1/structures?")
    with engine.connect() as conn:
        queued = conn.execute(
            text("SELECT args FROM procrastinate_jobs WHERE task_name = :t"),
            {"t": "matdiscover.optimade_import"},
        ).scalar_one()
    assert queued == {"job_id": job["id"]}
    bad = client.post("/api/v1/imports/optimade", json={"provider": "ftp://x"})
    assert bad.status_code == 400
    assert client.get("/api/v1/imports/optimade/providers").json() == {
        "providers": [],
        "any_provider": True,
    }

    from tests.platform.tenants import SECRET

    server = Settings(
        database_url=db_url,
        data_dir=tmp_path / "server",
        auth="required",
        secret_key=SECRET,  # type: ignore[arg-type]
        optimade_providers=["https://optimade.example.org"],
    )
    with pytest.raises(Exception, match="configured OPTIMADE providers"):
        importing.check_provider("http://10.0.0.1/optimade", server)
    assert (
        importing.check_provider("https://optimade.example.org/v1/", server)
        == "https://optimade.example.org/v1"
    )
