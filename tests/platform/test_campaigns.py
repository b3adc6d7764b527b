"""Discovery campaigns on embedded PostgreSQL with real worker processes: three rounds end
to end, bad input, tenant isolation and roles."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.api.app import create_app
from matdiscover.domains.identity import Role
from tests.platform.tenants import login, make_org, make_user, server_settings
from tests.platform.test_batch_jobs import Workers, wait_for, workers

__all__ = ["workers"]

API = "/api/v1"
#: a small pool of oxides, halides and chalcogenides (band gaps from 0 to ~10 eV)
POOL = [
    "NaCl", "KCl", "LiF", "MgO", "CaO", "SrO", "BaO", "ZnO", "ZnS", "ZnSe", "CdS", "CdSe",
    "GaN", "GaAs", "GaP", "AlN", "AlP", "InP", "InAs", "SiC", "TiO2", "SnO2", "Al2O3",
    "Ga2O3", "In2O3", "MgF2", "CaF2", "BaF2", "KBr", "NaBr", "LiCl", "CsI", "CuCl",
    "Cu2O", "NiO", "FeO", "MnO", "CoO", "ZrO2", "HfO2",
]  # fmt: skip


def ended(job: dict[str, Any]) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


def make_project(client: TestClient, name: str = "discovery", **headers: str) -> int:
    r = client.post(f"{API}/projects", json={"name": name}, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def campaign_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "wide gaps",
        "objectives": [{"property": "band_gap", "direction": "max"}],
        "acquisition": "ucb",
        "kappa": 1.0,
        "batch_size": 4,
        "diversity": 0.2,
        "pool": {"source": "uploaded", "formulas": POOL},
    }
    body.update(overrides)
    return body


def run_round(client: TestClient, url: str) -> dict[str, Any]:
    r = client.post(f"{url}/rounds")
    assert r.status_code == 202, r.text
    started = r.json()
    job = wait_for(client, started["job_id"], ended, timeout=240)
    assert job["status"] == "succeeded", job
    assert job["processed"] == job["total"] == len(POOL)
    rnd = client.get(f"{url}/rounds/{started['index']}")
    assert rnd.status_code == 200
    return dict(rnd.json())


def test_three_rounds_end_to_end(client: TestClient, workers: Workers) -> None:
    pid = make_project(client)
    r = client.post(f"{API}/projects/{pid}/campaigns", json=campaign_body())
    assert r.status_code == 201, r.text
    campaign = r.json()
    assert (campaign["n_candidates"], campaign["status"], campaign["n_rounds"]) == (40, "ready", 0)
    url = f"{API}/projects/{pid}/campaigns/{campaign['id']}"

    # a round is a queued job; a second one waits for it (409); no results before ranking
    first = client.post(f"{url}/rounds")
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "queued" and first.json()["batch"] == []
    again = client.post(f"{url}/rounds")
    assert again.status_code == 409 and "still queued" in again.json()["detail"]
    early = client.post(f"{url}/rounds/1/results", json={"source": "computed"})
    assert early.status_code == 409, early.text

    started = time.monotonic()
    workers.start(1)
    job = wait_for(client, first.json()["job_id"], ended, timeout=240)
    assert job["status"] == "succeeded", job
    round1 = client.get(f"{url}/rounds/1").json()
    batch1 = round1["batch"]
    assert [e["rank"] for e in batch1] == [1, 2, 3, 4]
    assert all(e["mean"]["band_gap"] is not None and e["std"]["band_gap"] > 0 for e in batch1)
    assert all(e["origin"]["kind"] == "uploaded" for e in batch1)
    assert round1["summary"]["n_pool"] == 40 and round1["summary"]["n_available"] == 40
    assert "band_gap" in round1["model_versions"]
    assert round1["refit"]["band_gap"]["kind"] == "none"

    # measured values typed in (a synthetic "truth": the prediction minus 0.5 eV)
    values = [
        {"candidate_id": e["candidate_id"], "value": e["mean"]["band_gap"] - 0.5} for e in batch1
    ]
    rec = client.post(f"{url}/rounds/1/results", json={"values": values})
    assert rec.status_code == 201, rec.text
    assert {x["source"] for x in rec.json()["recorded"]} == {"measured"}
    assert all(e["results"]["band_gap"]["source"] == "measured" for e in
               client.get(f"{url}/rounds/1").json()["batch"])  # fmt: skip

    round2 = run_round(client, url)
    ids1 = {e["candidate_id"] for e in batch1}
    ids2 = {e["candidate_id"] for e in round2["batch"]}
    assert len(ids2) == 4 and not ids1 & ids2
    assert round2["refit"]["band_gap"]["kind"] == "shift"
    assert round2["refit"]["band_gap"]["shift"] == pytest.approx(-0.5, abs=1e-6)
    assert round2["summary"]["n_previously_chosen"] == 4

    # computed oracle: the shipped model's prediction, recorded as computed
    comp = client.post(f"{url}/rounds/2/results", json={"source": "computed"})
    assert comp.status_code == 201, comp.text
    recorded = comp.json()["recorded"]
    assert len(recorded) == 4 and {x["source"] for x in recorded} == {"computed"}
    assert all("composition" in x["detail"]["oracle"] for x in recorded)

    round3 = run_round(client, url)
    ids3 = {e["candidate_id"] for e in round3["batch"]}
    assert len(ids3) == 4 and not (ids1 | ids2) & ids3
    assert round3["refit"]["band_gap"]["kind"] == "surrogate"  # 8 results >= 5
    assert round3["summary"]["n_previously_chosen"] == 8

    summary = client.get(url).json()
    assert (summary["n_rounds"], summary["n_chosen"], summary["n_results"]) == (3, 12, 8)
    rounds = client.get(f"{url}/rounds").json()["items"]
    assert [x["index"] for x in rounds] == [1, 2, 3]

    # a pool of the project's items; results pulled from the project's measurements
    cif = Path("tests/data/real/LiCoO2.cif").read_bytes()
    up = client.post(f"{API}/materials", files=[("files", ("LiCoO2.cif", cif))])
    assert up.status_code == 201, up.text
    material_id = up.json()[0]["id"]
    item = client.post(f"{API}/projects/{pid}/items", json={"material_id": material_id})
    assert item.status_code == 201, item.text
    csv = f"material_id,property,value\n{material_id},band_gap,2.7\n".encode()
    m = client.post(f"{API}/projects/{pid}/measurements", files={"file": ("m.csv", csv)})
    assert m.status_code == 201, m.text
    body = campaign_body(name="project pool", batch_size=1, pool={"source": "project"})
    made = client.post(f"{API}/projects/{pid}/campaigns", json=body)
    assert made.status_code == 201, made.text
    url2 = f"{API}/projects/{pid}/campaigns/{made.json()['id']}"
    r = client.post(f"{url2}/rounds")
    assert wait_for(client, r.json()["job_id"], ended, timeout=240)["status"] == "succeeded"
    (entry,) = client.get(f"{url2}/rounds/1").json()["batch"]
    assert (entry["material_id"], entry["formula"]) == (material_id, "LiCoO2")
    assert entry["origin"] == {"kind": "project", "item_id": item.json()["id"]}
    pulled = client.post(f"{url2}/rounds/1/results", json={"source": "measurements"})
    assert pulled.status_code == 201, pulled.text
    (got,) = pulled.json()["recorded"]
    assert (got["value"], got["source"]) == (2.7, "measured") and got["measurement_id"]
    assert client.get(url2).json()["best"] == {"band_gap": 2.7}
    listed = client.get(f"{API}/projects/{pid}/campaigns").json()["items"]
    assert [c["name"] for c in listed] == ["wide gaps", "project pool"]
    print(f"4 rounds on 1 worker in {time.monotonic() - started:.1f} s")


def test_enumeration_pool_and_window_objective(client: TestClient, workers: Workers) -> None:
    pid = make_project(client)
    body = campaign_body(
        name="Li-Mn-O window",
        objectives=[{"property": "band_gap", "direction": "window", "min": 1.1, "max": 1.7}],
        acquisition="window",
        batch_size=2,
        pool={"source": "enumeration", "elements": ["Li", "Mn", "O"], "max_atoms": 6},
    )
    r = client.post(f"{API}/projects/{pid}/campaigns", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["n_candidates"] == 5  # LiMnO2, Li2MnO2, LiMnO4, LiMn2O3, Li2MnO3
    url = f"{API}/projects/{pid}/campaigns/{r.json()['id']}"
    workers.start(1)
    rnd = client.post(f"{url}/rounds").json()
    job = wait_for(client, rnd["job_id"], ended, timeout=240)
    assert job["status"] == "succeeded", job
    batch = client.get(f"{url}/rounds/1").json()["batch"]
    assert len(batch) == 2
    assert all(e["origin"]["kind"] == "enumeration" and e["origin"]["prototype"] for e in batch)
    assert all(0.0 <= e["score"] <= 1.0 for e in batch)  # probability of the window


def test_constraint_on_predicted_stability_that_excludes_everything_fails_the_round(
    client: TestClient, workers: Workers
) -> None:
    pid = make_project(client)
    body = campaign_body(name="impossible", constraints={"max_e_above_hull": -5.0})
    r = client.post(f"{API}/projects/{pid}/campaigns", json=body)
    assert r.status_code == 201, r.text
    url = f"{API}/projects/{pid}/campaigns/{r.json()['id']}"
    workers.start(1)
    rnd = client.post(f"{url}/rounds").json()
    job = wait_for(client, rnd["job_id"], ended, timeout=240)
    assert job["status"] == "failed"
    failed = client.get(f"{url}/rounds/1").json()
    assert failed["status"] == "failed" and "energy above hull" in failed["error"]
    # one count per constraint, not one per predicted value
    n_pool = len(body["pool"]["formulas"])
    assert f"predicted energy above hull > -5 eV/atom ({n_pool})" in failed["error"], failed
    assert client.get(url).json()["status"] == "ready"  # another round may be tried


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"pool": {"source": "uploaded", "formulas": []}}, 400, "pool is empty"),
        ({"pool": {"source": "uploaded", "formulas": ["Xx2", "  "]}}, 400, "pool is empty"),
        ({"pool": {"source": "uploaded", "text": "name,value\nfoo,1\n"}}, 400, "formula"),
        ({"pool": {"source": "project"}}, 400, "pool is empty"),
        ({"objectives": [{"property": "happiness"}]}, 400, "unknown objective property"),
        ({"objectives": []}, 422, "objectives"),
        (
            {"objectives": [{"property": "band_gap", "direction": "window", "min": 2, "max": 1}]},
            400,
            "min 2.0 is above max 1.0",
        ),
        ({"batch_size": 0}, 400, "batch size must be between 1 and 100"),
        ({"batch_size": 500}, 400, "batch size must be between 1 and 100"),
        ({"batch_size": 41}, 400, "larger than the 40 candidate"),
        (
            {
                "constraints": {
                    "excluded_elements": ["O", "F", "Cl", "Br", "I", "S", "Se", "N", "P", "As", "C"]
                }
            },
            400,
            "exclude",
        ),  # fmt: skip
        ({"constraints": {"allowed_elements": ["Qq"]}}, 400, "Qq"),
        ({"acquisition": "magic"}, 422, "acquisition"),
        ({"acquisition": "window"}, 400, "needs an objective with direction 'window'"),
        ({"pool": {"source": "uploaded", "text": "x" * 2_000_001}}, 422, "text"),
        ({"pool": {"source": "uploaded", "formulas": ["NaCl"] * 20_001}}, 422, "formulas"),
        (
            {
                "pool": {
                    "source": "enumeration",
                    "elements": ["Li", "Mn", "O", "F", "Cl"],
                    "max_atoms": 30,
                    "max_coefficient": 20,
                }
            },
            413,
            "coefficient vectors",
        ),  # fmt: skip
        ({"pool": {"source": "enumeration", "elements": ["Li", "Zz"]}}, 400, "Zz"),
    ],
)
def test_bad_input_is_a_clear_4xx(
    client: TestClient, change: dict[str, Any], status: int, words: str
) -> None:
    pid = make_project(client)
    r = client.post(f"{API}/projects/{pid}/campaigns", json=campaign_body(**change))
    assert r.status_code == status, r.text
    assert words.lower() in r.text.lower(), r.text


def test_duplicate_name_unknown_ids_and_round_conflicts(client: TestClient) -> None:
    pid = make_project(client)
    url = f"{API}/projects/{pid}/campaigns"
    assert client.post(url, json=campaign_body()).status_code == 201
    dup = client.post(url, json=campaign_body())
    assert dup.status_code == 409 and "wide gaps" in dup.text
    assert client.get(f"{url}/999999").status_code == 404
    assert client.get(f"{API}/projects/999999/campaigns").status_code == 404
    cid = client.get(url).json()["items"][0]["id"]
    assert client.get(f"{url}/{cid}/rounds/1").status_code == 404
    assert client.get(f"{url}/{cid}/rounds/0").status_code == 404


def test_other_organisation_gets_404_and_viewer_reads_only(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    a, b = make_org(engine, "Camp A"), make_org(engine, "Camp B")
    make_user(engine, a, "res@a.org", Role.researcher)
    make_user(engine, a, "viewer@a.org", Role.viewer)
    make_user(engine, b, "admin@b.org", Role.admin)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        res, viewer = login(c, "res@a.org"), login(c, "viewer@a.org")
        other = login(c, "admin@b.org")
        pid = make_project(c, **res)
        url = f"{API}/projects/{pid}/campaigns"
        made = c.post(url, json=campaign_body(), headers=res)
        assert made.status_code == 201, made.text
        cid = made.json()["id"]
        rnd = c.post(f"{url}/{cid}/rounds", headers=res)
        assert rnd.status_code == 202, rnd.text

        # the viewer reads everything and writes nothing
        assert c.get(url, headers=viewer).status_code == 200
        assert c.get(f"{url}/{cid}", headers=viewer).status_code == 200
        assert c.get(f"{url}/{cid}/rounds/1", headers=viewer).status_code == 200
        for path, body in (
            (url, campaign_body(name="viewer's")),
            (f"{url}/{cid}/rounds", None),
            (f"{url}/{cid}/rounds/1/results", {"source": "computed"}),
        ):
            r = c.post(path, json=body, headers=viewer)
            assert r.status_code == 403, (path, r.text)

        # another organisation sees none of it, and cannot act on it
        for path in (url, f"{url}/{cid}", f"{url}/{cid}/rounds", f"{url}/{cid}/rounds/1"):
            r = c.get(path, headers=other)
            assert r.status_code == 404, (path, r.text)
            assert "wide gaps" not in r.text
        for path, body in (
            (url, campaign_body(name="b's")),
            (f"{url}/{cid}/rounds", None),
            (f"{url}/{cid}/rounds/1/results", {"source": "computed"}),
        ):
            r = c.post(path, json=body, headers=other)
            assert r.status_code == 404, (path, r.text)
        b_pid = make_project(c, "b-project", **other)
        assert c.get(f"{API}/projects/{b_pid}/campaigns/{cid}", headers=other).status_code == 404
        assert c.get(f"{API}/projects/{b_pid}/campaigns", headers=other).json()["items"] == []
        assert c.get(f"{url}/{cid}", headers=res).json()["n_rounds"] == 1
