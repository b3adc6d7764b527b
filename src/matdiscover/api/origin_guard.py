"""Refuse requests addressed to a foreign host name, and cross-site writes in local mode.

Local mode has no login: every request from this machine acts as the local user. Two
browser attacks would turn that into access for any web page the user opens:

- DNS rebinding: a page on ``evil.example`` re-resolves its own name to 127.0.0.1 and
  then talks to this server "same-origin". The browser still sends ``Host:
  evil.example``, so the ``Host`` header is checked against an allow-list: loopback
  names (``localhost``, ``*.localhost``, loopback addresses), the configured ``HOST``
  and ``MATDISCOVER_ALLOWED_HOSTS``, with any port. Other names get 421.
- Cross-site request forgery: a page elsewhere posts a multipart form to
  ``http://127.0.0.1:8000/api/v1/materials`` (no preflight needed). Browsers mark such
  requests with ``Origin`` and ``Sec-Fetch-Site``; an unsafe method (POST, PUT, PATCH,
  DELETE) whose ``Origin`` is neither this server's own nor one of
  ``MATDISCOVER_CORS_ORIGINS`` gets 403. Requests without these headers (curl, the CLI,
  scripts) are not from a browser page and pass.

Server mode authenticates with bearer tokens, which a browser never attaches on its
own, so neither attack gains anything there: the ``Host`` check applies only when
``MATDISCOVER_ALLOWED_HOSTS`` is set, and the cross-site check not at all (a reverse proxy
that rewrites ``Host`` must not break browser writes).

Pure ASGI, so streaming responses (job events) pass through untouched.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from matdiscover.api.responses import send_error
from matdiscover.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LOOPBACK_NAMES = frozenset({"localhost"})
# Starlette's TestClient (and schemathesis' ASGI client) send "Host: testserver" from this
# peer, which no socket can produce (a socket peer is an IP address).
_IN_PROCESS_PEER = ("testclient", 50000)
_IN_PROCESS_HOST = "testserver"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def split_host(value: str) -> tuple[str, int | None] | None:
    """``"[::1]:8000"`` -> ``("::1", 8000)``; lower case, no trailing dot; None if malformed."""
    try:
        parts = urlsplit(f"//{value.strip()}")
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return host.rstrip(".").lower(), port


def is_loopback_name(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True  # RFC 6761: browsers resolve these to loopback themselves
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HostAllowList:
    """The host names a request may address (ports are not checked)."""

    def __init__(self, names: list[str], *, loopback: bool = True) -> None:
        cleaned = [n.strip().strip("[]").rstrip(".").lower() for n in names if n.strip()]
        self.any = "*" in cleaned
        self.exact = {n for n in cleaned if not n.startswith("*")}
        self.suffixes = tuple(n[1:] for n in cleaned if n.startswith("*.") and len(n) > 2)
        self.loopback = loopback

    def allows(self, host: str) -> bool:
        if self.any or host in self.exact or host.endswith(self.suffixes):
            return True
        return self.loopback and is_loopback_name(host)


class OriginGuardMiddleware:
    """421 for a foreign ``Host``; 403 for a browser write from another site (local mode)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: HostAllowList | None,
        check_cross_site: bool,
        trusted_origins: list[str],
    ) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.check_cross_site = check_cross_site
        self.trusted_origins = {o.rstrip("/").lower() for o in trusted_origins}

    @classmethod
    def for_settings(cls, app: ASGIApp, settings: Settings) -> OriginGuardMiddleware:
        local = not settings.auth_required
        names = settings.allowed_host_list
        hosts = None
        if local or names:
            hosts = HostAllowList([settings.host, *names])
        return cls(
            app,
            allowed_hosts=hosts,
            check_cross_site=local,
            trusted_origins=settings.cors_origin_list,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host_header = headers.get("host")
        host = split_host(host_header) if host_header is not None else None
        if host_header is not None and not self._host_allowed(host, scope):
            await send_error(
                send,
                421,
                f"this server does not answer to the host name {host_header!r}; if that "
                "name is yours, add it to MATDISCOVER_ALLOWED_HOSTS",
            )
            return
        unsafe = scope["method"] not in SAFE_METHODS
        if self.check_cross_site and unsafe and self._cross_site(headers, host):
            await send_error(
                send,
                403,
                "cross-site request refused: this local-mode server accepts changes only "
                "from its own pages (or an origin in MATDISCOVER_CORS_ORIGINS)",
            )
            return
        await self.app(scope, receive, send)

    def _host_allowed(self, host: tuple[str, int | None] | None, scope: Scope) -> bool:
        if self.allowed_hosts is None:
            return True
        if host is None:
            return False  # malformed Host header
        if self.allowed_hosts.allows(host[0]):
            return True
        client = scope.get("client")
        in_process = client is not None and tuple(client) == _IN_PROCESS_PEER
        return in_process and host[0] == _IN_PROCESS_HOST

    def _cross_site(self, headers: dict[str, str], host: tuple[str, int | None] | None) -> bool:
        origin = headers.get("origin")
        fetch_site = headers.get("sec-fetch-site", "").strip().lower()
        if origin is None:
            # a browser sends Origin with every cross-origin write; without it, trust
            # Sec-Fetch-Site when present (no header at all: not a web page)
            return fetch_site in {"cross-site", "same-site"}
        origin = origin.strip().rstrip("/").lower()
        if origin in self.trusted_origins:
            return False
        return not _same_origin(origin, host)


def _same_origin(origin: str, host: tuple[str, int | None] | None) -> bool:
    """Does ``Origin`` (scheme://host[:port]) name the host:port the request was sent to?"""
    if host is None:
        return False
    try:
        parts = urlsplit(origin)
        origin_host, origin_port = parts.hostname, parts.port
    except ValueError:
        return False
    if parts.scheme not in _DEFAULT_PORTS or not origin_host:  # includes "null"
        return False
    default = _DEFAULT_PORTS[parts.scheme]
    return (origin_host.rstrip("."), origin_port or default) == (host[0], host[1] or default)
