"""The OPTIMADE server over the shipped known structures: a table of filters checked against
results computed independently in Python from ``known_structures.parquet``, JSON:API
errors, pagination, sorting and response fields; and ``optimade-validator`` against a real
``matdiscover serve`` on loopback."""

from __future__ import annotations

import json
import string
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pymatgen.core import Structure
from sqlalchemy import create_engine, text

from matdiscover.db.embedded import EmbeddedDatabase
from matdiscover.db.engine import create_db_engine
from matdiscover.domains.reference.service import load_reference
from matdiscover.settings import Settings
from tests.platform.conftest import TEMPLATE_DB, database_url, private_tmp_dir

KNOWN = Path(__file__).resolve().parents[2] / "data" / "reference" / "known_structures.parquet"
V1 = "/optimade/v1"
PAGE = 500


@dataclass(frozen=True)
class Row:
    """One known structure, its OPTIMADE values computed here from the parquet file."""

    key: tuple[str, str]
    id: str | None  # the citable id of Materials Project rows
    elements: frozenset[str]
    nsites: int
    reduced: str
    anonymous: str
    descriptive: str
    space_group: int | None
    crystal_system: str | None
    ordered: bool


def _formulas(amounts: dict[str, float]) -> tuple[str, str]:
    counts = {el: round(n) for el, n in amounts.items()}
    divisor = 0
    for n in counts.values():
        a, b = divisor, n
        while b:
            a, b = b, a % b
        divisor = a
    counts = {el: n // divisor for el, n in counts.items()}
    reduced = "".join(f"{el}{'' if n == 1 else n}" for el, n in sorted(counts.items()))
    letters = string.ascii_uppercase
    anonymous = "".join(
        f"{letters[i]}{'' if n == 1 else n}"
        for i, n in enumerate(sorted(counts.values(), reverse=True))
    )
    return reduced, anonymous


def _rows() -> list[Row]:
    frame = pd.read_parquet(KNOWN)
    out = []
    for rec in frame.itertuples():
        s = Structure.from_dict(json.loads(rec.structure))
        amounts = {str(el): float(n) for el, n in s.composition.get_el_amt_dict().items()}
        reduced, anonymous = _formulas(amounts)
        sg = None if pd.isna(rec.space_group_number) else int(rec.space_group_number)
        out.append(
            Row(
                key=(str(rec.source_database), str(rec.source_id)),
                id=str(rec.source_id) if rec.source_database == "materials_project" else None,
                elements=frozenset(amounts),
                nsites=len(s),
                reduced=reduced,
                anonymous=anonymous,
                descriptive=str(rec.formula).replace(" ", ""),
                space_group=sg,
                crystal_system=None if pd.isna(rec.crystal_system) else str(rec.crystal_system),
                ordered=s.is_ordered,
            )
        )
    return out


def _sg_in(r: Row, lo: int, hi: int) -> bool:
    return r.space_group is not None and lo <= r.space_group < hi


#: (filter, the rows it must return), >= 40 filters, including the issue's examples
FILTERS: list[tuple[str, Callable[[Row], bool]]] = [
    ('elements HAS ALL "Si","O" AND nelements=2', lambda r: r.elements == {"Si", "O"}),
    # OPTIMADE reduced formulas are alphabetical: SiO2 is "O2Si", so "SiO2" matches nothing
    ('chemical_formula_reduced="SiO2"', lambda r: r.reduced == "SiO2"),
    ('chemical_formula_reduced="O2Si"', lambda r: r.reduced == "O2Si"),
    ("nsites<=10", lambda r: r.nsites <= 10),
    ('elements HAS ONLY "Fe","O"', lambda r: r.elements <= {"Fe", "O"}),
    ('chemical_formula_descriptive CONTAINS "Fe"', lambda r: "Fe" in r.descriptive),
    ('chemical_formula_reduced STARTS WITH "Al"', lambda r: r.reduced.startswith("Al")),
    ('chemical_formula_reduced STARTS "Zn"', lambda r: r.reduced.startswith("Zn")),
    ('chemical_formula_reduced ENDS WITH "O3"', lambda r: r.reduced.endswith("O3")),
    ('chemical_formula_descriptive ENDS "O3"', lambda r: r.descriptive.endswith("O3")),
    ('NOT elements HAS "O"', lambda r: "O" not in r.elements),
    (
        "(nelements=1 OR nelements=4) AND nsites<5",
        lambda r: len(r.elements) in (1, 4) and r.nsites < 5,
    ),
    ('elements HAS ANY "Li","Na","K"', lambda r: bool(r.elements & {"Li", "Na", "K"})),
    ('elements HAS "Cu"', lambda r: "Cu" in r.elements),
    ("elements LENGTH 3", lambda r: len(r.elements) == 3),
    ("elements LENGTH >= 5", lambda r: len(r.elements) >= 5),
    ("nelements > 3", lambda r: len(r.elements) > 3),
    ("nelements != 2", lambda r: len(r.elements) != 2),
    ("nsites >= 100", lambda r: r.nsites >= 100),
    ("4 > nsites", lambda r: r.nsites < 4),
    ('chemical_formula_anonymous = "AB"', lambda r: r.anonymous == "AB"),
    ('chemical_formula_anonymous = "A3B2"', lambda r: r.anonymous == "A3B2"),
    ('chemical_formula_anonymous STARTS WITH "A4"', lambda r: r.anonymous.startswith("A4")),
    ("space_group_it_number = 225", lambda r: r.space_group == 225),
    (
        "space_group_it_number >= 200 AND space_group_it_number < 221",
        lambda r: _sg_in(r, 200, 221),
    ),
    (
        "NOT (space_group_it_number = 225 OR space_group_it_number = 229)",
        lambda r: r.space_group not in (225, 229),
    ),
    ("nsites IS KNOWN", lambda r: True),
    ("space_group_it_number IS UNKNOWN", lambda r: r.space_group is None),
    ("structure_features LENGTH 0", lambda r: r.ordered),
    ('structure_features HAS "disorder"', lambda r: not r.ordered),
    ("nperiodic_dimensions = 3 AND nelements = 1", lambda r: len(r.elements) == 1),
    ("_exmpl_x = 1", lambda r: False),
    ("_exmpl_x = 1 OR nsites = 1", lambda r: r.nsites == 1),
    ("NOT _exmpl_x = 1 AND nelements = 1", lambda r: len(r.elements) == 1),
    ('immutable_id IS UNKNOWN AND elements HAS "Au"', lambda r: "Au" in r.elements),
    (
        '_matdiscover_source_database = "aflow_prototypes"',
        lambda r: r.key[0] == "aflow_prototypes",
    ),
    (
        '_matdiscover_source_database = "ase_dcdft" AND nelements = 1',
        lambda r: r.key[0] == "ase_dcdft" and len(r.elements) == 1,
    ),
    (
        '_matdiscover_crystal_system = "hexagonal" AND elements HAS "Zn"',
        lambda r: r.crystal_system == "hexagonal" and "Zn" in r.elements,
    ),
    ('id STARTS WITH "mp-1"', lambda r: r.id is not None and r.id.startswith("mp-1")),
    ('id = "mp-22862"', lambda r: r.id == "mp-22862"),
    (
        'elements HAS ALL "Ba","Ti","O" OR chemical_formula_reduced = "O3SrTi"',
        lambda r: {"Ba", "Ti", "O"} <= r.elements or r.reduced == "O3SrTi",
    ),
    ("NOT (NOT nelements = 2)", lambda r: len(r.elements) == 2),
    (
        'nelements = 2 AND (elements HAS "Cl" OR elements HAS "Br") AND NOT elements HAS "Na"',
        lambda r: (
            len(r.elements) == 2 and bool(r.elements & {"Cl", "Br"}) and "Na" not in r.elements
        ),
    ),
    ('last_modified >= "2000-01-01T00:00:00Z" AND nsites = 2', lambda r: r.nsites == 2),
    ('elements HAS ONLY "Si"', lambda r: r.elements == {"Si"}),
]


@pytest.fixture(scope="module")
def loaded_db(pg_server: EmbeddedDatabase) -> Iterator[str]:
    """A database with the shipped known structures loaded (once for this module)."""
    name = f"optimade_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"'))
    url = database_url(pg_server.url, name)
    engine = create_db_engine(url, pool_size=1)
    load_reference(engine, tables=["known_structures"])
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def api(loaded_db: str) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    data_dir = private_tmp_dir("matdiscover-optimade-")
    settings = Settings(database_url=loaded_db, data_dir=data_dir, auto_predict=False)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _rows()


def _keys(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (
            e["attributes"]["_matdiscover_source_database"],
            e["attributes"]["_matdiscover_source_id"],
        )
        for e in doc["data"]
    ]


@pytest.mark.parametrize(("flt", "expected"), FILTERS, ids=[f for f, _ in FILTERS])
def test_filter_matches_python(
    api: TestClient, rows: list[Row], flt: str, expected: Callable[[Row], bool]
) -> None:
    want = {r.key for r in rows if expected(r)}
    r = api.get(
        f"{V1}/structures",
        params={
            "filter": flt,
            "page_limit": PAGE,
            "response_fields": "_matdiscover_source_database,_matdiscover_source_id",
        },
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["meta"]["data_returned"] == len(want)
    got = _keys(doc)
    assert len(got) == len(set(got)) == min(len(want), PAGE)
    assert set(got) <= want
    if len(want) <= PAGE:
        assert doc["meta"]["more_data_available"] is False
        assert doc["links"]["next"] is None
    if flt.startswith("_exmpl_x"):
        assert "_exmpl_x" in doc["meta"]["warnings"][0]["detail"]


def test_the_table_has_at_least_40_filters() -> None:
    assert len(FILTERS) >= 40
    assert len({f for f, _ in FILTERS}) == len(FILTERS)


@pytest.mark.parametrize(
    ("flt", "status", "detail"),
    [
        ("crazyfield = 2", 400, "unknown property 'crazyfield'"),
        ("nsites <", 400, "cannot parse the filter"),
        ("nsites = = 3", 400, "cannot parse the filter"),
        ("_matdiscover_nope = 1", 400, "not a field of this provider"),
        ('nsites = "ten"', 400, "is a number"),
        ('species_at_sites HAS "Fe"', 501, "species_at_sites"),
    ],
)
def test_errors_are_jsonapi_documents(api: TestClient, flt: str, status: int, detail: str) -> None:
    r = api.get(f"{V1}/structures", params={"filter": flt})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/vnd.api+json")
    doc = r.json()
    assert doc["errors"][0]["status"] == str(status)
    assert detail in doc["errors"][0]["detail"]
    assert doc["meta"]["api_version"] == "1.2.0"
    assert "data" not in doc


def test_pagination_follows_next_links_without_overlap(api: TestClient) -> None:
    url: str | None = f"{V1}/structures?filter=nelements=1&page_limit=7&sort=-nsites"
    seen: list[str] = []
    sizes: list[int] = []
    while url:
        doc = api.get(url).json()
        seen.extend(e["id"] for e in doc["data"])
        sizes.extend(e["attributes"]["nsites"] for e in doc["data"])
        url = doc["links"]["next"]
    assert len(seen) == len(set(seen)) == doc["meta"]["data_returned"] > 7
    assert sizes == sorted(sizes, reverse=True)


def test_single_entry_ids_and_response_fields(api: TestClient) -> None:
    r = api.get(f"{V1}/structures/mp-22862", params={"response_fields": "nsites,elements"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["data"]["id"] == "mp-22862"
    assert doc["data"]["attributes"] == {"nsites": 8, "elements": ["Cl", "Na"]}
    full = api.get(f"{V1}/structures", params={"filter": 'elements HAS ONLY "Si"'}).json()
    ours = next(e for e in full["data"] if e["id"].startswith("matdiscover-"))
    again = api.get(f"{V1}/structures/{ours['id']}").json()["data"]
    assert again["attributes"]["chemical_formula_reduced"] == "Si"
    assert "_matdiscover_band_gap" in again["attributes"]
    assert "_matdiscover_band_gap_sigma" in again["attributes"]
    missing = api.get(f"{V1}/structures/mp-0")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["status"] == "404"


def test_versions_redirects_references_and_bad_versions(api: TestClient) -> None:
    versions = api.get("/optimade/versions")
    assert versions.text == "version\n1\n"
    assert versions.headers["content-type"].startswith("text/csv")
    assert api.get("/optimade/info").json()["data"]["attributes"]["api_version"] == "1.2.0"
    assert api.get("/optimade/v2/info").status_code == 553
    refs = api.get(f"{V1}/references", params={"filter": 'year >= "2017"'}).json()
    assert {e["id"] for e in refs["data"]} == {
        "dunn2020matbench",
        "ward2018matminer",
        "mehl2017aflowprototypes",
    }
    info = api.get(f"{V1}/info/structures").json()["data"]["properties"]
    assert info["nsites"]["type"] == "integer"
    assert info["_matdiscover_formation_energy"]["unit"]


@pytest.mark.slow
def test_optimade_validator_passes_against_matdiscover_serve(loaded_db: str) -> None:
    """``optimade-validator`` (all mandatory tests, optional ones too) against a real
    ``matdiscover serve`` process on loopback."""
    from optimade.validator import ImplementationValidator

    from tests.platform.test_serve_lifecycle import Server

    data_dir = private_tmp_dir("matdiscover-optimade-serve-") / "data"
    data_dir.mkdir()
    server = Server(
        data_dir,
        workers=0,
        env={"MATDISCOVER_DATABASE_URL": loaded_db, "MATDISCOVER_AUTO_PREDICT": "false"},
    )
    try:
        server.wait_healthy()
        validator = ImplementationValidator(
            base_url=f"{server.url}/optimade/v1", verbosity=-1, run_optional_tests=True
        )
        with warnings.catch_warnings():  # the validator's own pydantic deprecations
            warnings.simplefilter("ignore", DeprecationWarning)
            validator.validate_implementation()
        results = validator.results
        assert results.failure_count == 0, results.failure_messages
        assert results.internal_failure_count == 0, results.internal_failure_messages
        assert results.success_count >= 50
        print(
            f"optimade-validator: {results.success_count} mandatory passed, "
            f"{results.optional_success_count} of "
            f"{results.optional_success_count + results.optional_failure_count} optional passed"
        )
    finally:
        server.close()
