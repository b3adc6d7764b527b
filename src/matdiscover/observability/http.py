"""Request metrics of the API (an ASGI middleware) and the ``GET /metrics`` exposition.

Requests are labelled by route *template* (``/api/v1/materials/{material_id}``), read
from ``scope["route"]`` after routing, so the label set stays bounded whatever the
URLs. Requests no route answered (404s of unknown paths, requests refused before
routing) are labelled ``unmatched``.
"""

from __future__ import annotations

import hmac
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matdiscover import __version__
from matdiscover.errors import NotFound, Unauthenticated
from matdiscover.observability.collectors import (
    InfoCollector,
    PlatformCollector,
    QueueCollector,
    scrape_engine,
)
from matdiscover.observability.metrics import (
    API_METRICS,
    HTTP_DURATION,
    HTTP_ERRORS,
    HTTP_IN_FLIGHT,
    HTTP_REQUESTS,
    build_registry,
)
from matdiscover.settings import Settings

__all__ = [
    "UNMATCHED",
    "MetricsMiddleware",
    "api_registry",
    "check_metrics_access",
    "exposition",
    "install_metrics",
    "route_label",
]

UNMATCHED = "unmatched"


def route_label(scope: Scope, status: int) -> str:
    """The route template that answered, or :data:`UNMATCHED`.

    A catch-all route (``/{path:path}``, the web UI's fallback) that answers 404 found
    nothing: that is unmatched too, not a route.

    FastAPI keeps included routers as such: ``scope["route"]`` is the route as declared
    in its router (``/materials/{material_id}``), and the full template including the
    routers' prefixes is in FastAPI's effective route context, which is preferred.
    """
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if status == 404 and ":path}" in path:
        return UNMATCHED
    return path or "/"


class MetricsMiddleware:
    """Counts requests, errors and in-flight requests, and times each request until its
    response body is complete (streamed responses included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # an exception escaping the app becomes a 500 further out
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        HTTP_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            HTTP_IN_FLIGHT.dec()
            method = str(scope.get("method", "GET"))
            route = route_label(scope, status)
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            HTTP_DURATION.labels(method=method, route=route).observe(time.perf_counter() - started)
            if status >= 400:
                HTTP_ERRORS.labels(route=route, status=str(status)).inc()


def check_metrics_access(
    authorization: str | None, *, server_mode: bool, token: str | None
) -> None:
    """Open in local mode; in server mode a bearer token equal to ``token`` is required,
    and without a configured token the endpoint does not exist.

    Raises:
        NotFound: server mode and no token configured.
        Unauthenticated: server mode and a missing or wrong bearer token.
    """
    if not server_mode:
        return
    if not token:
        raise NotFound("Not Found")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise Unauthenticated("a valid metrics token is required (Authorization: Bearer ...)")


def exposition(registry: CollectorRegistry) -> tuple[bytes, dict[str, Any]]:
    """The registry in the Prometheus text format, and the response headers."""
    return generate_latest(registry), {
        "Content-Type": CONTENT_TYPE_LATEST,
        "Cache-Control": "no-store",
    }


def storage_path(settings: Settings) -> Path:
    """The local directory whose filesystem holds the data: the object storage when it is
    a local path, else the data directory."""
    url = settings.resolved_storage_url
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    return settings.resolved_data_dir if "://" in url else Path(url)


def api_registry(engine: Engine, settings: Settings) -> tuple[CollectorRegistry, Engine]:
    """The API's registry (request metrics, queue, database, workers, storage, build
    info) and the small engine its scrape-time collectors query through (dispose it
    at shutdown)."""
    from matdiscover.worker.queue import QUEUES

    scrapes = scrape_engine(engine.url)
    registry = build_registry(
        API_METRICS,
        collectors=[
            InfoCollector(
                "matdiscover_build_info", "MatDiscover version.", {"version": __version__}
            ),
            PlatformCollector(scrapes, storage_path=storage_path(settings), queues=QUEUES),
            QueueCollector(scrapes, queues=QUEUES),
        ],
    )
    return registry, scrapes


def install_metrics(app: FastAPI, settings: Settings) -> None:
    """Add the request metrics middleware (call last: outermost, so refused and failed
    requests count too) and ``GET /metrics`` (not in the OpenAPI schema; it reads the
    registry the lifespan puts in ``app.state.metrics_registry``)."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    @app.get("/metrics", include_in_schema=False, response_model=None)
    def metrics(request: Request) -> Response:
        check_metrics_access(
            request.headers.get("authorization"),
            server_mode=settings.auth_required,
            token=token,
        )
        body, headers = exposition(request.app.state.metrics_registry)
        return Response(body, headers=headers)

    app.add_middleware(MetricsMiddleware)
