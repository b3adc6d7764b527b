"""Text the database cannot store is rejected at the boundary (422), for every field.

PostgreSQL text cannot hold NUL, and a lone surrogate (U+D800-U+DFFF, which JSON's
``\\ud800`` escape produces) cannot be encoded to UTF-8; both used to fail deep inside a
request as a 500. Other C0 control characters are storable but never meaningful in a
name, formula, e-mail address or file name, so they are refused too (TAB, LF and CR
are allowed: they occur in pasted structure files).

One validator, :func:`unstorable_character`, applied in two places:

- :class:`TextGuardMiddleware` (pure ASGI, so event streams are untouched) checks the
  decoded path, every query parameter name and value, header values and, for JSON bodies,
  every object key and string value. The body is buffered (its size is already bounded
  by ``MaxBodySizeMiddleware``, which must run outside this one) and replayed unchanged.
- :func:`reject_unstorable_form` (an app-wide dependency) checks the field names, text
  values and file names of a form after FastAPI has parsed it, so uploads are not
  parsed twice.

Rejections use the shape of FastAPI's validation errors and name the character's code
point, never the value (which could be a password).

Example:
    >>> unstorable_character("Fe2O3"), unstorable_character("Fe\\x00O")
    (None, 'U+0000')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, params
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matdiscover.api.responses import send_error

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
ERROR_TYPE = "unstorable_character"

Location = list[str | int]


def unstorable_character(text: str) -> str | None:
    """The code point (``"U+0000"``) of the first character of ``text`` that is refused:
    NUL, a lone surrogate or a C0 control character other than TAB, LF and CR; else None.
    """
    found = _UNSTORABLE.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def issue(loc: Location, code_point: str) -> dict[str, Any]:
    """One entry of a 422 ``detail`` list."""
    return {
        "loc": loc,
        "msg": f"the text contains a control character or lone surrogate ({code_point}) "
        "that cannot be stored",
        "type": ERROR_TYPE,
    }


def _walk_json(value: Any, loc: Location) -> Iterator[tuple[Location, str]]:
    """(location, text) of every object key and string value, iteratively (no recursion
    limit on deeply nested bodies)."""
    stack: list[tuple[Location, Any]] = [(loc, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                yield where, key
                stack.append(([*where, key], child))
        elif isinstance(item, list):
            stack.extend(([*where, i], child) for i, child in enumerate(item))


def _first_problem(texts: Iterator[tuple[Location, str]]) -> dict[str, Any] | None:
    for loc, text in texts:
        if (code_point := unstorable_character(text)) is not None:
            return issue(loc, code_point)
    return None


def _request_texts(scope: Scope) -> Iterator[tuple[Location, str]]:
    yield ["path"], scope.get("path", "")
    # decoded like Starlette's QueryParams (invalid UTF-8 becomes U+FFFD, not an error)
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        yield ["query"], name
        yield ["query", name], value
    for name, value in scope.get("headers") or []:
        yield ["header", name.decode("latin-1")], value.decode("latin-1")


def _is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


class TextGuardMiddleware:
    """Answer 422 to a request whose path, query, headers or JSON body hold text that
    :func:`unstorable_character` refuses; pass everything else through unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _first_problem(_request_texts(scope))
        if problem is None and _is_json(dict(scope.get("headers") or []).get(b"content-type", b"")):
            body, receive = await _buffer(receive)
            try:
                document = json.loads(body) if body else None
            except (ValueError, RecursionError):
                document = None  # FastAPI answers malformed JSON itself
            problem = _first_problem(_walk_json(document, ["body"]))
        if problem is not None:
            await send_error(send, 422, [problem])
            return
        await self.app(scope, receive, send)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body; return it and a ``receive`` that replays it first."""
    chunks: list[bytes] = []
    pending: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending.append(message)  # a disconnect: replay it after the body
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    pending.insert(0, {"type": "http.request", "body": body, "more_body": False})

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return body, replay


async def reject_unstorable_form(request: Request) -> None:
    """App-wide dependency: refuse a form (multipart or URL-encoded) whose field names, text
    values or file names hold refused characters. Only routes that read a form are
    checked; FastAPI parsed it before the dependencies run, so this reuses it."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None or not isinstance(body_field.field_info, params.Form):
        return  # File is a Form too
    form = await request.form()

    def texts() -> Iterator[tuple[Location, str]]:
        for name, value in form.multi_items():
            yield ["body"], name
            if isinstance(value, UploadFile):
                yield ["body", name, "filename"], value.filename or ""
            else:
                yield ["body", name], value

    problem = _first_problem(texts())
    if problem is not None:
        raise RequestValidationError([problem])
