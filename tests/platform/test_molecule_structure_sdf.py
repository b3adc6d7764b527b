"""``GET /molecules/{id}/structure.sdf``: one record with 2D coordinates and the export's
columns as SD tags; another organisation's molecule (or none) is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdkit import Chem

from matdiscover.settings import Settings

M = "/api/v1/molecules"
RHODANINE = "O=C1NC(=S)SC1=Cc1ccccc1"


@pytest.fixture()
def api(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as c:
        yield c


def test_one_molecule_as_sdf(api: TestClient) -> None:
    body = {"smiles": RHODANINE, "name": "benzylidene rhodanine"}
    body["activity"] = {"value": 2.5, "unit": "uM", "type": "IC50"}  # type: ignore[assignment]
    r = api.post(M, json=body)
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    sdf = api.get(f"{M}/{mid}/structure.sdf")
    assert sdf.status_code == 200, sdf.text
    assert sdf.headers["content-type"].startswith("chemical/x-mdl-sdfile")
    assert f'filename="molecule-{mid}.sdf"' in sdf.headers["content-disposition"]
    supplier = Chem.SDMolSupplier()
    supplier.SetData(sdf.text)
    mols = list(supplier)
    assert len(mols) == 1 and mols[0] is not None
    mol = mols[0]
    assert mol.GetProp("_Name") == "benzylidene rhodanine"
    assert Chem.MolToSmiles(mol) == Chem.CanonSmiles(RHODANINE)
    assert mol.GetConformer().Is3D() is False
    assert float(mol.GetProp("p_activity")) == pytest.approx(5.60206, abs=1e-4)
    assert "PAINS_A:ene_rhod" in mol.GetProp("alerts")
    assert api.get(f"{M}/{mid + 1000}/structure.sdf").status_code == 404
