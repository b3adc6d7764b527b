"""Supervision of ``matdiscover serve``'s child processes.

A worker that dies (crash, out-of-memory kill, ``kill -9``) is restarted after a back-off
of 1 s, 2 s, 4 s ... capped at 60 s; a process that stayed up for a minute starts again
at 1 s. Jobs the dead worker held are re-queued by the stalled-job recovery
(``matdiscover.worker.tasks.recover_stalled_jobs``). A one-shot child (the reference
loader) is not restarted when it exits successfully.

>>> [restart_delay(n) for n in range(1, 9)]
[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

BACKOFF_START_S = 1.0
BACKOFF_MAX_S = 60.0
#: A child that ran at least this long before dying restarts at the shortest back-off.
STABLE_AFTER_S = 60.0
POLL_S = 1.0


def restart_delay(
    failures: int, *, start: float = BACKOFF_START_S, cap: float = BACKOFF_MAX_S
) -> float:
    """Seconds to wait before restarting a child that died ``failures`` times in a row."""
    if failures < 1:
        return 0.0
    return min(cap, start * 2.0 ** min(failures - 1, 62))


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class Child:
    """One supervised process and its restart bookkeeping."""

    name: str
    spawn: Callable[[], subprocess.Popen[bytes]]
    #: False for one-shot children: exit code 0 means done, not a crash.
    restart_on_success: bool = True
    #: Give up after this many restarts (``None``: never give up).
    max_restarts: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # consecutive short-lived runs
    restarts: int = 0
    restart_at: float | None = None
    finished: bool = False


class Supervisor:
    """Polls its children every ``poll_s`` in a thread and restarts dead ones with back-off.

    Children spawned by the supervision thread carry the parent-death signal of that
    thread (Linux ``PR_SET_PDEATHSIG`` is per thread), so the thread runs until
    :meth:`stop`, which also ends the children.
    """

    def __init__(
        self,
        *,
        poll_s: float = POLL_S,
        stable_after_s: float = STABLE_AFTER_S,
        backoff_start_s: float = BACKOFF_START_S,
        backoff_max_s: float = BACKOFF_MAX_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children: list[Child] = []
        self.poll_s = poll_s
        self.stable_after_s = stable_after_s
        self.backoff_start_s = backoff_start_s
        self.backoff_max_s = backoff_max_s
        self._clock = clock
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, child: Child) -> Child:
        """Supervise ``child``, starting it now unless its process is given."""
        with self._lock:
            if child.proc is None:
                child.proc = child.spawn()
            child.started_at = self._clock()
            self.children.append(child)
        return child

    def processes(self) -> list[subprocess.Popen[bytes]]:
        with self._lock:
            return [c.proc for c in self.children if c.proc is not None]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="matdiscover-supervisor")
        self._thread.daemon = True
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(self.poll_s):
            try:
                self.check()
            except Exception:
                logger.exception("process supervision failed; retrying")

    def check(self) -> None:
        """One supervision pass: reap dead children, restart those whose back-off is over."""
        with self._lock:
            for child in self.children:
                if self._stopping.is_set():
                    return
                self._check_child(child, self._clock())

    def _check_child(self, child: Child, now: float) -> None:
        if child.finished or child.proc is None:
            return
        if child.restart_at is None:
            code = child.proc.poll()  # also reaps the zombie
            if code is None:
                return
            uptime = now - child.started_at
            if code == 0 and not child.restart_on_success:
                logger.info("%s finished", child.name)
                child.finished = True
                return
            if child.max_restarts is not None and child.restarts >= child.max_restarts:
                logger.error(
                    "%s (pid %s) %s; not restarting after %d restart(s)",
                    child.name,
                    child.proc.pid,
                    describe_exit(code),
                    child.restarts,
                )
                child.finished = True
                return
            child.failures = 1 if uptime >= self.stable_after_s else child.failures + 1
            delay = restart_delay(
                child.failures, start=self.backoff_start_s, cap=self.backoff_max_s
            )
            child.restart_at = now + delay
            logger.warning(
                "%s (pid %s) %s after %.0f s; restarting in %.0f s",
                child.name,
                child.proc.pid,
                describe_exit(code),
                uptime,
                delay,
            )
        if now < child.restart_at:
            return
        try:
            proc = child.spawn()
        except OSError:
            child.failures += 1
            child.restart_at = now + restart_delay(
                child.failures, start=self.backoff_start_s, cap=self.backoff_max_s
            )
            logger.exception("could not restart %s", child.name)
            return
        child.proc, child.started_at, child.restart_at = proc, now, None
        child.restarts += 1
        logger.warning("restarted %s as pid %s (restart %d)", child.name, proc.pid, child.restarts)

    def halt(self) -> None:
        """No restart from now on (safe in a signal handler: when the server is asked to
        stop, the children get the same Ctrl-C and exit; they must not be restarted)."""
        self._stopping.set()

    def stop(self, *, timeout: float = 15.0) -> None:
        """Stop supervising (no restart from now on), then stop every child."""
        self.halt()
        with self._lock:  # waits for a pass in progress; none starts afterwards
            procs = [c.proc for c in self.children if c.proc is not None]
        if self._thread is not None:
            self._thread.join(timeout)
        stop_processes(procs, timeout=timeout)


def stop_processes(procs: list[subprocess.Popen[bytes]], *, timeout: float = 15.0) -> None:
    """SIGTERM every process, then wait; SIGKILL what is still running after ``timeout``."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
