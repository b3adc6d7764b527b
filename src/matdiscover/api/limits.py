"""ASGI middleware that rejects request bodies above the configured size (413)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matdiscover.api.responses import send_error


class BodyTooLarge(Exception):
    pass


class MaxBodySizeMiddleware:
    """Reject requests whose body exceeds ``max_bytes``, declared or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_other_bytes: int | None = None) -> None:
        self.app = app
        self.max_upload_bytes = max_bytes
        # bodies that are not file uploads (JSON, forms) get a tighter limit
        self.max_other_bytes = min(max_other_bytes or max_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        is_upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if is_upload else self.max_other_bytes
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await self._reject(send, limit)
                return
        received = 0
        started = False
        exceeded = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                if exceeded and not started:
                    # FastAPI turns an error while reading a form or JSON body into a 400;
                    # the reason is the size, so the answer is the 413 (the app's is dropped)
                    started = replaced = True
                    await self._reject(send, limit)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send, limit)

    async def _reject(self, send: Send, limit: int) -> None:
        size = f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
        await send_error(send, 413, f"request body exceeds the limit of {size}")
