"""`matdiscover serve` as a user runs it: real processes, real signals.

Ctrl-C stops the API, the worker(s) and the embedded PostgreSQL; a SIGKILLed
server leaves no postgres or worker behind (watchdog + parent-death signal); a
crashed database leaves no stale lock that blocks the next start.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.platform.conftest import private_tmp_dir

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self, data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("MATDISCOVER_")}
        child_env["MATDISCOVER_LOAD_REFERENCE"] = "never"  # keep these tests about processes
        child_env |= env or {}
        self.log = open(data_dir.parent / f"serve-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "matdiscover.cli.main",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(data_dir),
                "--workers",
                str(workers),
            ],
            env=child_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal job
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 90.0) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.output()}")
            try:
                r = httpx.get(f"{self.url}/api/v1/health", timeout=2)
                if r.status_code == 200:
                    return dict(r.json())
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"serve not healthy after {timeout}s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def ctrl_c(self, timeout: float = 60.0) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    """The postmaster running in ``pgdata`` and all its children."""
    found = []
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            cmd = " ".join(p.info["cmdline"] or [])
            if p.info["name"] == "postgres" and str(pgdata) in cmd and p.status() != "zombie":
                found.append(p)
                found.extend(c for c in p.children(recursive=True) if c.status() != "zombie")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != "zombie":
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while alive(procs) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(procs)


@pytest.fixture()
def data_dir() -> Iterator[Path]:
    root = private_tmp_dir("matdiscover-test-serve-")
    d = root / "data"
    d.mkdir()
    yield d
    from matdiscover.db.embedded import stop_server_at

    stop_server_at(d / "pgdata")
    shutil.rmtree(root, ignore_errors=True)


def test_ctrl_c_stops_api_worker_and_database(data_dir: Path) -> None:
    server = Server(data_dir)
    try:
        health = server.wait_healthy()
        assert health["status"] == "ok" and health["database"] == "ok"
        children = psutil.Process(server.proc.pid).children(recursive=True)
        workers = [c for c in children if "worker" in " ".join(c.cmdline())]
        assert len(workers) == 1, "serve starts one worker process by default"
        pg = postgres_processes(data_dir / "pgdata")
        assert pg, "the embedded database runs in the data directory"
        assert server.ctrl_c() == 0, server.output()
        assert wait_gone(pg + children, 15) == [], "processes left behind after Ctrl-C"
        assert "Stopped." in server.output()
    finally:
        server.close()


def test_sigkill_leaves_no_orphans_and_restart_works(data_dir: Path) -> None:
    server = Server(data_dir)
    try:
        server.wait_healthy()
        children = psutil.Process(server.proc.pid).children(recursive=True)
        pg = postgres_processes(data_dir / "pgdata")
        assert pg and children
        cmdlines = {c.pid: " ".join(c.cmdline()) for c in children}
        assert any("watchdog" in c for c in cmdlines.values())
        server.proc.send_signal(signal.SIGKILL)  # the server process only, no cleanup runs
        server.proc.wait(10)
        leftovers = wait_gone(pg + children, 20)
        assert leftovers == [], f"orphans after SIGKILL: {[p.pid for p in leftovers]}"
    finally:
        server.close()
    again = Server(data_dir)  # same data directory: no stale lock may block it
    try:
        assert again.wait_healthy()["database"] == "ok"
        assert again.ctrl_c() == 0
    finally:
        again.close()


def test_crashed_database_leaves_no_stale_lock(data_dir: Path) -> None:
    server = Server(data_dir)
    try:
        server.wait_healthy()
        postmaster = postgres_processes(data_dir / "pgdata")[0]
        postmaster.kill()  # power-loss style crash of the database itself
        postmaster.wait(10)
        assert (data_dir / "pgdata" / "postmaster.pid").exists(), "a stale lock file remains"
        server.ctrl_c()
    finally:
        server.close()
    again = Server(data_dir)
    try:
        assert again.wait_healthy()["database"] == "ok"
        assert again.ctrl_c() == 0
    finally:
        again.close()
