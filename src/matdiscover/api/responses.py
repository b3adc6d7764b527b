"""The API's error body, declared once, and the ``responses=`` entries that document it.

Every error the API returns is JSON ``{"detail": ...}`` (see :mod:`matdiscover.api.errors`
and the request-body limit in :mod:`matdiscover.api.limits`): a message, or a list of
problems for request validation errors (422). Routes document the errors they can return
with :func:`error_responses`, so the OpenAPI schema, the generated TypeScript client and
the API fuzz test (``tests/platform/test_api_fuzz.py``) all agree with what is sent::

    @router.get("/jobs/{job_id}", response_model=JobRead, responses=error_responses(404))

    protected = APIRouter(responses=error_responses(401, 403, 429))  # once for many routes
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Send


class ValidationIssue(BaseModel):
    """One problem with a request that does not match the schema (FastAPI's format)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description="Where: e.g. ['query', 'limit'] or ['body', 'k']")
    msg: str
    type: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str | list[ValidationIssue] = Field(
        description="What went wrong: a message, or one entry per invalid request field (422)"
    )


#: What each documented error status means in this API.
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid input (a malformed request body, bad query values or file contents)",
    401: "Not authenticated, or the credentials are invalid or expired",
    402: "The organisation's plan quota is used up",
    403: "Not allowed for your role, or from this address",
    404: "No such object (or not visible to you)",
    409: "Conflicts with the object's current state",
    413: "The request body or a file exceeds a size limit",
    422: "The request does not match the schema, or the input is not valid",
    429: "Too many requests; retry after Retry-After seconds",
    503: "The database is unavailable",
}


#: Headers sent with some errors (documented, not required: a proxy may drop them).
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds to wait before retrying",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting ``statuses`` with the shared :class:`ErrorBody`.

    Merge with route-specific entries (``{**error_responses(404), 200: {...}}``); a later
    entry for the same status overrides, e.g. a 422 whose body differs.

    Example:
        >>> sorted(error_responses(404, 422))
        [404, 422]
        >>> error_responses(404)[404]["model"].__name__
        'ErrorBody'
    """
    unknown = [s for s in statuses if s not in ERROR_DESCRIPTIONS]
    if unknown:
        raise ValueError(f"no description for error status {unknown}; add it to ERROR_DESCRIPTIONS")
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
        if status in ERROR_HEADERS:
            entry["headers"] = ERROR_HEADERS[status]
        out[status] = entry
    return out


async def send_error(send: Send, status: int, detail: Any) -> None:
    """Answer from an ASGI middleware, before any route runs, with the error body
    ``{"detail": detail}`` (a message, or a list of problems)."""
    payload = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
