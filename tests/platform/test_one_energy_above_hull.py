"""One energy above hull per material: the predicted value on the property card equals the
phase-diagram panel's (stability endpoint), and the band gap carries P(metal)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.platform.test_search_data import seed


def test_card_and_panel_show_the_same_energy_above_hull(
    client: TestClient, session: Session
) -> None:
    data = seed(session)
    mine = data.frame[(data.frame.org == data.org_id) & (data.frame.reduced_formula == "LiCoO2")]
    material_id = int(mine.id.iloc[0])
    r = client.post("/api/v1/predictions", json={"material_id": material_id})
    assert r.status_code == 200, r.text
    card = {p["property"]: p for p in r.json()["predictions"]}
    assert card["energy_above_hull"]["method"] == "composition"
    # the band gap of LiCoO2 is a gap, not a metal, and says how sure the classifier is
    gap = card["band_gap"]
    assert gap["details"]["metal"] is False and 0.0 <= gap["details"]["p_metal"] < 0.5
    assert gap["value"] > 0.0

    latest = client.get(f"/api/v1/materials/{material_id}/predictions").json()["latest"]
    stored = {p["property"]: p for p in latest}
    panel = client.get(f"/api/v1/materials/{material_id}/stability")
    assert panel.status_code == 200, panel.text
    body = panel.json()
    assert body["energy_source"] == "predicted"
    assert body["formation_energy_per_atom"] == pytest.approx(
        stored["formation_energy"]["value"], abs=1e-12
    )
    assert stored["energy_above_hull"]["value"] == pytest.approx(body["e_above_hull"], abs=1e-9)
    assert stored["energy_above_hull"]["details"]["hull_energy"] == pytest.approx(
        body["hull_energy_per_atom"], abs=1e-9
    )
    assert stored["band_gap"]["details"]["p_metal"] == pytest.approx(gap["details"]["p_metal"])


def test_a_metal_reads_metal_with_its_probability(client: TestClient) -> None:
    r = client.post("/api/v1/predictions", json={"formula": "NiSb", "properties": ["band_gap"]})
    assert r.status_code == 200, r.text
    (gap,) = r.json()["predictions"]
    assert gap["value"] == 0.0
    assert gap["details"]["metal"] is True and gap["details"]["p_metal"] >= 0.5
