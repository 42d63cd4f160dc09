"""How a socket says who it is, with its access token kept out of the URL (URLs end up in
access logs and proxies): in its first frame, or in the Sec-WebSocket-Protocol header.
The `?access_token=` query and an Authorization header still work for older clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import WebSocket
from starlette.types import Scope

from ..identity.tokens import InvalidToken, Principal

UNAUTHORIZED = 4401
PROTOCOL = "frontdesk.v1"  # what the gateway answers: browsers need one protocol they offered
TOKEN_PROTOCOL = "access_token."  # offered as "access_token.<token>"; never answered


def error_frame(code: str, message: str, ref: Any = None) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "ref": ref}


@dataclass(frozen=True)
class SignedIn:
    """The caller of a socket, and the `sync` its auth frame carried (if any): a resuming
    device names its last seqs with the sign-in, so they are held before any live message
    can reach it."""

    principal: Principal
    resume: dict[str, Any] | None = None


async def authenticate(
    websocket: WebSocket,
    verify: Callable[[str], Awaitable[Principal]],
    wait_seconds: float,
) -> SignedIn | None:
    """Accept the socket and return its caller; None once it is closed with 4401 for want of
    a valid token."""
    offered: list[str] = websocket.scope.get("subprotocols", [])
    token = _from_query(websocket.scope) or _bearer(websocket) or _from_protocols(offered)
    await websocket.accept(subprotocol=PROTOCOL if PROTOCOL in offered else None)
    resume = None
    if not token:
        token, resume = await _first_frame(websocket, wait_seconds)
    if not token:
        await _refuse(
            websocket,
            "unauthorized",
            f'Send {{"type": "auth", "access_token": "..."}} as the first frame within {wait_seconds:g}s.',
        )
        return None
    try:
        return SignedIn(await verify(token), resume)
    except InvalidToken as exc:
        await _refuse(websocket, exc.code, exc.message)
        return None


def forget_handshake(websocket: WebSocket) -> None:
    """Once the caller is known the handshake's headers and query are never read again;
    the scope would keep them (a token among them) for the socket's whole life."""
    websocket.scope["headers"] = ()
    websocket.scope["query_string"] = b""
    websocket.scope["subprotocols"] = ()
    websocket.__dict__.pop("_headers", None)  # Starlette's cached copy


def _from_query(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return next((value for name, value in parse_qsl(query) if name == "access_token"), "")


def _bearer(websocket: WebSocket) -> str:
    return websocket.headers.get("authorization", "").removeprefix("Bearer ")


def _from_protocols(offered: list[str]) -> str:
    return next((p.removeprefix(TOKEN_PROTOCOL) for p in offered if p.startswith(TOKEN_PROTOCOL)), "")


async def _first_frame(websocket: WebSocket, wait_seconds: float) -> tuple[str, dict[str, Any] | None]:
    """The token of an {"type": "auth"} first frame ("" for anything else or nothing in time),
    and its `sync` as a sync frame when it carries one."""
    try:
        async with asyncio.timeout(wait_seconds):
            message = await websocket.receive()
        frame = json.loads(message.get("text") or message.get("bytes") or "")
    except (TimeoutError, ValueError, UnicodeDecodeError):
        return "", None
    if not isinstance(frame, dict) or frame.get("type") != "auth":
        return "", None
    token = frame.get("access_token")
    resume = None
    if frame.get("sync") is not None:
        resume = {"type": "sync", "id": frame.get("id"), "conversations": frame["sync"]}
    return (token if isinstance(token, str) else ""), resume


async def _refuse(websocket: WebSocket, code: str, message: str) -> None:
    with contextlib.suppress(Exception):  # the device may be gone already
        await websocket.send_json(error_frame(code, message))
        await websocket.close(UNAUTHORIZED, code)
