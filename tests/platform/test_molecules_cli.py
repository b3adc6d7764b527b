"""``matdiscover molecules ...`` on the local database: the same services and JSON as the
API (both read the same database here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdkit import Chem
from sqlalchemy import Engine
from typer.testing import CliRunner

from matdiscover.cli.main import app as main_app
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows

CHEMBL = (
    "Molecule ChEMBL ID\tSmiles\tStandard Type\tStandard Relation\tStandard Value\t"
    "Standard Units\tTarget ChEMBL ID\tAssay ChEMBL ID\tDocument ChEMBL ID\n"
    "CHEMBL25\tCC(=O)Oc1ccccc1C(=O)O\tIC50\t'='\t250\tnM\tCHEMBL230\tCHEMBL1\tCHEMBL9\n"
    "CHEMBLX\tC1CC\tIC50\t'='\t5\tnM\tCHEMBL230\tCHEMBL4\tD4\n"
    "CHEMBL1\tO=C1NC(=S)SC1=Cc1ccccc1\tKi\t'='\t30\tnM\tCHEMBL230\tCHEMBL5\tD5\n"
)


@pytest.fixture()
def env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    monkeypatch.setenv("MATDISCOVER_AUTO_PREDICT", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_molecules_cli_end_to_end(env: None, db_url: str, engine: Engine, tmp_path: Path) -> None:
    from matdiscover.api.app import create_app

    run = CliRunner()

    def ok(*args: str) -> str:
        r = run.invoke(main_app, ["molecules", *args])
        assert r.exit_code == 0, r.output
        return r.output

    added = ok(
        "add",
        "CC(=O)Oc1ccccc1C(=O)O",
        "--name",
        "aspirin",
        "--activity",
        "8.1",
        "--type",
        "pKi",
        "--target",
        "T1",
    )
    assert "added molecule" in added and "Unscored" not in added
    assert "already stored as" in ok("add", "[Na+].[O-]C(=O)c1ccccc1OC(C)=O")
    caffeine = json.loads(ok("add", "Cn1cnc2c1c(=O)n(C)c(=O)n2C", "--name", "caffeine", "--json"))
    assert caffeine["created"] and caffeine["classification"] == "Unscored"
    bad = run.invoke(main_app, ["molecules", "add", "C1CC"])
    assert bad.exit_code == 1 and "not a valid SMILES" in bad.output
    bad = run.invoke(main_app, ["molecules", "add", "CCO", "--activity", "3", "--unit", "parsec"])
    assert bad.exit_code == 1 and "unit" in bad.output
    assert count_rows(engine, "molecules") == 2

    table = tmp_path / "chembl.tsv"
    table.write_text(CHEMBL)
    imported = ok("import-activities", str(table))
    assert "2 row(s) stored" in imported and "row 3" in imported and "invalid_smiles" in imported
    only_bad = tmp_path / "bad.tsv"
    only_bad.write_text(CHEMBL.splitlines()[0] + "\n" + CHEMBL.splitlines()[2] + "\n")
    r = run.invoke(main_app, ["molecules", "import-activities", str(only_bad)])
    assert r.exit_code == 1 and "nothing was stored" in r.output
    assert count_rows(engine, "molecules") == 3

    listed = json.loads(ok("list", "--json"))
    assert listed["total"] == 3 and listed["items"][-1]["name"] == "caffeine"
    assert "3 of 3 molecule(s), by score desc" in ok("list")
    clean = json.loads(ok("list", "--no-pains", "--q", "a", "--json"))["items"]
    assert {m["name"] for m in clean} == {"aspirin", "caffeine"}
    pains = json.loads(ok("list", "--pains", "--json"))["items"]
    assert [m["name"] for m in pains] == ["CHEMBL1"]
    shown = ok("show", str(pains[0]["id"]))
    assert "PAINS_A ene_rhod" in shown and "score" in shown and "CHEMBL230" in shown
    hits = json.loads(ok("search", "--smarts", "c1ccccc1C(=O)O", "--json"))
    assert [h["molecule"]["name"] for h in hits["molecules"]] == ["aspirin"]
    r = run.invoke(main_app, ["molecules", "search", "--smarts", "C(("])
    assert r.exit_code == 1 and "SMARTS" in r.output

    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as api:
        mid = listed["items"][0]["id"]
        assert (
            json.loads(ok("show", str(mid), "--json")) == api.get(f"/api/v1/molecules/{mid}").json()
        )
        for fmt in ("csv", "json", "sdf"):
            out = tmp_path / f"molecules.{fmt}"
            assert "wrote 3 molecule(s)" in ok("export", str(out))
            served = api.get("/api/v1/molecules/export", params={"format": fmt}).content
            assert out.read_bytes() == served
        mols = [m for m in Chem.SDMolSupplier(str(tmp_path / "molecules.sdf")) if m is not None]
        assert sorted(m.GetProp("inchikey") for m in mols) == sorted(
            Chem.MolToInchiKey(m) for m in mols
        )
