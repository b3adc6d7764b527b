"""``matdiscover serve``: database + migrations + API + worker processes, stopped together."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console

from matdiscover.cli.supervisor import Child, Supervisor
from matdiscover.settings import Settings

logger = logging.getLogger(__name__)
console = Console(stderr=True)

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def spawn_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "matdiscover.cli.main", "worker"],
        env=env,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def start_worker_processes(n: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    return [spawn_worker(env) for _ in range(n)]


def spawn_reference_loader(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "matdiscover.cli.main", "db", "load-reference"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )


def start_reference_loader(engine: Any, env: dict[str, str], log_path: Path) -> Any:
    """On a fresh installation, load the bundled reference database in a separate process.

    It runs beside the API and the workers (so first predictions never queue behind it),
    commits table by table (an interrupted load resumes where it stopped) and exits
    when done. Returns the process, or ``None`` when everything is loaded already.
    """
    from sqlalchemy.orm import Session

    from matdiscover.domains.reference.service import is_loaded

    with Session(engine) as session:
        if is_loaded(session):
            return None
    console.print(
        "Loading the bundled reference database (Materials Project, AFLOW, OQMD) in the "
        f"background (a few minutes; log: {log_path}); search results grow as it completes."
    )
    return spawn_reference_loader(env, log_path)


def _server(config: Any, *, on_exit: Callable[[], None]) -> Any:
    """A uvicorn server that calls ``on_exit`` as soon as it is asked to stop."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            on_exit()
            super().handle_exit(sig, frame)

    return Server(config)


def serve(settings: Settings, *, workers: int) -> None:
    """Run MatDiscover until Ctrl-C / SIGTERM, then stop every child process."""
    import uvicorn

    from matdiscover.api.app import create_app
    from matdiscover.db.embedded import spawn_watchdog, start_embedded
    from matdiscover.db.engine import check_database, create_db_engine
    from matdiscover.db.migrate import upgrade

    settings.check_security()  # before starting anything: no secret, no server mode
    data_dir = settings.resolved_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    embedded = None
    watchdog = None
    url = settings.database_url
    if url is None:
        console.print(f"[bold]Starting embedded PostgreSQL[/] in {data_dir / 'pgdata'}")
        embedded = start_embedded(data_dir)
        watchdog = spawn_watchdog(embedded.pgdata, os.getpid())
        url = embedded.url
    # dead workers are restarted with back-off until shutdown (see matdiscover.cli.supervisor)
    supervisor = Supervisor()
    # SIGTERM (e.g. from a process manager) should shut down like Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        engine = create_db_engine(url, pool_size=1)
        check_database(engine)
        upgrade(engine)
        child_env = {**os.environ, "MATDISCOVER_DATABASE_URL": url}
        child_env["MATDISCOVER_DATA_DIR"] = str(data_dir)
        for i in range(workers):
            supervisor.add(Child(f"worker {i + 1}", partial(spawn_worker, child_env)))
        if settings.load_reference == "auto":
            log_path = data_dir / "reference-load.log"
            loader = start_reference_loader(engine, child_env, log_path)
            if loader is not None:  # resumable: restarted after a crash, not after success
                supervisor.add(
                    Child(
                        "reference loader",
                        partial(spawn_reference_loader, child_env, log_path),
                        restart_on_success=False,
                        max_restarts=3,
                        proc=loader,
                    )
                )
        supervisor.start()
        engine.dispose()
        app_settings = settings.model_copy(update={"database_url": url})
        mode = (
            "accounts required (server mode)"
            if settings.auth_required
            else "local mode: no login, this machine only"
        )
        console.print(
            f"[bold green]MatDiscover[/] on http://{settings.host}:{settings.port}/ "
            f"{'(API docs: /docs) ' if settings.api_docs_enabled else ''}"
            f"with {workers} worker(s); {mode}. Press Ctrl-C to stop."
        )
        config = uvicorn.Config(
            create_app(app_settings),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            timeout_graceful_shutdown=10,
            server_header=False,  # no "server: uvicorn" banner
        )
        _server(config, on_exit=supervisor.halt).run()
    except KeyboardInterrupt:
        pass
    finally:
        console.print("Stopping workers and database...")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        supervisor.stop()
        if embedded is not None:
            embedded.stop()
            from matdiscover.db.embedded import stop_server_at

            stop_server_at(Path(embedded.pgdata))
        if watchdog is not None and watchdog.poll() is None:
            watchdog.terminate()
            watchdog.wait(5)
        console.print("Stopped.")
