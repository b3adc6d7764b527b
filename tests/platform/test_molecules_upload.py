"""A malformed-upload corpus through POST /api/v1/molecules/upload: every bad row is
reported with its row number and reason, the good rows of the same file are stored, a
file that cannot be read is a 400 (too big: 413; only bad rows: 422), never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdkit import Chem
from rdkit.Chem import AllChem
from sqlalchemy import Engine

from matdiscover.settings import Settings
from tests.platform.conftest import count_rows

UPLOAD = "/api/v1/molecules/upload"


@pytest.fixture()
def api(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _post(api: TestClient, name: str, data: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = api.post(UPLOAD, files={"file": (name, data)})
    assert r.status_code < 500, r.text
    return r.status_code, r.json()


def _errors(body: dict) -> dict[int, str]:  # type: ignore[type-arg]
    return {i["row"]: i["kind"] for i in body["issues"] if i["severity"] == "error"}


def _sdf_block(smiles: str, name: str) -> str:
    mol = Chem.MolFromSmiles(smiles)
    AllChem.Compute2DCoords(mol)  # type: ignore[attr-defined]
    mol.SetProp("_Name", name)
    return Chem.MolToMolBlock(mol) + "$$$$\n"


def test_bad_rows_are_listed_and_good_rows_kept(api: TestClient, engine: Engine) -> None:
    rows = [
        "smiles,name",
        "CC(=O)Oc1ccccc1C(=O)O,aspirin",  # 2 good
        "C1CC,unclosed ring",  # 3 invalid SMILES
        "C(C)(C)(C)(C)C,pentavalent carbon",  # 4 valence error
        "C" * 10_000 + ",ten thousand atoms",  # 5 too long
        "C" * 250 + ",250 heavy atoms",  # 6 too many atoms
        "CCO,\"=cmd|' /C calc'!A0\"",  # 7 kept, formula neutralised
        "c1ccccc1\x00,nul byte",  # 8 NUL byte
        "Cn1cnc2c1c(=O)n(C)c(=O)n2C,caffeine",  # 9 good
        ",no smiles",  # 10 missing SMILES
        "CCO,ethanol again",  # 11 duplicate of row 7: kept, matched
    ]
    status, body = _post(api, "corpus.csv", "\n".join(rows).encode())
    assert status == 201, body
    assert _errors(body) == {
        3: "invalid_smiles",
        4: "valence",
        5: "smiles_too_long",
        6: "too_many_atoms",
        8: "nul_byte",
        10: "missing_smiles",
    }
    messages = {i["row"]: i["message"] for i in body["issues"]}
    assert "valence" in messages[4].lower() and "10,000" in messages[5]
    warnings = {(i["row"], i["kind"]) for i in body["issues"] if i["severity"] == "warning"}
    assert {(7, "csv_injection"), (11, "duplicate")} <= warnings
    assert [r["row"] for r in body["rows"]] == [2, 7, 9, 11]
    assert (body["stored"], body["created"]) == (4, 3)
    assert count_rows(engine, "molecules") == 3
    names = {m["name"] for m in api.get("/api/v1/molecules").json()["items"]}
    assert "'=cmd|' /C calc'!A0" in names  # stored neutralised


def test_sdf_with_a_broken_block_and_other_encodings(api: TestClient) -> None:
    sdf = (
        _sdf_block("CC(=O)Oc1ccccc1C(=O)O", "aspirin")
        + "broken\n  nonsense\n\n  2  1  0  0  0  0  0  0  0  0999 V2000\nM  END\n$$$$\n"
        + _sdf_block("Oc1ccccc1O", "catechol")
    )
    status, body = _post(api, "set.sdf", sdf.encode())
    assert status == 201, body
    assert list(_errors(body)) == [2] and [r["row"] for r in body["rows"]] == [1, 3]

    latin = "smiles,name\nCCO,caf\xe9\n".encode("latin-1")
    status, body = _post(api, "latin.csv", latin)
    assert status == 201 and body["encoding"] == "latin-1"
    assert any(i["kind"] == "encoding" for i in body["issues"])
    utf16 = "smiles\tname\nCCN\tethylamine\nc1ccncc1\tpyridine\n".encode("utf-16")
    status, body = _post(api, "wide.tsv", utf16)
    assert status == 201 and (body["encoding"], body["stored"]) == ("utf-16", 2)
    names = {m["name"] for m in api.get("/api/v1/molecules", params={"limit": 50}).json()["items"]}
    assert {"café", "ethylamine", "pyridine", "catechol"} <= names


UNREADABLE = [
    ("empty.csv", b"", 400, "empty"),
    ("blank.smi", b"\n  \n", 400, "empty"),
    ("header.csv", b"smiles,name\n", 400, "no data rows"),
    ("nosmiles.csv", b"formula,name\nNaCl,salt\n", 400, "SMILES column"),
    ("image.smi", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 400, "PNG"),
    ("random.bin", bytes(range(256)) * 64, 400, "binary"),
    ("bad.smi", b"C1CC one\nnot-a-smiles two\n", 422, "nothing was stored"),
]


def test_unreadable_files(api: TestClient, engine: Engine) -> None:
    for name, data, status, words in UNREADABLE:
        got, body = _post(api, name, data)
        assert got == status and words in str(body), (name, body)
        if status == 422:
            assert _errors(body) == {1: "invalid_smiles", 2: "invalid_smiles"}
    assert count_rows(engine, "molecules") == 0


def test_a_file_over_10_mb_is_413(api: TestClient, engine: Engine) -> None:
    line = b"CC(=O)Oc1ccccc1C(=O)O aspirin\n"
    data = line * (11 * 1024 * 1024 // len(line) + 1)
    status, body = _post(api, "huge.smi", data)
    assert status == 413 and "10 MB" in body["detail"]
    assert count_rows(engine, "molecules") == 0
