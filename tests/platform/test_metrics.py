"""Prometheus metrics: the API's ``GET /metrics`` and a real worker's metrics port,
read with the Prometheus text parser, against a real batch job on the real queue."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from matdiscover import __version__
from matdiscover.observability.collectors import DB_TIMEOUT_S, PlatformCollector, scrape_engine
from matdiscover.settings import Settings
from tests.platform.test_batch_jobs import make_csv, submit
from tests.platform.test_serve_lifecycle import free_port

CHUNK_TASK = "matdiscover.batch_chunk"

#: Every series of the contract (metric_names.md), by the target that exposes it.
API_SERIES = {
    "matdiscover_http_requests_total",
    "matdiscover_http_request_duration_seconds_bucket",
    "matdiscover_http_request_duration_seconds_count",
    "matdiscover_http_request_duration_seconds_sum",
    "matdiscover_http_requests_in_flight",
    "matdiscover_http_errors_total",
    "matdiscover_database_up",
    "matdiscover_live_workers",
    "matdiscover_queue_depth",
    "matdiscover_queue_oldest_job_age_seconds",
    "matdiscover_storage_free_bytes",
    "matdiscover_build_info",
}
WORKER_SERIES = {
    "matdiscover_worker_jobs_started_total",
    "matdiscover_worker_jobs_finished_total",
    "matdiscover_worker_jobs_failed_total",
    "matdiscover_worker_chunks_started_total",
    "matdiscover_worker_chunks_finished_total",
    "matdiscover_worker_chunks_failed_total",
    "matdiscover_worker_chunk_duration_seconds_bucket",
    "matdiscover_worker_chunk_duration_seconds_count",
    "matdiscover_worker_rows_total",
    "matdiscover_worker_rows_per_second",
    "matdiscover_worker_stalled_job_recoveries_total",
    "matdiscover_worker_model_load_seconds_count",
    "matdiscover_worker_prediction_latency_seconds_count",
    "matdiscover_queue_depth",
    "matdiscover_queue_oldest_job_age_seconds",
    "matdiscover_worker_info",
}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(body: str) -> Samples:
    """Every sample of a text exposition, keyed by (name, labels)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def value(samples: Samples, name: str, default: float | None = None, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    if key not in samples:
        if default is not None:
            return default
        raise AssertionError(f"no sample {name}{labels}")
    return samples[key]


def names(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


def scrape(client: TestClient, **headers: str) -> Samples:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return parse(r.text)


class MetricsWorker:
    """A real ``matdiscover worker --metrics-port`` process on the test's database."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.log = Path(str(settings.data_dir)).parent / "metrics-worker.log"
        env = {
            **os.environ,
            "MATDISCOVER_DATABASE_URL": str(settings.database_url),
            "MATDISCOVER_DATA_DIR": str(settings.data_dir),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "matdiscover.cli.main",
                    "worker",
                    "--metrics-port",
                    str(self.port),
                ],
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )

    def scrape(self, timeout: float = 60) -> Samples:
        deadline = time.monotonic() + timeout
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5)
                r.raise_for_status()
                return parse(r.text)
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise AssertionError(self.log.read_text(errors="replace")[-3000:]) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture()
def metrics_worker(settings: Settings) -> Iterator[Callable[[], MetricsWorker]]:
    """Starts workers on demand; stops them after the test."""
    holder: list[MetricsWorker] = []

    def start() -> MetricsWorker:
        holder.append(MetricsWorker(settings))
        return holder[-1]

    yield start
    for w in holder:
        w.stop()


def wait_job(client: TestClient, job_id: int, worker: MetricsWorker, timeout: float = 180) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return dict(job)
        time.sleep(0.3)
    raise AssertionError(f"timed out: {job}\n{worker.log.read_text(errors='replace')[-3000:]}")


def sql_queue_depth(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT queue_name, priority, count(*) FROM procrastinate_jobs "
                "WHERE status = 'todo' GROUP BY 1, 2"
            )
        ).all()
    return {(q, str(p)): int(n) for q, p, n in rows}


@pytest.mark.slow
def test_api_and_worker_expose_the_named_series(
    client: TestClient,
    engine: Engine,
    tmp_path: Path,
    metrics_worker: Callable[[], MetricsWorker],
) -> None:
    health = "/api/v1/health"
    material = "/api/v1/materials/{material_id}"
    before = scrape(client)
    for _ in range(3):
        assert client.get(health).status_code == 200
    assert client.get("/api/v1/materials/987654").status_code == 404
    assert client.get("/api/v1/no-such-route").status_code == 404
    after = scrape(client)
    assert names(after) >= API_SERIES, API_SERIES - names(after)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, 0.0, **labels)

    assert delta("matdiscover_http_requests_total", method="GET", route=health, status="200") == 3
    assert delta("matdiscover_http_request_duration_seconds_count", method="GET", route=health) == 3
    # the route template, not the URL; 404s without a route are "unmatched"
    assert delta("matdiscover_http_requests_total", method="GET", route=material, status="404") == 1
    assert delta("matdiscover_http_errors_total", route=material, status="404") == 1
    assert delta("matdiscover_http_errors_total", route="unmatched", status="404") == 1
    assert not any("987654" in dict(labels).get("route", "") for _, labels in after)
    # the scrape that produced ``before`` is counted once it finished
    assert (
        delta("matdiscover_http_requests_total", method="GET", route="/metrics", status="200") == 1
    )
    assert value(after, "matdiscover_http_requests_in_flight") == 1  # this scrape itself
    assert value(after, "matdiscover_database_up") == 1
    assert value(after, "matdiscover_build_info", version=__version__) == 1
    free = shutil.disk_usage(tmp_path).free  # the data dir is under tmp_path
    assert abs(value(after, "matdiscover_storage_free_bytes") - free) < 0.05 * free
    assert value(after, "matdiscover_live_workers", queue="default") == 0

    # a batch job waiting in the queue: depth equals the jobs table, age grows
    rows = 4500  # 3 chunks of 2,000 rows
    data, _ = make_csv(rows)
    job = submit(client, data, properties="band_gap")
    time.sleep(1.1)
    queued = scrape(client)
    counted = sql_queue_depth(engine)
    assert counted.get(("default", "0"), 0) >= 3
    exported = {
        (dict(labels)["queue"], dict(labels)["priority"]): v
        for (name, labels), v in queued.items()
        if name == "matdiscover_queue_depth" and v > 0
    }
    assert exported == counted
    assert 1.0 <= value(queued, "matdiscover_queue_oldest_job_age_seconds", queue="default") < 60
    assert value(queued, "matdiscover_queue_oldest_job_age_seconds", queue="gpu") == 0

    worker = metrics_worker()
    done = wait_job(client, job["id"], worker)
    assert done["status"] == "succeeded" and done["processed"] == rows
    chunks = done["chunks_total"]
    assert chunks == 3
    w = worker.scrape()
    assert names(w) >= WORKER_SERIES, WORKER_SERIES - names(w)
    assert value(w, "matdiscover_worker_jobs_finished_total", task=CHUNK_TASK) == chunks
    assert value(w, "matdiscover_worker_jobs_started_total", task=CHUNK_TASK) == chunks
    assert value(w, "matdiscover_worker_jobs_failed_total", task=CHUNK_TASK) == 0
    assert value(w, "matdiscover_worker_jobs_finished_total", task="matdiscover.batch_reduce") >= 1
    assert value(w, "matdiscover_worker_chunks_finished_total", task=CHUNK_TASK) == chunks
    assert value(w, "matdiscover_worker_chunks_failed_total", task=CHUNK_TASK) == 0
    assert value(w, "matdiscover_worker_chunk_duration_seconds_count", task=CHUNK_TASK) == chunks
    assert value(w, "matdiscover_worker_rows_total", task=CHUNK_TASK) == rows
    assert value(w, "matdiscover_worker_rows_per_second", task=CHUNK_TASK) > 0
    assert value(w, "matdiscover_worker_stalled_job_recoveries_total") == 0
    load_s = value(w, "matdiscover_worker_model_load_seconds_sum", model="composition/band_gap")
    assert (
        value(w, "matdiscover_worker_model_load_seconds_count", model="composition/band_gap") == 1
    )
    assert 0 < load_s < 120
    latency = "matdiscover_worker_prediction_latency_seconds_count"
    assert value(w, latency, model="composition") == chunks
    assert value(w, "matdiscover_worker_info", queues="default,gpu", host=os.uname().nodename) == 1
    # the worker's queue collector reads the same table
    assert value(w, "matdiscover_queue_depth", queue="gpu", priority="0") == 0

    # the API sees the live worker
    assert value(scrape(client), "matdiscover_live_workers", queue="default") == 1


def test_metrics_endpoint_access_in_server_mode(db_url: str, tmp_path: Path) -> None:
    from matdiscover.api.app import create_app

    secret = "k3Yq8vW1zT5nR9mB2xC7dF4gH6jL0pQsU"
    base = {"database_url": db_url, "data_dir": tmp_path / "data", "auth": "required"}
    with TestClient(create_app(Settings(**base, secret_key=secret))) as c:
        assert c.get("/metrics").status_code == 404  # no token configured: no endpoint
        assert c.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404
    token = "scrape-token-for-prometheus-0123456789"
    with TestClient(create_app(Settings(**base, secret_key=secret, metrics_token=token))) as c:
        assert c.get("/metrics").status_code == 401
        for wrong in (f"Bearer {token}x", f"Bearer {token[:-1]}", f"Basic {token}", token):
            assert c.get("/metrics", headers={"Authorization": wrong}).status_code == 401
        r = c.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        samples = parse(r.text)
        assert value(samples, "matdiscover_database_up") == 1
        # the refused scrapes were counted, by their route
        refused = value(samples, "matdiscover_http_errors_total", route="/metrics", status="401")
        assert refused >= 5


def test_metrics_route_is_not_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/metrics" not in paths and "/api/v1/health" in paths
    assert client.get("/metrics").status_code == 200  # local mode: open


def test_database_down_is_reported_within_the_timeout(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    engine = scrape_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
    try:
        started = time.monotonic()
        families = list(
            PlatformCollector(engine, storage_path=tmp_path, queues=["default"]).collect()
        )
        assert time.monotonic() - started < DB_TIMEOUT_S + 1
    finally:
        engine.dispose()
    by_name = {f.name: f for f in families}
    assert [s.value for s in by_name["matdiscover_database_up"].samples] == [0]
    assert "matdiscover_live_workers" not in by_name  # no stale numbers
    assert by_name["matdiscover_storage_free_bytes"].samples[0].value > 0


CHILD = textwrap.dedent(
    """
    import faulthandler
    import sys

    faulthandler.dump_traceback_later(150, exit=True)  # a hang reports where it is
    from fastapi.testclient import TestClient
    from matdiscover.api.app import create_app
    from matdiscover.settings import Settings

    calls = int(sys.argv[1])
    with TestClient(create_app(Settings())) as c:
        for _ in range(calls):
            assert c.get("/api/v1/health").status_code == 200
        if len(sys.argv) > 2:
            sys.stdout.write(c.get("/metrics").text)
    """
)


def test_multiprocess_mode_sums_the_processes(settings: Settings, tmp_path: Path) -> None:
    mp_dir = tmp_path / "prom"
    mp_dir.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(mp_dir),
        "MATDISCOVER_DATABASE_URL": str(settings.database_url),
        "MATDISCOVER_DATA_DIR": str(settings.data_dir),
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, timeout=240
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
        return done.stdout.decode()

    run("2")
    run("3")
    assert len(list(mp_dir.glob("counter_*.db"))) >= 2  # one file per process
    samples = parse(run("4", "scrape"))
    health = {"method": "GET", "route": "/api/v1/health", "status": "200"}
    assert value(samples, "matdiscover_http_requests_total", **health) == 2 + 3 + 4
    assert value(samples, "matdiscover_database_up") == 1  # scrape-time collectors still run


@pytest.mark.slow
def test_stalled_job_recoveries_are_counted(
    client: TestClient, engine: Engine, metrics_worker: Callable[[], MetricsWorker]
) -> None:
    """A worker SIGKILLed mid-chunk: the surviving worker re-queues its jobs and counts
    exactly the re-queues the jobs table records (doing -> todo events)."""
    data, _ = make_csv(20_000)
    job = submit(client, data, properties="band_gap")
    victim, survivor = metrics_worker(), metrics_worker()
    deadline = time.monotonic() + 120
    held = 0
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            held = int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM worker_processes "
                        "WHERE pid = :pid AND current_job_id = :job"
                    ),
                    {"pid": victim.proc.pid, "job": job["id"]},
                ).scalar_one()
            )
        if held:
            break
        time.sleep(0.05)
    assert held, "the victim never took a chunk"
    victim.proc.kill()
    victim.proc.wait(10)
    done = wait_job(client, job["id"], survivor, timeout=240)
    assert done["status"] == "succeeded" and done["processed"] == 20_000
    with engine.connect() as conn:
        requeued = int(
            conn.execute(
                text("SELECT count(*) FROM procrastinate_events WHERE type = 'deferred_for_retry'")
            ).scalar_one()
        )
    assert requeued >= 1
    samples = survivor.scrape()
    assert value(samples, "matdiscover_worker_stalled_job_recoveries_total") == requeued
    recover = "matdiscover.recover_stalled_jobs"
    assert value(samples, "matdiscover_worker_jobs_finished_total", task=recover) >= 1
