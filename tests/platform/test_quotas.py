"""Plan quotas: monthly predictions, batch size, concurrent jobs; per organisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.api.app import create_app
from matdiscover.domains.identity import Role
from matdiscover.domains.organizations.models import Plan
from tests.platform.tenants import login, make_org, make_user, server_settings

API = "/api/v1"
LIMITS = {"free_academic": {"predictions_per_month": 3, "batch_rows": 5, "concurrent_jobs": 1}}


@pytest.fixture()
def two_free_orgs(db_url: str, tmp_path: Path, engine: Engine) -> Iterator[TestClient]:
    for name in ("Free F", "Free G"):
        org = make_org(engine, name, Plan.free_academic)
        make_user(engine, org, f"res@{org.slug}.org", Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path, plan_limits=LIMITS))) as c:
        yield c


def predict(c: TestClient, headers: dict[str, str]) -> int:
    r = c.post(f"{API}/predictions", json={"formula": "Fe2O3"}, headers=headers)
    return r.status_code


def test_monthly_prediction_quota_is_per_organisation(two_free_orgs: TestClient) -> None:
    c = two_free_orgs
    f, g = login(c, "res@free-f.org"), login(c, "res@free-g.org")
    assert [predict(c, f) for _ in range(3)] == [200, 200, 200]
    refused = c.post(f"{API}/predictions", json={"formula": "Fe2O3"}, headers=f)
    assert refused.status_code == 402
    detail = refused.json()["detail"]
    assert "monthly prediction quota reached: 3 of 3 used" in detail and "resets on" in detail
    assert predict(c, g) == 200  # the other organisation is unaffected

    usage_f = c.get(f"{API}/organization/usage", headers=f).json()
    assert usage_f["plan"] == "free_academic"
    assert usage_f["limits"]["predictions_per_month"] == 3
    assert (usage_f["predictions_used"], usage_f["predictions_left"]) == (3, 0)
    usage_g = c.get(f"{API}/organization/usage", headers=g).json()
    assert (usage_g["predictions_used"], usage_g["predictions_left"]) == (1, 2)
    # over quota, batch jobs are refused as well
    batch = c.post(
        f"{API}/jobs/batch-predictions",
        files={"file": ("in.csv", b"formula\nNaCl\n", "text/csv")},
        headers=f,
    )
    assert batch.status_code == 402


def test_batch_size_and_concurrent_jobs_follow_the_plan(two_free_orgs: TestClient) -> None:
    c = two_free_orgs
    g = login(c, "res@free-g.org")

    def submit(rows: int) -> httpx.Response:
        csv = "formula\n" + "NaCl\n" * rows
        return c.post(
            f"{API}/jobs/batch-predictions",
            files={"file": ("in.csv", csv.encode(), "text/csv")},
            headers=g,
        )

    too_big = submit(6)
    assert too_big.status_code == 402
    assert "your plan allows 5 per job" in too_big.json()["detail"]
    assert submit(2).status_code == 202
    second = submit(1)  # no worker runs, so the first job is still queued
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > 0
    usage = c.get(f"{API}/organization/usage", headers=g).json()
    assert usage["predictions_used"] == 2 and usage["active_jobs"] == 1


def test_storage_is_metered_and_freed_on_delete(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    org = make_org(engine, "Tiny", Plan.free_academic)
    make_user(engine, org, "res@tiny.org", Role.researcher)
    cif = Path("tests/data/real/LiCoO2.cif").read_bytes()
    limits = {"free_academic": {"storage_bytes": 3 * len(cif)}}
    with TestClient(create_app(server_settings(db_url, tmp_path, plan_limits=limits))) as c:
        h = login(c, "res@tiny.org")

        def upload(n: int) -> httpx.Response:
            files = [("files", (f"{i}.cif", cif, "chemical/x-cif")) for i in range(n)]
            return c.post(f"{API}/materials", files=files, headers=h)

        first = upload(1)
        assert first.status_code == 201, first.text
        used = c.get(f"{API}/organization/usage", headers=h).json()["storage_bytes_used"]
        assert used > 0
        refused = upload(4)
        assert refused.status_code == 402 and "storage quota" in refused.json()["detail"]
        gone = c.delete(f"{API}/materials/{first.json()[0]['id']}", headers=h)
        assert gone.status_code == 204
        assert c.get(f"{API}/organization/usage", headers=h).json()["storage_bytes_used"] == 0


def test_bad_plan_limits_fail_at_startup(db_url: str, tmp_path: Path) -> None:
    from matdiscover.errors import ConfigurationError

    for bad in (
        {"gold": {"batch_rows": 1}},
        {"lab": {"batch_row": 1}},
        {"lab": {"batch_rows": -1}},
    ):
        with pytest.raises(ConfigurationError, match="plan"):
            create_app(server_settings(db_url, tmp_path, plan_limits=bad))
