"""`matdiscover serve` supervises its workers: a killed worker is replaced (issue 21, item 12).

A SIGKILLed worker used to stay a zombie, never replaced, and ``/workers`` listed it
as alive for 30 s. Now serve restarts it with back-off and the listing shows only
workers whose process runs and whose heartbeat is fresh.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from matdiscover.cli.supervisor import Child, Supervisor, restart_delay
from tests.platform.test_serve_lifecycle import Server, data_dir  # noqa: F401 (fixture)


def test_back_off_doubles_from_one_second_up_to_a_minute() -> None:
    assert [restart_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert restart_delay(0) == 0
    assert restart_delay(1000) == 60
    assert restart_delay(3, start=0.5, cap=1.5) == 1.5


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def spawn_exit(code: int) -> subprocess.Popen[bytes]:
    """A real child process that exits at once with ``code``."""
    return subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])


def wait_exited(child: Child) -> None:
    assert child.proc is not None
    child.proc.wait(30)


def test_supervisor_restarts_crashes_with_back_off_and_leaves_finished_one_shots() -> None:
    clock = FakeClock()
    sup = Supervisor(clock=clock, stable_after_s=60)
    crashing = sup.add(Child("worker", lambda: spawn_exit(3)))
    one_shot = sup.add(Child("loader", lambda: spawn_exit(0), restart_on_success=False))
    limited = sup.add(Child("limited", lambda: spawn_exit(1), max_restarts=1))
    restart_times = []
    for _ in range(5):
        wait_exited(crashing)
        first_pid = crashing.proc.pid if crashing.proc else None
        sup.check()  # notices the exit, schedules the restart
        assert crashing.restart_at is not None
        restart_times.append(crashing.restart_at - clock.now)
        clock.now = crashing.restart_at - 0.01
        sup.check()
        assert crashing.proc is not None and crashing.proc.pid == first_pid, "not before time"
        clock.now = crashing.restart_at
        sup.check()
        assert crashing.proc.pid != first_pid
    assert restart_times == [1, 2, 4, 8, 16]
    assert crashing.restarts == 5
    assert one_shot.finished and one_shot.restarts == 0, "exit code 0 of a one-shot: done"
    assert limited.finished and limited.restarts == 1, "gave up after max_restarts"

    # a run longer than stable_after_s resets the back-off
    wait_exited(crashing)
    clock.now += 61
    sup.check()
    assert crashing.restart_at == clock.now + 1

    sup.halt()
    clock.now += 100
    sup.check()
    assert crashing.restarts == 5, "no restart once the server is stopping"
    sup.stop(timeout=10)


def live_workers(url: str) -> list[dict[str, object]]:
    r = httpx.get(f"{url}/api/v1/workers", timeout=5)
    r.raise_for_status()
    return [w for w in r.json() if w["alive"]]


def wait_for_workers(
    server: Server, n: int, timeout: float, *, without: int | None = None
) -> list[dict[str, object]]:
    """The live workers once there are ``n`` of them (none with pid ``without``)."""
    deadline = time.monotonic() + timeout
    found: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        found = live_workers(server.url)
        if len(found) == n and all(w["pid"] != without for w in found):
            return found
        time.sleep(0.5)
    raise AssertionError(f"{len(found)} live worker(s), not {n}: {found}\n{server.output()}")


@pytest.mark.slow
def test_a_killed_worker_is_replaced_within_30_s(data_dir: Path) -> None:  # noqa: F811
    server = Server(data_dir, workers=2)
    try:
        server.wait_healthy()
        workers = wait_for_workers(server, 2, timeout=90)
        children = {c.pid for c in psutil.Process(server.proc.pid).children(recursive=True)}
        pids = {int(str(w["pid"])) for w in workers}
        assert pids <= children, "the listed workers are serve's children"
        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        # the killed worker drops out of the listing at once, then its replacement joins
        deadline = time.monotonic() + 5
        while victim in {w["pid"] for w in live_workers(server.url)}:
            assert time.monotonic() < deadline, "the killed worker is still listed as alive"
            time.sleep(0.2)
        after = wait_for_workers(server, 2, timeout=30, without=victim)
        assert time.monotonic() - killed_at < 30
        alive_pids = {int(str(w["pid"])) for w in after}
        assert len(alive_pids - pids) == 1, "one new worker replaced it"
        assert not psutil.pid_exists(victim) or psutil.Process(victim).status() != "zombie", (
            "the dead worker was reaped"
        )
        assert "restarted worker" in server.output()
        assert server.ctrl_c() == 0, server.output()
    finally:
        server.close()
