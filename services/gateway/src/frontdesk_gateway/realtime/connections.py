"""The sockets this gateway instance holds, indexed by user and by shop staff.

Each socket gets its own bounded send queue and writer task, so one slow phone never
holds up delivery to everyone else: when its queue is full the socket is closed
(1013) and the device resumes from its last seq when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any
from uuid import UUID, uuid4

from fastapi import WebSocket
from prometheus_client import Counter, Gauge

from ..identity.tokens import Principal

log = logging.getLogger(__name__)

SOCKETS = Gauge("frontdesk_gateway_sockets", "Open WebSocket connections on this instance.")
FRAMES_OUT = Counter("frontdesk_gateway_frames_sent_total", "Frames pushed to sockets.", ["type"])
SLOW_CLOSED = Counter(
    "frontdesk_gateway_slow_sockets_closed_total", "Sockets closed because they fell behind."
)


class Connection:
    def __init__(self, websocket: WebSocket, principal: Principal, queue_size: int) -> None:
        self.id = uuid4()
        self.websocket = websocket
        self.principal = principal
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(queue_size)
        # Per conversation: the newest seq this socket was given, and frames held back while
        # the device catches up, so it gets every message once and in order.
        self._last_seq: dict[UUID, int] = {}
        self._held: dict[UUID, list[tuple[int, dict[str, Any]]]] = {}
        self._writer = asyncio.create_task(self._write(), name=f"socket-writer:{self.id}")

    def push(self, frame: dict[str, Any]) -> None:
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            SLOW_CLOSED.inc()
            log.warning("socket %s fell behind; closing it", self.id)
            self._writer.cancel()
            self._closing = asyncio.create_task(self._close(1013, "too slow; reconnect and resume"))

    def push_message(self, conversation_id: UUID, seq: int, frame: dict[str, Any]) -> None:
        """A live message: held back while the conversation catches up, else delivered."""
        held = self._held.get(conversation_id)
        if held is not None:
            held.append((seq, frame))
        else:
            self.deliver(conversation_id, seq, frame)

    def deliver(self, conversation_id: UUID, seq: int, frame: dict[str, Any]) -> None:
        """Push a message unless this socket already has it."""
        if seq > self._last_seq.get(conversation_id, 0):
            self._last_seq[conversation_id] = seq
            self.push(frame)

    def hold(self, conversation_id: UUID, last_seq: int) -> None:
        """The device has everything up to last_seq; hold live messages while it catches up."""
        self._last_seq[conversation_id] = last_seq
        self._held[conversation_id] = []

    def release(self, conversation_id: UUID) -> None:
        for seq, frame in sorted(self._held.pop(conversation_id, []), key=lambda held: held[0]):
            self.deliver(conversation_id, seq, frame)

    async def close(self) -> None:
        """Send what is queued, then stop the writer."""
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._writer, 5)

    def end(self, code: int, error: dict[str, Any]) -> None:
        """Tell the device why (the error frame goes out after what is queued), then close."""
        self.push(error)
        self._closing = asyncio.create_task(self._end(code, str(error.get("code", ""))))

    async def _end(self, code: int, reason: str) -> None:
        await self.close()
        await self._close(code, reason)

    async def _write(self) -> None:
        while (frame := await self._queue.get()) is not None:
            try:
                await self.websocket.send_json(frame)
                FRAMES_OUT.labels(frame.get("type", "unknown")).inc()
            except Exception:
                return

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code, reason)


class Connections:
    def __init__(self) -> None:
        self._by_user: dict[UUID, set[Connection]] = defaultdict(set)
        self._staff_by_shop: dict[UUID, set[Connection]] = defaultdict(set)

    def add(self, connection: Connection) -> None:
        principal = connection.principal
        self._by_user[principal.user_id].add(connection)
        if principal.is_staff:
            self._staff_by_shop[principal.shop_id].add(connection)
        SOCKETS.inc()

    def remove(self, connection: Connection) -> None:
        principal = connection.principal
        _discard(self._by_user, principal.user_id, connection)
        _discard(self._staff_by_shop, principal.shop_id, connection)
        SOCKETS.dec()

    def of_user(self, user_id: UUID) -> set[Connection]:
        return set(self._by_user.get(user_id, ()))

    def of_shop_staff(self, shop_id: UUID) -> set[Connection]:
        return set(self._staff_by_shop.get(shop_id, ()))

    def all(self) -> list[Connection]:
        return [c for members in self._by_user.values() for c in members]

    def __len__(self) -> int:
        return sum(len(c) for c in self._by_user.values())


def _discard(index: dict[UUID, set[Connection]], key: UUID, connection: Connection) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(connection)
        if not members:
            del index[key]
