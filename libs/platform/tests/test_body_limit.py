"""Request bodies past a route's limit are refused before they are read, whatever the
client declares: what a service built with build_app does with an oversized body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from frontdesk_platform.app import build_app
from pydantic import BaseModel

LIMIT = 1000
FILE_LIMIT = 10_000
CHUNK = 500
HUGE = 100 * 1024 * 1024


class Note(BaseModel):
    text: str


files = APIRouter()


@files.post("/files")
async def take_file(request: Request) -> dict[str, int]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return {"size": size}


def service() -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    app = build_app(
        service="test",
        title="t",
        description="",
        lifespan=lifespan,
        health_checks={},
        service_token="t" * 40,
        max_body_bytes=LIMIT,
    )

    @app.post("/notes")
    async def take_note(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    app.include_router(files, max_body_size=FILE_LIMIT)
    return app


class Client:
    """Sends a body chunk by chunk, as a socket would hand it over, and counts what the
    app pulled."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.pulled = 0

    async def post(self, path: str, body: bytes | int, declared: int | None) -> tuple[int, dict[str, Any]]:
        """body: the bytes, or how many bytes of filler to stream."""
        headers = [(b"content-type", b"application/json")]
        if declared is not None:
            headers.append((b"content-length", str(declared).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        total = len(body) if isinstance(body, bytes) else body
        self.pulled = 0

        async def receive() -> dict[str, Any]:
            start, end = self.pulled, min(self.pulled + CHUNK, total)
            self.pulled = end
            chunk = body[start:end] if isinstance(body, bytes) else b"x" * (end - start)
            return {"type": "http.request", "body": chunk, "more_body": end < total}

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        answer = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, json.loads(answer)


TOO_LARGE = "payload_too_large"


def note(length: int) -> bytes:
    return json.dumps({"text": "x" * length}).encode()


async def test_a_body_within_the_limit_is_read() -> None:
    body = note(900)
    status, answer = await Client(service()).post("/notes", body, declared=len(body))
    assert (status, answer) == (200, {"length": 900})


async def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read() -> None:
    client = Client(service())
    status, answer = await client.post("/notes", HUGE, declared=HUGE)
    assert (status, answer["error"]["code"]) == (413, TOO_LARGE)
    assert client.pulled == 0


async def test_a_body_without_a_length_is_refused_once_it_passes_the_limit() -> None:
    client = Client(service())
    status, answer = await client.post("/notes", HUGE, declared=None)
    assert (status, answer["error"]["code"]) == (413, TOO_LARGE)
    assert client.pulled <= LIMIT + CHUNK


async def test_a_body_longer_than_its_declared_length_is_refused_once_it_passes_the_limit() -> None:
    client = Client(service())
    status, answer = await client.post("/notes", HUGE, declared=100)
    assert (status, answer["error"]["code"]) == (413, TOO_LARGE)
    assert client.pulled <= LIMIT + CHUNK


async def test_a_route_that_takes_files_has_its_own_larger_limit() -> None:
    client = Client(service())
    status, answer = await client.post("/files", b"x" * 5000, declared=5000)
    assert (status, answer) == (200, {"size": 5000})
    status, answer = await client.post("/files", HUGE, declared=None)
    assert (status, answer["error"]["code"]) == (413, TOO_LARGE)
    assert client.pulled <= FILE_LIMIT + CHUNK


async def test_an_oversized_body_to_an_unknown_route_gets_the_api_error_shape() -> None:
    status, answer = await Client(service()).post("/nowhere", HUGE, declared=HUGE)
    assert (status, answer["error"]["code"]) == (413, TOO_LARGE)
