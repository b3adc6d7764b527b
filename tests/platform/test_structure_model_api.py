"""The structure model is chosen per request (or by MATDISCOVER_STRUCTURE_MODEL), validated
with the allowed names, recorded in the response and stored with the predictions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pymatgen.core import Lattice, Structure
from sqlalchemy import Engine, text

from matdiscover.science.io import write_structure
from matdiscover.settings import Settings

STRUCTURE_PROPS = ["formation_energy", "energy_above_hull"]


def nacl_cif() -> str:
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    return write_structure(s, "cif")


def _models(body: dict) -> set[str]:  # type: ignore[type-arg]
    return {p["model_name"].split("-mptrj")[0] for p in body["predictions"]}


def test_unknown_structure_model_is_a_422_listing_the_names(client: TestClient) -> None:
    r = client.post("/api/v1/predictions", json={"formula": "NaCl", "structure_model": "7net-omat"})
    assert r.status_code == 422, r.text
    text_ = r.text
    for name in ("chgnet", "7net-0", "7net-l3i5"):
        assert name in text_


def test_inline_structure_uses_the_requested_model(client: TestClient) -> None:
    for model, recorded in (
        ("7net-l3i5", "sevennet-7net-l3i5"),
        ("chgnet", "chgnet-0.3.0"),
        (None, "sevennet-7net-0"),  # the setting's default
    ):
        body: dict = {  # type: ignore[type-arg]
            "structure": {"content": nacl_cif(), "filename": "NaCl.cif"},
            "properties": STRUCTURE_PROPS,
        }
        if model is not None:
            body["structure_model"] = model
        r = client.post("/api/v1/predictions", json=body)
        assert r.status_code == 200, r.text
        assert _models(r.json()) == {recorded}, (model, r.json()["predictions"])


def test_stored_prediction_records_the_structure_model(client: TestClient, engine: Engine) -> None:
    m = client.post("/api/v1/materials", files=[("files", ("NaCl.cif", nacl_cif().encode()))])
    material_id = m.json()[0]["id"]
    body = {
        "material_id": material_id,
        "properties": STRUCTURE_PROPS,
        "structure_model": "7net-l3i5",
    }
    r = client.post("/api/v1/predictions", json=body)
    assert r.status_code == 200, r.text
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT model_name, details->>'structure_model' FROM predictions "
                "WHERE material_id = :m"
            ),
            {"m": material_id},
        ).all()
    assert rows and all(
        name.startswith("sevennet-7net-l3i5") and chosen == "7net-l3i5" for name, chosen in rows
    ), rows
    history = client.get(f"/api/v1/materials/{material_id}/predictions").json()["history"]
    assert {p["details"].get("structure_model") for p in history} == {"7net-l3i5"}


def test_setting_sets_the_default(settings: Settings) -> None:
    from matdiscover.api.app import create_app

    chg = settings.model_copy(update={"structure_model": "chgnet"})
    with TestClient(create_app(chg)) as c:
        body = {
            "structure": {"content": nacl_cif(), "filename": "NaCl.cif"},
            "properties": STRUCTURE_PROPS,
        }
        r = c.post("/api/v1/predictions", json=body)
        assert r.status_code == 200, r.text
        assert _models(r.json()) == {"chgnet-0.3.0"}
