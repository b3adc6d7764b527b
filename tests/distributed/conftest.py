"""Fixtures of the multi-host fault test: the lab network, an external PostgreSQL on it,
worker processes in the lab's namespaces, the API in the root namespace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from matdiscover.db.engine import create_db_engine
from matdiscover.db.migrate import upgrade
from matdiscover.settings import Settings
from tests.distributed.netlab import HOST_ADDRESS, ExternalPostgres, Host, Lab, netns_available

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "distributed"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    reason = netns_available()
    if reason is not None:
        pytest.skip(f"multi-host fault test: {reason}")
    net = Lab(n=3)
    try:
        net.up()
        yield net
    finally:
        net.down()


@pytest.fixture(scope="module")
def external_pg(lab: Lab) -> Iterator[ExternalPostgres]:
    server = ExternalPostgres(HOST_ADDRESS)
    try:
        server.start()
        engine = create_db_engine(server.url)
        upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def settings(external_pg: ExternalPostgres, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("distributed") / "data"
    return Settings(database_url=external_pg.url, data_dir=data)


@pytest.fixture(scope="module")
def engine(settings: Settings) -> Iterator[Engine]:
    eng = create_db_engine(str(settings.database_url), pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


class NamespaceWorkers:
    """One ``matdiscover worker`` per lab host, each in its own process group."""

    def __init__(self, lab: Lab, settings: Settings, log_dir: Path) -> None:
        self.lab = lab
        self.env = {
            **os.environ,
            "MATDISCOVER_DATABASE_URL": str(settings.database_url),
            "MATDISCOVER_DATA_DIR": str(settings.data_dir),
        }
        self.log_dir = log_dir
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, host: Host) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"worker-ns{host.index}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                host.ns,
                sys.executable,
                "-m",
                "matdiscover.cli.main",
                "worker",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one
        )
        log.close()
        self.procs[host.index] = proc
        return proc

    def wait_registered(self, engine: Engine, timeout: float = 120) -> None:
        """Until every started worker heartbeats in the registry (``ip netns exec`` execs,
        so the pid is the worker's)."""
        deadline = time.monotonic() + timeout
        want = {p.pid for p in self.procs.values() if p.poll() is None}
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                have = set(conn.execute(text("SELECT pid FROM worker_processes")).scalars())
            if want <= have:
                return
            time.sleep(0.5)
        raise AssertionError(f"workers {want - have} did not register\n{self.tails()}")

    def kill(self, index: int) -> None:
        proc = self.procs[index]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def tails(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-2500:]}"
            for log in sorted(self.log_dir.glob("worker-ns*.log"))
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture(scope="module")
def ns_workers(lab: Lab, settings: Settings, artifacts: Path) -> Iterator[NamespaceWorkers]:
    for old in artifacts.glob("worker-ns*.log"):
        old.unlink()
    workers = NamespaceWorkers(lab, settings, artifacts)
    try:
        yield workers
    finally:
        workers.stop()
