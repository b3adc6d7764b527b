"""HTTP access to a MatDiscover server for CLI commands (local or remote)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from matdiscover.errors import ConfigurationError, MatDiscoverError
from matdiscover.settings import Settings


class ServerError(MatDiscoverError):
    """The server refused the request."""


def _detail(r: httpx.Response) -> str:
    try:
        detail = r.json().get("detail")
    except ValueError:
        return r.text[:500]
    return detail if isinstance(detail, str) else json.dumps(detail)[:1000]


class ServerClient:
    """A thin client over the REST API; raises ``ServerError`` with the server's message."""

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = 60) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url + "/api/v1", headers=headers, timeout=timeout
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            r = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach {self.base_url}: {exc}") from exc
        if r.status_code >= 400:
            raise ServerError(f"{r.status_code}: {_detail(r)}")
        return r

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    def events(self, path: str) -> Iterator[tuple[str, Any]]:
        """Server-Sent Events as (event, parsed data)."""
        with self.http.stream("GET", path, timeout=None) as r:
            if r.status_code >= 400:
                r.read()
                raise ServerError(f"{r.status_code}: {_detail(r)}")
            event, data = "message", list[str]()
            for line in r.iter_lines():
                if not line:
                    if data:
                        yield event, json.loads("\n".join(data))
                    event, data = "message", list[str]()
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())

    def is_up(self) -> bool:
        try:
            return self.http.get("/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self.http.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def connect(settings: Settings, server: str | None, api_key: str | None) -> Iterator[ServerClient]:
    """A client for ``server``; without one, the local server, started for the command if
    it is not running (embedded setup), and stopped afterwards."""
    key = api_key or os.environ.get("MATDISCOVER_API_KEY")
    if server:
        client = ServerClient(server, api_key=key)
        try:
            yield client
        finally:
            client.close()
        return
    local = ServerClient(f"http://127.0.0.1:{settings.port}", api_key=key)
    if local.is_up():
        try:
            yield local
        finally:
            local.close()
        return
    local.close()
    if not settings.uses_embedded_database and not settings.database_url:
        raise ConfigurationError("no server reachable; pass --server URL")
    port = _free_port()
    env = {**os.environ, "MATDISCOVER_DATA_DIR": str(settings.resolved_data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "matdiscover.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = ServerClient(f"http://127.0.0.1:{port}", api_key=key)
    try:
        deadline = time.monotonic() + 120
        while not client.is_up():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ConfigurationError("could not start a local MatDiscover server")
            time.sleep(0.5)
        yield client
    finally:
        client.close()
        proc.send_signal(2)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
