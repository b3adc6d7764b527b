"""Unified search through the REST API, checked against a pandas reference implementation
on a sample of the reference database plus tenant materials and predictions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from matdiscover.domains.materials import search as search_module
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
]


def test_filters_match_pandas_reference(client: TestClient, session: Session) -> None:
    data = seed(session)
    assert len(data.frame) > 1500
    for query in QUERIES:
        expected = reference_filter(data, query)
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
    monkeypatch.setattr(search_module, "EXACT_COUNT_LIMIT", 100)
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
