"""Refused batch jobs and failed uploads leave no file in the object store.

Files no quota counts would let a free-plan user fill the disk with refused jobs
(issue 21, item 6): every quota check runs before a job's first file is written, and
a job's files are deleted again when its transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.api.app import create_app
from matdiscover.db.engine import make_session_factory
from matdiscover.domains.identity import Role
from matdiscover.domains.jobs import service as jobs
from matdiscover.domains.organizations.models import Plan
from matdiscover.settings import Settings
from matdiscover.storage import ObjectStore
from tests.platform.tenants import login, make_org, make_user, server_settings

API = "/api/v1"
LIMITS = {
    "free_academic": {
        "predictions_per_month": 30,
        "batch_rows": 20,
        "concurrent_jobs": 1,
        "storage_bytes": 3000,
    }
}


def files_under(root: Path) -> dict[str, int]:
    """Every file below ``root`` (recursively) with its size."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


@pytest.fixture()
def free_org(db_url: str, tmp_path: Path, engine: Engine) -> Iterator[tuple[TestClient, Settings]]:
    org = make_org(engine, "Free F", Plan.free_academic)
    make_user(engine, org, "res@free-f.org", Role.researcher)
    settings = server_settings(db_url, tmp_path, plan_limits=LIMITS)
    with TestClient(create_app(settings)) as c:
        yield c, settings


def csv_rows(n: int) -> bytes:
    return ("formula\n" + "NaCl\n" * n).encode()


def submit(c: TestClient, headers: dict[str, str], rows: int) -> int:
    r = c.post(
        f"{API}/jobs/batch-predictions",
        files={"file": ("in.csv", csv_rows(rows), "text/csv")},
        headers=headers,
    )
    return r.status_code


def test_refused_batch_jobs_leave_no_file(free_org: tuple[TestClient, Settings]) -> None:
    c, settings = free_org
    storage = Path(settings.resolved_storage_url)
    h = login(c, "res@free-f.org")

    before = files_under(storage)
    assert submit(c, h, 21) == 402, "over the plan's batch size"
    assert files_under(storage) == before

    assert submit(c, h, 12) == 202  # stays queued: no worker runs
    with_job = files_under(storage)
    assert len(with_job) > len(before), "an accepted job stores its input and chunks"
    assert submit(c, h, 5) == 429, "the plan allows one job at a time"
    assert files_under(storage) == with_job

    (queued,) = c.get(f"{API}/jobs", headers=h).json()["items"]
    assert c.post(f"{API}/jobs/{queued['id']}/cancel", headers=h).json()["status"] == "cancelled"
    # 12 of 30 predictions used: 19 rows fit the batch size but not the monthly quota
    assert submit(c, h, 19) == 402
    assert files_under(storage) == with_job


def test_failed_uploads_leave_no_file(free_org: tuple[TestClient, Settings]) -> None:
    c, settings = free_org
    data_dir = Path(settings.resolved_data_dir)
    h = login(c, "res@free-f.org")
    before = files_under(data_dir)
    big = "data_x\n" + "# padding\n" * 400  # over the 3000-byte storage quota
    r = c.post(f"{API}/materials", files=[("files", ("big.cif", big.encode()))], headers=h)
    assert r.status_code == 402
    bad = b"data_bad\n_cell 5\n"
    r = c.post(f"{API}/materials", files=[("files", ("bad.cif", bad))], headers=h)
    assert r.status_code == 422
    assert files_under(data_dir) == before


def test_a_rolled_back_submission_deletes_its_files(engine: Engine, tmp_path: Path) -> None:
    from matdiscover.domains.organizations.service import ensure_local_identity

    store = ObjectStore(str(tmp_path / "storage"))
    factory = make_session_factory(engine)

    def submit_in(session_action: str) -> dict[str, int]:
        with factory() as session:
            org = ensure_local_identity(session).organization_id
            session.commit()
            jobs.submit_batch(
                session,
                store,
                organization_id=org,
                user_id=None,
                data=csv_rows(30),
                filename="in.csv",
                properties=None,
                store_results=False,
                max_rows=1000,
                limits=None,
                chunk_rows=10,
            )
            written = files_under(tmp_path / "storage")
            assert len(written) == 4, written  # input + 3 chunks, before the commit
            getattr(session, session_action)()
        return files_under(tmp_path / "storage")

    assert submit_in("rollback") == {}, "a rolled-back job leaves no file"
    assert len(submit_in("commit")) == 4, "a committed job keeps its files"
