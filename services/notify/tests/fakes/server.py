"""Runs a fake provider (an ASGI app) on 127.0.0.1 with hypercorn, which speaks HTTP/1.1
and, over TLS, HTTP/2 (negotiated by ALPN, as with the real APNs)."""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.responses import JSONResponse, Response

from .tls import Certificate


@asynccontextmanager
async def serving(app: Any, tls: Certificate | None = None) -> AsyncIterator[str]:
    """Serves `app` on a free port; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{listener.detach()}"]  # hypercorn owns the socket from here
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = 0.5
    if tls:
        config.certfile, config.keyfile = str(tls.certfile), str(tls.keyfile)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        stop.set()
        await task


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    async def response(self) -> Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.body is None or isinstance(self.body, str | bytes):
            return Response(self.body, status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


class Script:
    """Answers a fake was told to give, in order, after it has checked the request."""

    def __init__(self) -> None:
        self._answers: deque[Answer] = deque()

    def then(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        self._answers.append(Answer(status, body, headers or {}, delay))

    def take(self) -> Answer | None:
        return self._answers.popleft() if self._answers else None
