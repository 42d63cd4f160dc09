"""Typing indicators, presence and ended sessions: short-lived, never stored, shared
through Redis.

Typing goes through a Redis pub/sub channel every gateway instance listens to. Presence
is a sorted set of live connections per user (scored by expiry, refreshed while the
socket is open, so a crashed instance's sockets age out) plus the status a staff member
chose (online or busy); a change is announced on the same channel. When an account's
sessions end (signed out everywhere, disabled, removed) every instance hears it there and
closes the account's sockets (4401).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_contracts.messaging_shop import StaffStatusChanged
from redis.asyncio import Redis

from ..identity.tokens import Principal
from .connections import Connection, Connections

log = logging.getLogger(__name__)

CHANNEL = "frontdesk:signals"
PRESENCE_TTL = 60
REFRESH_EVERY = 20
TYPING_EVERY = 2.0
UNAUTHORIZED = 4401
Status = Literal["online", "busy", "offline"]


class Signals:
    def __init__(
        self,
        redis: Redis,
        connections: Connections,
        publish: Callable[[Envelope], Awaitable[None]],
        namespace: str = "",
    ) -> None:
        self._redis = redis
        self._publish_event = publish
        self._connections = connections
        self._channel = f"{namespace}{CHANNEL}"
        self._prefix = f"{namespace}presence"
        self._typing_sent: dict[tuple[UUID, UUID], float] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._channel)
        self._tasks = [
            asyncio.create_task(self._listen(pubsub), name="signals"),
            asyncio.create_task(self._refresh(), name="presence-refresh"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- typing ----------------------------------------------------------------------

    async def typing(self, caller: Principal, conversation_id: UUID, customer_id: UUID) -> None:
        key = (caller.user_id, conversation_id)
        now = time.monotonic()
        if now - self._typing_sent.get(key, 0) < TYPING_EVERY:
            return
        self._typing_sent[key] = now
        await self._publish(
            {
                "kind": "typing",
                "shop_id": caller.shop_id,
                "customer_id": customer_id,
                "conversation_id": conversation_id,
                "user_id": caller.user_id,
                "role": caller.role,
            }
        )

    # -- presence --------------------------------------------------------------------

    async def connected(self, connection: Connection) -> None:
        before = await self.status_of(connection.principal.user_id)
        await self._touch(connection)
        if connection.principal.is_staff:
            await self._redis.sadd(
                f"{self._prefix}:staff:{connection.principal.shop_id}", str(connection.principal.user_id)
            )
        await self._announce_if_changed(connection.principal, before)

    async def disconnected(self, connection: Connection) -> None:
        before = await self.status_of(connection.principal.user_id)
        await self._redis.zrem(f"{self._prefix}:conn:{connection.principal.user_id}", str(connection.id))
        await self._announce_if_changed(connection.principal, before)

    async def set_status(self, caller: Principal, status: Literal["online", "busy"]) -> Status:
        before = await self.status_of(caller.user_id)
        await self._redis.set(f"{self._prefix}:status:{caller.user_id}", status)
        await self._redis.sadd(f"{self._prefix}:staff:{caller.shop_id}", str(caller.user_id))
        await self._announce_if_changed(caller, before)
        return await self.status_of(caller.user_id)

    async def status_of(self, user_id: UUID) -> Status:
        live = await self._redis.zcount(f"{self._prefix}:conn:{user_id}", time.time(), "+inf")
        if not live:
            return "offline"
        chosen = await self._redis.get(f"{self._prefix}:status:{user_id}")
        return "busy" if chosen == b"busy" else "online"

    async def shop_staff(self, shop_id: UUID) -> list[dict[str, Any]]:
        members = await self._redis.smembers(f"{self._prefix}:staff:{shop_id}")
        ids = sorted(UUID(m.decode() if isinstance(m, bytes) else m) for m in members)
        return [{"user_id": str(i), "status": await self.status_of(i)} for i in ids]

    async def _touch(self, connection: Connection) -> None:
        key = f"{self._prefix}:conn:{connection.principal.user_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {str(connection.id): time.time() + PRESENCE_TTL})
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.expire(key, PRESENCE_TTL * 2)
            await pipe.execute()

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_EVERY)
            try:
                for connection in self._connections.all():
                    await self._touch(connection)
            except Exception:
                log.exception("presence refresh failed")

    async def _announce_if_changed(self, who: Principal, before: Status) -> None:
        after = await self.status_of(who.user_id)
        if after != before and who.is_staff:
            await self._publish(
                {"kind": "presence", "shop_id": who.shop_id, "user_id": who.user_id, "status": after}
            )
            # Messaging's round-robin only gives conversations to staff who are online.
            changed = StaffStatusChanged(
                shop_id=who.shop_id, staff_id=who.user_id, status=after, changed_at=datetime.now(UTC)
            )
            await self._publish_event(
                Envelope(
                    type="presence.staff.status_changed.v1",
                    source="frontdesk.gateway",
                    tenant_id=who.shop_id,
                    aggregate_id=str(who.user_id),
                    data=changed.model_dump(mode="json"),
                )
            )

    # -- ended sessions --------------------------------------------------------------

    async def sessions_ended(self, user_id: UUID, shop_id: UUID, at: datetime) -> None:
        """Every instance closes the account's sockets opened with a token from before `at`."""
        await self._publish(
            {"kind": "sessions_ended", "shop_id": shop_id, "user_id": user_id, "at": at.timestamp()}
        )

    def _close_ended(self, signal: dict[str, Any]) -> None:
        ended = datetime.fromtimestamp(signal["at"], UTC)
        for connection in self._connections.of_user(UUID(signal["user_id"])):
            if connection.principal.issued_at < ended:
                connection.end(
                    UNAUTHORIZED,
                    {
                        "type": "error",
                        "code": "token_revoked",
                        "message": "This session was ended; sign in again.",
                    },
                )

    # -- delivery --------------------------------------------------------------------

    async def _publish(self, signal: dict[str, Any]) -> None:
        await self._redis.publish(self._channel, json.dumps(signal, default=str))

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("signals listener failed; resubscribing")
                await asyncio.sleep(1)

    def _deliver(self, signal: dict[str, Any]) -> None:
        if signal["kind"] == "sessions_ended":
            self._close_ended(signal)
            return
        shop_id = UUID(signal["shop_id"])
        staff = self._connections.of_shop_staff(shop_id)
        if signal["kind"] == "presence":
            for connection in staff:
                connection.push(
                    {"type": "presence", "user_id": signal["user_id"], "status": signal["status"]}
                )
            return
        customer = {
            c
            for c in self._connections.of_user(UUID(signal["customer_id"]))
            if c.principal.shop_id == shop_id
        }
        sender = UUID(signal["user_id"])
        frame = {
            "type": "typing",
            "conversation_id": signal["conversation_id"],
            "user_id": signal["user_id"],
            "role": signal["role"],
        }
        for connection in staff | customer:
            if connection.principal.user_id != sender:
                connection.push(frame)
