"""The scene endpoint and the SPA serving, against the real server."""

from __future__ import annotations

import httpx
from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter


def _upload_rutile(base: str) -> int:
    s = Structure.from_spacegroup(
        "P4_2/mnm", Lattice.tetragonal(4.594, 2.959), ["Ti", "O"], [[0, 0, 0], [0.3048, 0.3048, 0]]
    )
    cif = str(CifWriter(s))
    r = httpx.post(
        f"{base}/api/v1/materials", files={"files": ("rutile.cif", cif.encode())}, timeout=120
    )
    assert r.status_code == 201, r.text
    material_id: int = r.json()[0]["id"]
    return material_id


def test_scene_endpoint(server: str) -> None:
    mid = _upload_rutile(server)
    url = f"{server}/api/v1/materials/{mid}/scene"
    r = httpx.get(url, params={"supercell": "2,2,2"}, timeout=60)
    assert r.status_code == 200, r.text
    scene = r.json()
    assert scene["material_id"] == mid and scene["supercell"] == [2, 2, 2]
    assert scene["bonding"] == "crystalnn"
    assert sum(not a["is_boundary_image"] for a in scene["atoms"]) == 6 * 8
    assert scene["bonds"] and scene["polyhedra"] and len(scene["cell_edges"]) == 12
    assert {e["element"] for e in scene["legend"]} == {"Ti", "O"}
    cut = httpx.get(f"{server}/api/v1/materials/{mid}/scene", params={"bonding": "cutoff"})
    assert cut.status_code == 200 and cut.json()["bonding"] == "cutoff"
    for bad in ("4,1,1", "0,1,1", "1,2", "x"):
        r = httpx.get(f"{server}/api/v1/materials/{mid}/scene", params={"supercell": bad})
        assert r.status_code in (400, 422), (bad, r.status_code)
    assert httpx.get(f"{server}/api/v1/materials/999999/scene").status_code == 404


def test_parity_endpoint(server: str) -> None:
    models = httpx.get(f"{server}/api/v1/models").json()
    for card in models:
        r = httpx.get(f"{server}/api/v1/models/{card['name']}/parity")
        assert r.status_code == 200
        body = r.json()
        assert body["property"] == card["property"]
        assert all({"true", "pred"} <= set(p) for p in body["points"])
    assert httpx.get(f"{server}/api/v1/models/no-such-model/parity").status_code == 404


def test_spa_is_served_without_shadowing_the_api(server: str) -> None:
    home = httpx.get(f"{server}/")
    assert home.status_code == 200 and '<div id="root">' in home.text
    # client-side routes fall back to index.html
    for route in ("/materials", "/materials/1", "/jobs/3", "/upload", "/models"):
        r = httpx.get(f"{server}{route}")
        assert r.status_code == 200 and '<div id="root">' in r.text, route
    # the API and docs keep their own answers
    missing = httpx.get(f"{server}/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    assert httpx.get(f"{server}/api/v1/health").json()
    assert "swagger" in httpx.get(f"{server}/docs").text.lower()
    assert httpx.get(f"{server}/assets/no-such-file.js").status_code == 404
