"""Hostile input at the HTTP boundary: unstorable characters, ids beyond bigint in signed
tokens, absurd numbers, and uploads over the documented limits (issue 21, items 4, 7, 10
and 11). Every case used to answer 500 (or 201/400); each reproduction is run as reported.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pymatgen.core import Lattice, Structure
from sqlalchemy import Engine

from matdiscover.api.app import create_app
from matdiscover.domains.auth.secrets import issue_access_token
from matdiscover.domains.identity import Role
from matdiscover.science.io import write_structure
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.tenants import (
    PASSWORD,
    SECRET,
    Org,
    login,
    make_org,
    make_user,
    server_settings,
)
from tests.science.structure_fixtures import cscl_cif

API = "/api/v1"
BOUNDARY = "b0undary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
HUGE_ID = 99999999999999999999999


def _cif(structure: Structure | None = None) -> bytes:
    rocksalt = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    return write_structure(structure or rocksalt, "cif").encode()


def _assert_unstorable(response: Any, loc: list[Any], *, secret: str | None = None) -> None:
    """422 in the shape of the validation errors, naming the place but not the value."""
    assert response.status_code == 422, response.text
    (issue,) = response.json()["detail"]
    assert issue["loc"] == loc and issue["type"] == "unstorable_character", issue
    assert "cannot be stored" in issue["msg"]
    assert "\\u0000" not in response.text and (secret is None or secret not in response.text)


@pytest.fixture()
def org(engine: Engine) -> Org:
    return make_org(engine, "Lab B")


@pytest.fixture()
def server(db_url: str, tmp_path: Path, engine: Engine, org: Org) -> Iterator[TestClient]:
    make_user(engine, org, "admin@labb.org", Role.admin)
    make_user(engine, org, "b@labb.org", Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        yield c


# --- item 4: NUL and other unstorable characters -------------------------------------------


def test_nul_in_the_login_email_is_422_not_a_database_error(server: TestClient) -> None:
    r = server.post(f"{API}/auth/login", json={"email": "b@labb.org\u0000", "password": PASSWORD})
    _assert_unstorable(r, ["body", "email"], secret=PASSWORD)
    # a lone surrogate (JSON "\ud800") cannot even be encoded to UTF-8
    raw = '{"email": "b@labb.org", "password": "pw\\ud800 and more text"}'
    r = server.post(f"{API}/auth/login", content=raw, headers={"Content-Type": "application/json"})
    _assert_unstorable(r, ["body", "password"], secret="and more text")
    # the account still works
    assert login(server, "b@labb.org")


def test_nul_in_api_key_name_and_member_fields_is_422(server: TestClient, engine: Engine) -> None:
    researcher = login(server, "b@labb.org")
    admin = login(server, "admin@labb.org")
    before = count_rows(engine, "api_keys")
    r = server.post(f"{API}/api-keys", json={"name": "k\u0000"}, headers=researcher)
    _assert_unstorable(r, ["body", "name"])
    assert count_rows(engine, "api_keys") == before
    r = server.post(
        f"{API}/organization/members", json={"email": "new\u0000@labb.org"}, headers=admin
    )
    _assert_unstorable(r, ["body", "email"])
    accept = {"token": "t" * 40, "password": PASSWORD, "full_name": "Ada\u0000 Lovelace"}
    r = server.post(f"{API}/auth/invitations/accept", json=accept)
    _assert_unstorable(r, ["body", "full_name"], secret=PASSWORD)


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("q=%00", ["query", "q"]),
        ("q=Fe%00O&fuzzy=true", ["query", "q"]),
        ("formula=Fe%01O", ["query", "formula"]),
        ("q=%ed%a0%80", None),  # an encoded surrogate is invalid UTF-8: U+FFFD, storable
        ("q=%ff", None),
        ("%00=x", ["query"]),
    ],
)
def test_control_characters_in_a_search_are_422(
    client: TestClient, query: str, loc: list[Any] | None
) -> None:
    r = client.get(f"{API}/materials?{query}")
    if loc is None:
        assert r.status_code == 200, r.text
    else:
        _assert_unstorable(r, loc)


def test_unstorable_text_anywhere_in_json_is_found_and_the_rest_passes(client: TestClient) -> None:
    nested = {"formula": "NaCl", "properties": ["band_gap", "x\u0007"]}
    _assert_unstorable(client.post(f"{API}/predictions", json=nested), ["body", "properties", 1])
    key = client.post(f"{API}/predictions", json={"formula": "NaCl", "bad\u0000key": 1})
    _assert_unstorable(key, ["body"])
    # TAB, LF and CR are storable: a structure file pasted into JSON keeps working
    cif = _cif().decode().replace("\n", "\r\n").replace(" ", "\t", 3)
    ok = client.post(
        f"{API}/predictions",
        json={"structure": {"filename": "NaCl.cif", "content": cif}, "properties": ["band_gap"]},
    )
    assert ok.status_code == 200, ok.text
    # malformed JSON is still FastAPI's own 422
    r = client.post(
        f"{API}/predictions", content=b'{"formula": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"


def test_nul_in_the_path_is_422(client: TestClient) -> None:
    _assert_unstorable(client.get(f"{API}/models/a%00b"), ["path"])
    _assert_unstorable(client.get("/some%00page"), ["path"])


def test_nul_in_upload_file_names_and_form_fields_is_422(
    client: TestClient, engine: Engine
) -> None:
    def post(path: str, body: bytes) -> Any:
        return client.post(f"{API}{path}", content=body, headers=MULTIPART)

    before = count_rows(engine, "materials")
    r = post("/materials", _multipart([("NaCl\u0000.cif", _cif())]))
    _assert_unstorable(r, ["body", "files", "filename"])
    assert count_rows(engine, "materials") == before
    jobs = count_rows(engine, "jobs")
    csv = b"formula\nNaCl\n"
    r = post("/jobs/batch-predictions", _multipart([("in\u0000put.csv", csv)], field="file"))
    _assert_unstorable(r, ["body", "file", "filename"])
    body = _multipart([("input.csv", csv)], field="file", data={"properties": "band_gap\u0001"})
    _assert_unstorable(post("/jobs/batch-predictions", body), ["body", "properties"])
    assert count_rows(engine, "jobs") == jobs
    ok = post("/materials", _multipart([("NaCl.cif", _cif())]))
    assert ok.status_code == 201 and ok.json()[0]["filename"] == "NaCl.cif", ok.text


# --- item 7: ids beyond bigint in a correctly signed token ---------------------------------


@pytest.mark.parametrize(
    ("user_id", "organization_id"), [(HUGE_ID, 1), (1, HUGE_ID), (2**63, 2**63), (0, 1)]
)
def test_signed_token_with_ids_beyond_bigint_is_401(
    server: TestClient, user_id: int, organization_id: int
) -> None:
    token = issue_access_token(
        user_id=user_id,
        organization_id=organization_id,
        secret=SECRET,
        ttl=timedelta(minutes=5),
    )
    r = server.get(f"{API}/materials", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.json()["detail"] == "the access token is invalid"


# --- item 10: absurd numbers ----------------------------------------------------------------


@pytest.mark.parametrize("formula", ["Fe1e308O", "Fe999999999999999999999O", "Fe1e308"])
def test_absurd_formula_amounts_are_refused(client: TestClient, formula: str) -> None:
    r = client.post(f"{API}/predictions", json={"formula": formula})
    assert r.status_code == 400, r.text
    assert "out of range" in r.json()["detail"]


def test_real_fractional_formulas_still_predict(client: TestClient) -> None:
    r = client.post(f"{API}/predictions", json={"formula": "Fe0.95O", "properties": ["band_gap"]})
    assert r.status_code == 200, r.text


def test_cif_with_a_coordinate_of_1e300_is_refused_not_wrapped(
    client: TestClient, engine: Engine
) -> None:
    before = count_rows(engine, "materials")
    r = client.post(f"{API}/materials", files=[("files", ("far.cif", cscl_cif(x="1e300")))])
    assert r.status_code == 422, r.text  # was 201: the coordinate wrapped to 0
    (error,) = r.json()["detail"]
    assert "fractional x coordinate 1e300" in error["error"]
    assert count_rows(engine, "materials") == before
    r = client.post(f"{API}/materials", files=[("files", ("ok.cif", cscl_cif(x="0")))])
    assert r.status_code == 201, r.text


# --- item 11: 413 for uploads over the limits -------------------------------------------------


@pytest.fixture()
def small_upload_client(settings: Settings) -> Iterator[TestClient]:
    small = settings.model_copy(
        update={"max_upload_bytes": 200 * 1024, "max_file_bytes": 64 * 1024, "auto_predict": False}
    )
    with TestClient(create_app(small)) as c:
        yield c


def _multipart(
    files: list[tuple[str, bytes]], *, field: str = "files", data: dict[str, str] | None = None
) -> bytes:
    """A multipart body written by hand: httpx would percent-escape control characters in
    file names, a hostile client does not."""
    out = io.BytesIO()
    for name, value in (data or {}).items():
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, content in files:
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def test_chunked_upload_over_the_limit_is_413(
    small_upload_client: TestClient, engine: Engine
) -> None:
    """Like the 230 MB chunked upload against the 200 MB default, with a 200 KB limit."""
    body = _multipart([("big.cif", b"x" * (230 * 1024))])

    def chunks() -> Iterator[bytes]:  # a generator: no Content-Length, chunked transfer
        for start in range(0, len(body), 16 * 1024):
            yield body[start : start + 16 * 1024]

    before = count_rows(engine, "materials")
    r = small_upload_client.post(
        f"{API}/materials",
        content=chunks(),
        headers=MULTIPART,
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413, r.text
    assert "limit" in r.json()["detail"]
    assert count_rows(engine, "materials") == before
    # a chunked JSON body over its limit is a 413 too
    big = json.dumps({"formula": "NaCl", "pad": "x" * (400 * 1024)}).encode()
    r = small_upload_client.post(
        f"{API}/predictions",
        content=iter([big[i : i + 8192] for i in range(0, len(big), 8192)]),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text


def test_upload_of_1001_files_is_413(client: TestClient, engine: Engine) -> None:
    before = count_rows(engine, "materials")
    cif = _cif()
    r = client.post(
        f"{API}/materials",
        content=_multipart([(f"f{i}.cif", cif) for i in range(1001)]),
        headers=MULTIPART,
    )
    assert r.status_code == 413, r.text
    assert "1000" in r.json()["detail"]
    assert count_rows(engine, "materials") == before
