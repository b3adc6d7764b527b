"""Concurrent first use of the model registry (issue 21, item 5).

Uploading CIFs with auto-predict while predicting a material through the API made the
API and two workers register the same model versions at once; the loser of the race
answered 500 (unique violation or ``DeadlockDetected`` on ``uq_ml_models_name_version``).
Registration is now ``INSERT ... ON CONFLICT DO NOTHING`` in sorted order, then a read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pymatgen.core import Lattice, Structure
from sqlalchemy import Engine, text

from matdiscover.science.io import write_structure
from matdiscover.settings import Settings
from tests.platform.test_batch_jobs import Workers, workers  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

API = "/api/v1"
ROUNDS = 15  # each round races API and both workers on a never-used registry
ROCKSALTS = [("Na", "Cl", 5.64), ("K", "Cl", 6.29), ("Mg", "O", 4.21), ("Li", "F", 4.03)]


def cifs() -> list[tuple[str, tuple[str, bytes]]]:
    out = []
    for a, b, lattice in ROCKSALTS:
        s = Structure.from_spacegroup(
            "Fm-3m", Lattice.cubic(lattice), [a, b], [[0, 0, 0], [0.5, 0.5, 0.5]]
        )
        out.append(("files", (f"{a}{b}.cif", write_structure(s, "cif").encode())))
    return out


@pytest.fixture()
def live_server(settings: Settings) -> Iterator[str]:
    from matdiscover.api.app import create_app
    from tests.platform.live import serve_in_thread

    with serve_in_thread(create_app(settings)) as url:
        yield url


def wait_queue_idle(engine: Engine, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            pending = conn.execute(
                text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                    "AND task_name = 'matdiscover.predict_material'"
                )
            ).scalar_one()
        if not pending:
            return
        time.sleep(0.05)
    raise AssertionError("auto-predictions did not finish")


def forget_models(engine: Engine) -> None:
    """Back to a never-used registry, so the next round races on first registration."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ml_models"))


def test_uploads_and_predictions_with_two_workers_never_500(
    live_server: str,
    workers: Workers,  # noqa: F811
    engine: Engine,
) -> None:
    workers.start(2)
    files = cifs()
    statuses: list[int] = []
    failed: list[str] = []
    with (
        httpx.Client(base_url=live_server, timeout=120) as http,
        ThreadPoolExecutor(4) as pool,
    ):
        first = http.post(f"{API}/materials", files=files)  # warms up the API's models
        assert first.status_code == 201, first.text
        material = first.json()[0]["id"]
        wait_queue_idle(engine, timeout=180)  # the workers loaded their models
        for _ in range(ROUNDS):
            forget_models(engine)
            upload = http.post(f"{API}/materials", files=files)  # queues 4 predictions
            # ... which the 2 workers run while the API predicts a material twice
            predictions = [
                pool.submit(http.post, f"{API}/predictions", json={"material_id": material})
                for _ in range(2)
            ]
            for r in [upload, *(p.result() for p in predictions)]:
                statuses.append(r.status_code)
                if r.status_code >= 500:
                    failed.append(r.text[:300])
            wait_queue_idle(engine)
    assert not failed, f"{len(failed)} of {len(statuses)} requests failed: {failed[:3]}"
    assert set(statuses) <= {200, 201}
    with engine.connect() as conn:
        failed_tasks = conn.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        ).scalar_one()
        retried = conn.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE attempts > 1")
        ).scalar_one()
    assert failed_tasks == 0 and retried == 0, "no worker task failed on the registry either"
