"""Calls live in Redis, so every gateway instance sees the same call: the two parties'
sockets may be on different instances. A step is applied with WATCH/MULTI on the call's
key, so of two racing steps (two devices accepting, a hang-up against the timeout) one
wins and the other is refused. One live call per conversation: the first invite takes
the conversation's slot (SET NX), which is how glare is settled. Frames for a call go
out on a pub/sub channel every instance listens to; each pushes them to the sockets it
holds."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError, WatchError

from ..realtime.connections import Connection, Connections
from .model import Call, CallRefused, not_found

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "frontdesk:calls"
ENDED_KEPT_SECONDS = 60  # an ended call answers late frames with call_ended for a minute


class CallsUnavailable(CallRefused):
    def __init__(self) -> None:
        super().__init__("calls_unavailable", "Calls are paused for a moment; try again.", 503)


class CallStore:
    def __init__(self, redis: Redis, namespace: str, live_seconds: int) -> None:
        self._redis = redis
        self._prefix = f"{namespace}call"
        self._live_seconds = live_seconds

    def _key(self, call_id: UUID) -> str:
        return f"{self._prefix}:{call_id}"

    def _slot(self, conversation_id: UUID) -> str:
        return f"{self._prefix}-in:{conversation_id}"

    async def create(self, call: Call, ring_seconds: float) -> UUID | None:
        """Store a new ringing call; None if the conversation has a live call already,
        else the call's id. The slot outlives ringing only if the call is answered."""
        try:
            taken = await self._redis.set(
                self._slot(call.conversation_id), str(call.call_id), nx=True, ex=int(ring_seconds) + 5
            )
            if not taken:
                return None
            await self._redis.set(
                self._key(call.call_id), json.dumps(call.to_json(), default=str), ex=self._live_seconds
            )
            if call.booking_id is not None:
                await self._redis.set(
                    self._booking(call.booking_id), str(call.call_id), ex=int(ring_seconds) + 5
                )
        except RedisError as exc:
            raise CallsUnavailable() from exc
        return call.call_id

    def _booking(self, booking_id: UUID) -> str:
        return f"{self._prefix}-of-booking:{booking_id}"

    async def live_view_of(self, booking_id: UUID) -> UUID | None:
        try:
            found = await self._redis.get(self._booking(booking_id))
        except RedisError:
            return None  # its limit ends it
        return UUID(found.decode() if isinstance(found, bytes) else found) if found else None

    async def live_in(self, conversation_id: UUID) -> Call | None:
        try:
            found = await self._redis.get(self._slot(conversation_id))
            return (
                await self.get(UUID(found.decode() if isinstance(found, bytes) else found)) if found else None
            )
        except RedisError as exc:
            raise CallsUnavailable() from exc

    async def get(self, call_id: UUID) -> Call | None:
        try:
            raw = await self._redis.get(self._key(call_id))
        except RedisError as exc:
            raise CallsUnavailable() from exc
        return Call.from_json(json.loads(raw)) if raw else None

    async def step(self, call_id: UUID, change: Callable[[Call], T]) -> tuple[Call, T]:
        """Apply `change` to the stored call atomically and keep the result. `change` may
        raise CallRefused (nothing is stored then)."""
        key = self._key(call_id)
        try:
            for _ in range(20):
                async with self._redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(key)
                        raw = await pipe.get(key)
                        if raw is None:
                            raise not_found()
                        call = Call.from_json(json.loads(raw))
                        result = change(call)
                        pipe.multi()  # type: ignore[no-untyped-call]
                        ttl = ENDED_KEPT_SECONDS if call.state == "ended" else self._live_seconds
                        pipe.set(key, json.dumps(call.to_json(), default=str), ex=ttl)
                        slot = self._slot(call.conversation_id)
                        if call.state == "ended":
                            pipe.delete(slot)
                        elif call.state == "active":
                            pipe.set(slot, str(call.call_id), ex=self._live_seconds)
                        await pipe.execute()
                        return call, result
                    except WatchError:
                        continue
        except RedisError as exc:
            raise CallsUnavailable() from exc
        raise CallsUnavailable()


class CallRouting:
    """Frames to sockets on any instance: to exact sockets, or to every socket of some
    users of a shop (ringing every device), minus some sockets."""

    def __init__(self, redis: Redis, connections: Connections, namespace: str) -> None:
        self._redis = redis
        self._connections = connections
        self._channel = f"{namespace}{CHANNEL}"
        self._task: asyncio.Task[None] | None = None
        # The sockets of this instance that are a party to a call: SDP and ICE go to them.
        self._parties: dict[UUID, Connection] = {}

    def hold(self, connection: Connection) -> None:
        self._parties[connection.id] = connection

    def let_go(self, connection_id: UUID) -> None:
        self._parties.pop(connection_id, None)

    async def start(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._channel)
        self._task = asyncio.create_task(self._listen(pubsub), name="call-routing")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def to_sockets(self, sockets: list[UUID], frame: dict[str, Any]) -> None:
        await self._publish({"sockets": [str(s) for s in sockets], "frame": frame})

    async def to_users(
        self, shop_id: UUID, users: list[UUID], frame: dict[str, Any], but: list[UUID] | None = None
    ) -> None:
        await self._publish(
            {
                "shop_id": str(shop_id),
                "users": [str(u) for u in users],
                "but": [str(s) for s in but or []],
                "frame": frame,
            }
        )

    async def _publish(self, signal: dict[str, Any]) -> None:
        try:
            await self._redis.publish(self._channel, json.dumps(signal, default=str))
        except RedisError as exc:
            raise CallsUnavailable() from exc

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("call routing listener failed; resubscribing", exc_info=True)
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await pubsub.subscribe(self._channel)

    def _deliver(self, signal: dict[str, Any]) -> None:
        frame = signal["frame"]
        if "sockets" in signal:
            for socket in signal["sockets"]:
                connection = self._parties.get(UUID(socket))
                if connection is not None:
                    connection.push(frame)
            return
        shop_id, but = UUID(signal["shop_id"]), {UUID(s) for s in signal["but"]}
        for user in signal["users"]:
            for connection in self._connections.of_user(UUID(user)):
                if connection.principal.shop_id == shop_id and connection.id not in but:
                    connection.push(frame)
