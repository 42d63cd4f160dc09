"""Request bodies are refused past a size, before any of them is parsed.

Starlette's RequestBodyLimitMiddleware does the counting: a declared Content-Length over
the limit is refused at the first read, and a body without one (chunked) or with a
false one is counted as it streams, so no more than the limit is ever read, whatever a
client sends. A route that takes more says so with FastAPI's `max_body_size` (on the
route, or on `include_router`); the innermost limit wins.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import Message, Receive, Scope, Send

from .errors import TOO_LARGE, error_body

KiB = 1024


def too_large() -> JSONResponse:
    return JSONResponse(error_body("payload_too_large", TOO_LARGE), 413)


def install_body_limit(app: FastAPI, max_bytes: int) -> None:
    """Every route of the app takes at most max_bytes unless it declares its own limit."""
    app.add_middleware(_BodyLimit, max_body_size=max_bytes)


class _BodyLimit(RequestBodyLimitMiddleware):
    """Starlette's limit, one layer, answering in the API's error shape: Starlette answers
    its 413 in plain text (and replaces the app's own answer with it when the declared
    length was over the limit)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_shaped(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and _plain_413(message):
                replaced = True
                await too_large()(scope, receive, send)
            elif not replaced:
                await send(message)

        await super().__call__(scope, receive, send_shaped)


def _plain_413(start: Message) -> bool:
    if start["status"] != 413:
        return False
    content_type = dict(start.get("headers", [])).get(b"content-type", b"")
    return not content_type.startswith(b"application/json")
