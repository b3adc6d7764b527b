"""The one place where domain errors become HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from matdiscover.errors import (
    Conflict,
    DatabaseUnavailable,
    Forbidden,
    InputTooLarge,
    InvalidInput,
    InvalidStructure,
    MatDiscoverError,
    NotFound,
    ParseTimeout,
    QuotaExceeded,
    RateLimited,
    Unauthenticated,
)

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[MatDiscoverError], int]] = [
    (NotFound, 404),
    (InputTooLarge, 413),
    (InvalidStructure, 422),
    (ParseTimeout, 422),
    (InvalidInput, 400),
    (Conflict, 409),
    (DatabaseUnavailable, 503),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (QuotaExceeded, 402),
    (RateLimited, 429),
]


def headers_for(exc: MatDiscoverError) -> dict[str, str] | None:
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return None


def status_for(exc: MatDiscoverError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 500


def _form_limit_exceeded(exc: StarletteHTTPException) -> bool:
    """Whether Starlette's 400 reports a multipart form over a count or size limit
    (``Too many files``/``fields``, ``Part``/``Field exceeded maximum size``)."""
    cause = exc.__context__
    return (
        exc.status_code == 400
        and isinstance(cause, MultiPartException)
        and (cause.message.startswith("Too many") or "exceeded maximum size" in cause.message)
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MatDiscoverError)
    async def _domain_error(request: Request, exc: MatDiscoverError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            logger.error(
                "%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc
            )
        return JSONResponse({"detail": exc.message}, status_code=status, headers=headers_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes each rejected value ("input"), which can be a password or
        # a token; say where and why only
        issues = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": issues}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _form_limit_exceeded(exc):  # the documented answer to a too large upload
            return JSONResponse({"detail": exc.detail}, status_code=413)
        return await http_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal server error"}, status_code=500)
