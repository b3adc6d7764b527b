"""Property-based fuzzing of the whole HTTP API against its own OpenAPI schema.

Schemathesis generates requests from the schema the app serves (``/api/v1/openapi.json``,
checked equal by ``test_fuzz_covers_every_served_operation``), so every operation is
fuzzed, including endpoints added later, with no list to maintain. Requests go to the
real app in-process (ASGI) backed by a fresh clone of the embedded-PostgreSQL test
database. Before fuzzing, real objects are created: uploaded CIFs, a finished batch job
whose rows were stored as materials with predictions, and a queued job. Path parameters
``material_id``, ``job_id`` and model ``name`` then take either a generated value or one
of those (DELETE gets a material of its own), so the fuzz reaches the "object exists"
branches and not only 404s.

Every response must pass:

- ``not_a_server_error``: no 5xx, ever;
- ``status_code_conformance``: the status code is documented for the operation;
- ``content_type_conformance``: the Content-Type is one documented for that status;
- ``response_schema_conformance``: the body (each event of an event stream) matches the
  documented schema;
- ``response_headers_conformance``: documented response headers are valid.

Bounded and deterministic: the examples, coverage and fuzzing phases, at most
``MAX_EXAMPLES`` generated cases per operation in the fuzzing phase, derandomized (fixed
seed), no example database. About a minute on two cores.

Hostile text: half the valid (positive) cases get one control character (NUL half of the
time, else another C0 control or DEL) spliced into one of their strings (query, path or
body, at a random place), so every string field meets characters the database cannot
store in an otherwise valid request; those must answer the documented 422, never a 500.

Exclusions and limits:

- No operation and no check is excluded.
- Credentials are not generated (``with-security-parameters = false``): in local mode a
  request without credentials acts as the local user, so cases reach the endpoints'
  logic instead of stopping at 401 (invalid credentials are covered by test_auth.py; the
  401 is documented on every protected route).
- Event streams (``GET /jobs/{id}/events``) are read up to ``MAX_STREAM_EVENTS`` events:
  a queued job's stream never ends by itself.
- The schema is built from ``create_app(...).openapi()`` at import time (it needs no
  database) rather than with ``schemathesis.pytest.from_fixture``, whose loader in
  schemathesis 4.32 does not work with pytest 9.2 (``Node._nodeid`` is gone).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from sqlalchemy import create_engine, text

from matdiscover.db.embedded import EmbeddedDatabase
from matdiscover.settings import Settings
from tests.platform.conftest import TEMPLATE_DB, database_url

pytestmark = pytest.mark.slow

API = "/api/v1"
MAX_EXAMPLES = 25
MAX_STREAM_EVENTS = 1
DATA = Path(__file__).resolve().parents[1] / "data" / "real"
SEED_CIFS = ["BTO.cif", "Ca2RuO4.cif", "Al2SiO5_mp-4753_symmetrized.cif"]
#: Path parameters that sometimes address the objects created by ``fuzz_app``.
PATH_PARAMETERS = {"material_id", "job_id", "name"}
#: Spliced into generated strings: NUL, other C0 controls (not TAB/LF/CR) and DEL.
CONTROL_CHARACTERS = "\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f"

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20240607,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,
        },
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "max-stream-events": MAX_STREAM_EVENTS,
        "request-timeout": 30,
    }
)


def _upload(http: requests.Session, name: str) -> int:
    response = http.post(f"{API}/materials", files=[("files", (name, (DATA / name).read_bytes()))])
    assert response.status_code == 201, response.text
    return int(response.json()[0]["id"])


def _submit_batch(http: requests.Session, formulas: list[str], *, store: bool = False) -> int:
    csv = pd.DataFrame({"formula": formulas}).to_csv(index=False).encode()
    response = http.post(
        f"{API}/jobs/batch-predictions",
        files={"file": ("input.csv", csv)},
        data={"properties": "formation_energy,band_gap", "store": str(store).lower()},
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _run_job_in_process(app: Any, job_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a batch job's task bodies here, against the app's database and store."""
    from matdiscover.domains.jobs.models import JobChunk
    from matdiscover.worker import batch

    monkeypatch.setattr(batch, "session_factory", lambda: app.state.session_factory)
    monkeypatch.setattr(batch, "object_store", lambda: app.state.store)
    with app.state.session_factory() as session:
        indices = session.scalars(
            JobChunk.__table__.select()
            .with_only_columns(JobChunk.index)
            .where(JobChunk.job_id == job_id)
        ).all()
    for index in indices:
        batch.run_chunk(job_id, index)
    batch.run_reduce(job_id)


@pytest.fixture(scope="module")
def fuzz_settings(
    pg_server: EmbeddedDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """A fresh clone of the migrated template database for this module's tests."""
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"'))
    try:
        yield Settings(
            database_url=database_url(pg_server.url, name),
            data_dir=tmp_path_factory.mktemp("fuzz") / "data",
            auto_predict=False,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings) -> Iterator[Any]:
    """The app, started, with real objects in it; path parameters sometimes address them."""
    from matdiscover.api.app import create_app

    app = create_app(fuzz_settings)
    try:
        # entering the client starts the app's lifespan; it runs until shutdown_lifespans()
        with asgi.get_client(app) as http:
            materials = [_upload(http, name) for name in SEED_CIFS]
            KNOWN_DELETABLE["material_id"] = [_upload(http, "FAU.cif")]
            finished = _submit_batch(http, ["NaCl", "Fe2O3", "Xx2", "MgO"], store=True)
            with pytest.MonkeyPatch.context() as monkeypatch:
                _run_job_in_process(app, finished, monkeypatch)
            assert http.get(f"{API}/jobs/{finished}").json()["status"] == "succeeded"
            queued = _submit_batch(http, ["LiFePO4", "GaAs"])
            models = [m["name"] for m in http.get(f"{API}/models").json()]
        KNOWN.update({"material_id": materials, "job_id": [finished, queued], "name": models[:3]})
        yield app
    finally:
        KNOWN.clear()
        KNOWN_DELETABLE.clear()
        asgi.shutdown_lifespans()


#: Objects created by ``fuzz_app``, by path parameter name (filled when the app starts).
KNOWN: dict[str, list[Any]] = {}
KNOWN_DELETABLE: dict[str, list[Any]] = {}


def _known(name: str, method: str) -> list[Any]:
    pools = {**KNOWN, **KNOWN_DELETABLE} if method == "DELETE" else KNOWN
    return pools.get(name, [])


def _schema() -> Any:
    """The schema the app serves (built without a database: the schema needs none)."""
    from matdiscover.api.app import create_app

    app = create_app(Settings(database_url="postgresql://schema-only@localhost/none"))
    return schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)


schema = _schema()


@schema.hook
def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
    """Half of the cases address objects that exist (for DELETE: ones made to be deleted).

    The pool is read when a case is drawn, not when the strategy is built: schemathesis
    builds strategies at collection time, before ``fuzz_app`` has created anything.
    """
    method = context.operation.method.upper()

    def pick(params: dict[str, Any], index: int) -> dict[str, Any]:
        chosen = dict(params)
        for name in params:
            pool = _known(name, method)
            if pool:
                chosen[name] = pool[index % len(pool)]
        return chosen

    def with_known(params: Any) -> Any:
        if not isinstance(params, dict) or not PATH_PARAMETERS.intersection(params):
            return st.just(params)
        existing = st.integers(min_value=0, max_value=15).map(lambda i: pick(params, i))
        return st.one_of(st.just(params), existing)

    return strategy.flatmap(with_known)


def _string_slots(value: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every string in a nested dict/list value."""
    slots: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in pairs:
            if isinstance(child, str):
                slots.append((item, key))
            elif isinstance(child, dict | list):
                stack.append(child)
    return slots


def _splice(case: schemathesis.Case, char: str, which: int, where: int) -> schemathesis.Case:
    """``case`` with ``char`` inserted into one of its query, path or body strings."""
    case.query = copy.deepcopy(case.query)
    case.path_parameters = copy.deepcopy(case.path_parameters)
    if isinstance(case.body, dict | list):
        case.body = copy.deepcopy(case.body)
    slots = _string_slots([case.query, case.path_parameters, case.body])
    if slots:
        container, key = slots[which % len(slots)]
        text = container[key]
        at = where % (len(text) + 1)
        container[key] = text[:at] + char + text[at:]
    return case


@schema.hook
def before_generate_case(context: Any, strategy: Any) -> Any:
    """Half of the valid cases carry a control character (often NUL) in one of their
    strings; in an otherwise valid request it reaches the service and the database."""

    def maybe_spliced(case: schemathesis.Case) -> Any:
        if case.meta is not None and case.meta.generation.mode != GenerationMode.POSITIVE:
            return st.just(case)
        spliced = st.builds(
            lambda char, which, where: _splice(case, char, which, where),
            st.one_of(st.just("\x00"), st.sampled_from(CONTROL_CHARACTERS)),
            st.integers(min_value=0, max_value=63),
            st.integers(min_value=0, max_value=255),
        )
        return st.one_of(st.just(case), spliced)

    return strategy.flatmap(maybe_spliced)


@schema.parametrize()
def test_api_conforms_to_its_schema(case: schemathesis.Case, fuzz_app: Any) -> None:
    case.call_and_validate(app=fuzz_app)


def test_fuzz_covers_every_served_operation(fuzz_app: Any) -> None:
    """The fuzzed schema is the one the app serves, so new endpoints are fuzzed by default."""
    with asgi.get_client(fuzz_app) as http:
        served = http.get(f"{API}/openapi.json").json()
    assert served == schema.raw_schema
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert ("POST", f"{API}/materials") in operations
    assert ("GET", f"{API}/jobs/{{job_id}}/events") in operations
