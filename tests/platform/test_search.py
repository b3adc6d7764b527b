"""Unified search through the REST API, checked against a pandas reference implementation
on a sample of the reference database plus tenant materials and predictions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from matdiscover.domains.search import formulas as search_formulas
from matdiscover.domains.search import paging as search_paging
from matdiscover.domains.search import service as search_module
from tests.platform.test_search_data import (
    Seed,
    expected_order,
    reference_filter,
    seed,
)


def fetch_all(
    client: TestClient, params: dict[str, Any], *, limit: int = 500
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        r = client.get(
            "/api/v1/materials",
            params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not terminate")


QUERIES: list[dict[str, Any]] = [
    {},
    {"formula": "Fe2O3"},
    {"formula": "Fe4O6"},
    {"formula": "Li*O2"},
    {"formula": "*Ti*O3"},
    {"anonymous_formula": "ABO3"},
    {"anonymous_formula": "AB2O4"},
    {"anonymous_formula": "AB"},
    {"elements": ["Fe", "O"]},
    {"elements": ["fe,o"]},
    {"elements_any": ["Li", "Na"]},
    {"elements_exclude": ["O"]},
    {"elements": ["O"], "elements_exclude": ["Fe", "Li"], "nelements": 2},
    {"chemical_system": "Fe-O"},
    {"chemical_system": "O-Fe"},
    {"chemical_system": "Li-*"},
    {"chemical_system": "Fe-O-*"},
    {"nelements": 3},
    {"source_database": "oqmd"},
    {"source_database": "experimental"},
    {"source": "upload"},
    {"band_gap_min": 1.0, "band_gap_max": 3.0},
    {"band_gap_min": 1.0, "band_gap_max": 3.0, "property_source": "predicted"},
    {"band_gap_min": 1.0, "band_gap_max": 3.0, "property_source": "any"},
    {"formation_energy_max": -2.0},
    {"formation_energy_max": -2.0, "property_source": "any"},
    {"energy_above_hull_max": 0.05},
    {"bulk_modulus_min": 100},
    {"shear_modulus_max": 50},
    {"debye_temperature_min": 300, "debye_temperature_max": 600},
    {"is_stable": True},
    {"is_stable": False},
    {"is_stable": True, "property_source": "any"},
    {"include_reference": False},
    {"elements": ["O"], "band_gap_min": 2.0, "source_database": "materials_project"},
    {"q": "SrTi03"},
    {"q": "NaCI"},
    {"q": "Fe2O4", "elements": ["Fe"]},
    {"q": "LiFePO"},
    {"q": "Li Co O2", "include_reference": False},
    {"formula": "Fe2O4", "fuzzy": True},
    {"formula": "Li*O2", "fuzzy": True},
    {"formula": "Na*Cl*"},
    {"formula": "Ba*"},
    {"formula": "*O3", "band_gap_min": 1.0},
]


def test_filters_match_pandas_reference(client: TestClient, session: Session) -> None:
    data = seed(session)
    assert len(data.frame) > 1500
    for query in QUERIES:
        expected = reference_filter(data, query)
        if "q" in query or "*" in query.get("formula", ""):
            assert len(expected) > 0, f"{query} should match something"
        got = fetch_all(client, query)
        got_ids = [m["id"] for m in got]
        assert len(got_ids) == len(set(got_ids)), f"duplicates for {query}"
        assert sorted(got_ids) == sorted(expected.id.tolist()), f"mismatch for {query}"
        assert got_ids == sorted(got_ids), f"default order is by id for {query}"
        r = client.get("/api/v1/materials", params={**query, "limit": 1}).json()
        assert r["total"] == len(expected) and r["total_is_estimate"] is False, query


@pytest.mark.parametrize(
    ("sort", "order", "query"),
    [
        ("band_gap", "desc", {}),
        ("band_gap", "asc", {"elements": ["O"]}),
        ("formation_energy", "asc", {"property_source": "any"}),
        ("band_gap", "desc", {"property_source": "predicted", "include_reference": False}),
        ("debye_temperature", "desc", {"source_database": "aflow"}),
        ("id", "desc", {"chemical_system": "Fe-O-*"}),
        ("reduced_formula", "asc", {"elements": ["Li"]}),
        ("nelements", "desc", {"elements_any": ["Na", "K"]}),
    ],
)
def test_sorted_pagination_matches_pandas_with_missing_values(
    client: TestClient, session: Session, sort: str, order: str, query: dict[str, Any]
) -> None:
    data = seed(session)
    expected = reference_filter(data, query)
    want = _order(data, expected, sort, order == "desc", query)
    got = [m["id"] for m in fetch_all(client, {**query, "sort": sort, "order": order}, limit=37)]
    assert got == want


def _order(data: Seed, frame: Any, sort: str, desc: bool, query: dict[str, Any]) -> list[int]:
    if sort in ("reduced_formula", "nelements"):
        return frame.sort_values([sort, "id"], ascending=not desc).id.tolist()
    return expected_order(data, frame, sort, desc, query.get("property_source", "reference"))


def test_sort_values_are_returned_and_null_last(client: TestClient, session: Session) -> None:
    seed(session)
    body = client.get(
        "/api/v1/materials", params={"sort": "band_gap", "order": "desc", "limit": 5}
    ).json()
    values = [m["sort_value"] for m in body["items"]]
    assert values == sorted(values, reverse=True) and None not in values
    assert body["items"][0]["properties"]["band_gap"] == values[0]


def test_tenancy_other_org_rows_and_predictions_are_invisible(
    client: TestClient, session: Session
) -> None:
    data = seed(session)
    other_ids = set(data.frame[data.frame.org == data.other_org_id].id)
    everything = {m["id"] for m in fetch_all(client, {})}
    assert other_ids and not (other_ids & everything)
    # the other org predicted 1.6 eV for a reference entry; it must not count for us
    preds = data.predictions
    ref_other = int(
        preds[(preds.org == data.other_org_id) & (preds.value == 1.6)].material_id.iloc[0]
    )
    got = {
        m["id"]
        for m in fetch_all(
            client, {"band_gap_min": 1.55, "band_gap_max": 1.65, "property_source": "predicted"}
        )
    }
    assert ref_other not in got


def test_fuzzy_formula_finds_typos(client: TestClient, session: Session) -> None:
    seed(session)
    for typo, want in [("SrTi03", "SrTiO3"), ("NaCI", "NaCl"), ("BaTiO", "BaTiO3")]:
        body = client.get(
            "/api/v1/materials", params={"q": typo, "sort": "relevance", "order": "desc"}
        ).json()
        formulas = [m["reduced_formula"] for m in body["items"][:5]]
        assert want in formulas, (typo, formulas)
    body = client.get("/api/v1/materials", params={"formula": "Fe2O4", "fuzzy": True}).json()
    assert "Fe2O3" in {m["reduced_formula"] for m in body["items"]}


def test_large_results_report_an_estimated_total(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = seed(session)
    monkeypatch.setattr(search_paging, "EXACT_COUNT_LIMIT", 100)
    body = client.get("/api/v1/materials", params={"limit": 1}).json()
    assert body["total_is_estimate"] is True
    assert body["total"] > 100
    assert abs(body["total"] - len(data.frame)) < 0.5 * len(data.frame)
    small = client.get("/api/v1/materials", params={"chemical_system": "Fe-O"}).json()
    assert small["total_is_estimate"] is False


@pytest.mark.parametrize(
    "params",
    [
        {"formula": "Xx2"},
        {"elements": ["Qq"]},
        {"chemical_system": "*"},
        {"anonymous_formula": "abc"},
        {"cursor": "not-a-cursor"},
        {"sort": "relevance"},
    ],
)
def test_invalid_queries_are_400(client: TestClient, params: dict[str, Any]) -> None:
    r = client.get("/api/v1/materials", params=params)
    assert r.status_code == 400, r.text


def test_anonymous_formula_column_default(session: Session) -> None:
    data = seed(session)
    uploads = data.frame[data.frame.source == "upload"]
    assert dict(zip(uploads.reduced_formula, uploads.anonymous_formula, strict=True)) == {
        "LiFeO2": "ABC2",
        "Fe2O3": "A2B3",
        "SrTiO3": "ABC3",
        "LiCoO2": "ABC2",
        "NaCl": "AB",
    }


def test_fuzzy_matches_agree_when_the_pattern_list_is_not_resolved(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above MAX_RESOLVED_FORMULAS the patterns stay a subquery: same results."""
    data = seed(session)
    monkeypatch.setattr(search_formulas, "MAX_RESOLVED_FORMULAS", 1)
    for query in ({"q": "NaCI"}, {"formula": "Li*O2"}, {"q": "LiFePO", "sort": "relevance"}):
        expected = reference_filter(data, query)
        assert len(expected) > 1
        got = fetch_all(client, query)
        assert sorted(m["id"] for m in got) == sorted(expected.id.tolist()), query


@pytest.mark.parametrize(
    ("params", "name", "hint"),
    [
        ({"bandgap_min": 1}, "bandgap_min", "band_gap_min"),
        ({"elements": "O", "formul": "Fe2O3"}, "formul", "formula"),
        ({"limits": 5}, "limits", "limit"),
        ({"zzz": "1"}, "zzz", None),
    ],
)
def test_unknown_query_parameters_are_422_naming_them(
    client: TestClient, params: dict[str, Any], name: str, hint: str | None
) -> None:
    r = client.get("/api/v1/materials", params=params)
    assert r.status_code == 422, r.text
    (issue,) = [d for d in r.json()["detail"] if d["type"] == "extra_forbidden"]
    assert issue["loc"] == ["query", name]
    assert name in issue["msg"]
    if hint:
        assert f"did you mean '{hint}'" in issue["msg"]


def test_known_parameters_still_work_together(client: TestClient, session: Session) -> None:
    seed(session)
    r = client.get(
        "/api/v1/materials",
        params={"elements": "O", "sort": "band_gap", "order": "desc", "limit": 3},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 3


def test_count_falls_back_to_an_estimate_when_it_runs_out_of_time(session: Session) -> None:
    seed(session)
    q = search_module.MaterialQuery(elements=["O"])
    stmt = search_module.build_select(q, organization_id=1)
    n, estimated = search_module.count_matches(session, stmt)
    assert not estimated and n > 100
    slow = stmt.where(text("pg_sleep(0.002) IS NOT NULL"))  # ~2 ms per row
    m, estimated = search_module.count_matches(session, slow, timeout_ms=20)
    assert estimated and m >= 1
    # the savepoint rolled back, the session works and the timeout is restored
    assert session.scalar(text("SELECT current_setting('statement_timeout')")) == "0"
    assert search_module.count_matches(session, stmt) == (n, False)
