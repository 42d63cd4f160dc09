"""The sockets this gateway instance holds, indexed by user and by shop staff.

A gateway holds thousands of mostly idle sockets, so an idle one costs only its own small
object: its outgoing queue and writer task exist only while it has frames to send. The
queue is bounded, so one slow phone never holds up delivery to everyone else: when it is
full the socket is closed (1013) and the device resumes from its last seq on reconnect.

A frame is serialized once (`Frame`) and the same text is queued to every socket that
gets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from typing import Any
from uuid import UUID, uuid4

import orjson
from fastapi import WebSocket
from prometheus_client import Counter, Gauge

from ..identity.tokens import Principal

log = logging.getLogger(__name__)

SOCKETS = Gauge("frontdesk_gateway_sockets", "Open WebSocket connections on this instance.")
FRAMES_OUT = Counter("frontdesk_gateway_frames_sent_total", "Frames pushed to sockets.", ["type"])
SLOW_CLOSED = Counter(
    "frontdesk_gateway_slow_sockets_closed_total", "Sockets closed because they fell behind."
)
TOO_SLOW = 1013


class Frame:
    """One outgoing frame, serialized once however many sockets it goes to."""

    __slots__ = ("_sent", "kind", "text")

    def __init__(self, body: dict[str, Any]) -> None:
        self.kind: str = body.get("type", "unknown")
        self.text = orjson.dumps(body, default=str).decode()
        self._sent = FRAMES_OUT.labels(self.kind)

    def counted(self) -> None:
        self._sent.inc()


class Connection:
    __slots__ = (
        "_caught",
        "_closing",
        "_given",
        "_gone",
        "_held",
        "_limit",
        "_queue",
        "_writer",
        "id",
        "principal",
        "websocket",
    )

    def __init__(self, websocket: WebSocket, principal: Principal, queue_size: int) -> None:
        self.id = uuid4()
        self.websocket = websocket
        self.principal = principal
        self._limit = queue_size
        self._queue: deque[Frame | None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None
        # Per conversation, so the device gets every message once and in order: the seqs
        # this socket gave (one unbroken range [first, newest]); while it catches up, the
        # device's last seq and the live frames held back; the newest seq the catch-up gave.
        self._given: dict[UUID, list[int]] | None = None
        self._held: dict[UUID, tuple[int, list[tuple[int, Frame]]]] | None = None
        self._caught: dict[UUID, int] | None = None
        self._gone = False

    def push(self, frame: Frame | dict[str, Any]) -> None:
        if self._gone:
            return
        if isinstance(frame, dict):
            frame = Frame(frame)
        if self._queue is None:
            self._queue = deque()
        if len(self._queue) >= self._limit:
            self._fell_behind()
            return
        self._queue.append(frame)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    def push_message(self, conversation_id: UUID, seq: int, frame: Frame) -> None:
        """A live message: held back while the conversation catches up, else delivered."""
        held = self._held.get(conversation_id) if self._held else None
        if held is not None:
            held[1].append((seq, frame))
        else:
            self.deliver(conversation_id, seq, frame)

    def deliver(self, conversation_id: UUID, seq: int, frame: Frame | dict[str, Any]) -> None:
        """Push a live message unless this socket already has it (Kafka may repeat one)."""
        if self._given is None:
            self._given = {}
        given = self._given.get(conversation_id)
        if given is None:
            self._given[conversation_id] = [seq, seq]
        elif seq > given[1]:
            given[1] = seq
        else:
            return
        self.push(frame)

    def hold(self, conversation_id: UUID, last_seq: int) -> None:
        """The device has everything up to last_seq; hold live messages while it catches up."""
        if self._held is None:
            self._held = {}
        self._held[conversation_id] = (last_seq, [])

    def catch_up(self, conversation_id: UUID, seq: int, frame: Frame | dict[str, Any]) -> None:
        """Push a message the device missed (in seq order) unless this socket gave it live
        already: a live message can arrive between `ready` and the device's `sync`."""
        held = self._held.get(conversation_id) if self._held else None
        given = self._given.get(conversation_id) if self._given else None
        if held is None or seq <= held[0] or (given is not None and given[0] <= seq <= given[1]):
            return
        self.push(frame)
        if self._caught is None:
            self._caught = {}
        self._caught[conversation_id] = seq

    def release(self, conversation_id: UUID) -> None:
        """The catch-up is over: what it gave joins what was given live, then the held
        live messages follow in order."""
        if not self._held or conversation_id not in self._held:
            return
        device_last, held = self._held.pop(conversation_id)
        caught = self._caught.pop(conversation_id, device_last) if self._caught else device_last
        if self._given is None:
            self._given = {}
        # The device has everything up to `top` now: a live message at or below it that a
        # lagging fan-out brings later (held meanwhile, or still on its way) is not given again.
        top = max(device_last, caught)
        given = self._given.get(conversation_id)
        if given is None:
            self._given[conversation_id] = [device_last + 1, top]
        elif caught >= given[0] - 1:  # no hole between the catch-up and the live messages
            given[0], given[1] = min(given[0], device_last + 1), max(given[1], top)
        for seq, frame in sorted(held, key=lambda item: item[0]):
            self.deliver(conversation_id, seq, frame)

    async def close(self) -> None:
        """Send what is queued (for up to 5 s), then stop."""
        if self._writer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self._writer), 5)
        self._stop_writing()

    def end(self, code: int, error: dict[str, Any]) -> None:
        """Tell the device why (the error frame goes out after what is queued), then close."""
        self.push(error)
        self._closing = asyncio.get_running_loop().create_task(self._end(code, str(error.get("code", ""))))

    async def _end(self, code: int, reason: str) -> None:
        await self.close()
        await self._close(code, reason)

    def _fell_behind(self) -> None:
        SLOW_CLOSED.inc()
        log.warning("socket %s fell behind; closing it", self.id)
        self._stop_writing()
        self._closing = asyncio.get_running_loop().create_task(
            self._close(TOO_SLOW, "too slow; reconnect and resume")
        )

    def _stop_writing(self) -> None:
        self._gone = True
        self._queue = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None

    async def _write(self) -> None:
        try:
            while self._queue:
                frame = self._queue.popleft()
                await self.websocket.send_text(frame.text)  # type: ignore[union-attr]
                frame.counted()  # type: ignore[union-attr]
        except Exception:
            self._gone = True  # the device is gone; its receive loop ends the session
        finally:
            self._writer = None
            self._queue = None  # drained (or the device is gone): an idle socket keeps none

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code, reason)


class Connections:
    def __init__(self) -> None:
        self._by_user: dict[UUID, set[Connection]] = defaultdict(set)
        self._staff_by_shop: dict[UUID, set[Connection]] = defaultdict(set)
        self._count = 0

    def add(self, connection: Connection) -> None:
        principal = connection.principal
        self._by_user[principal.user_id].add(connection)
        if principal.is_staff:
            self._staff_by_shop[principal.shop_id].add(connection)
        self._count += 1
        SOCKETS.inc()

    def remove(self, connection: Connection) -> None:
        principal = connection.principal
        members = self._by_user.get(principal.user_id)
        if members is None or connection not in members:
            return  # removed already: every way out of a session removes it
        _discard(self._by_user, principal.user_id, connection)
        _discard(self._staff_by_shop, principal.shop_id, connection)
        self._count -= 1
        SOCKETS.dec()

    def of_user(self, user_id: UUID) -> set[Connection]:
        return set(self._by_user.get(user_id, ()))

    def of_shop_staff(self, shop_id: UUID) -> set[Connection]:
        return set(self._staff_by_shop.get(shop_id, ()))

    def all(self) -> list[Connection]:
        return [c for members in self._by_user.values() for c in members]

    def __len__(self) -> int:
        return self._count


def _discard(index: dict[UUID, set[Connection]], key: UUID, connection: Connection) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(connection)
        if not members:
            del index[key]
