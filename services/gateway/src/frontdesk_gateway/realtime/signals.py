"""Typing indicators, presence and ended sessions: short-lived, never stored, shared
through Redis.

Typing goes through a Redis pub/sub channel every gateway instance listens to. Presence
(presence.py) is kept in Redis too; a staff member's change of status is announced on
the same channel. While Redis is away typing and presence pause, nothing else: a typing
frame is dropped and a presence request answers 503 presence_unavailable. When an account's
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
from frontdesk_platform.errors import ApiError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..identity.tokens import Principal
from ..shared_redis import RedisWatch
from .connections import Connection, Connections
from .presence import Presence, Status

log = logging.getLogger(__name__)

CHANNEL = "frontdesk:signals"
TYPING_EVERY = 2.0
TYPISTS_KEPT = 10_000
UNAUTHORIZED = 4401


class PresenceUnavailable(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "presence_unavailable", "Presence is paused for a moment; try again.")


class Signals:
    def __init__(
        self,
        redis: Redis,
        watch: RedisWatch,
        connections: Connections,
        publish: Callable[[Envelope], Awaitable[None]],
        namespace: str = "",
    ) -> None:
        self._redis = redis
        self._watch = watch
        self._publish_event = publish
        self._connections = connections
        self._channel = f"{namespace}{CHANNEL}"
        self.presence = Presence(redis, watch, connections, self._announce, f"{namespace}presence")
        self._typing_sent: dict[tuple[UUID, UUID], float] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._channel)
        self._tasks = [asyncio.create_task(self._listen(pubsub), name="signals")]
        self.presence.start()

    async def stop(self) -> None:
        await self.presence.stop()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- typing ----------------------------------------------------------------------

    async def typing(self, caller: Principal, conversation_id: UUID, customer_id: UUID) -> None:
        """Forwarded at most every TYPING_EVERY; dropped while Redis is away (typing pauses)."""
        key = (caller.user_id, conversation_id)
        now = time.monotonic()
        if now - self._typing_sent.get(key, 0) < TYPING_EVERY:
            return
        self._typing_sent[key] = now
        if len(self._typing_sent) > TYPISTS_KEPT:
            self._typing_sent = {k: t for k, t in self._typing_sent.items() if now - t < TYPING_EVERY}
        with contextlib.suppress(RedisError):
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

    # -- presence (see presence.py) ----------------------------------------------------

    def connected(self, connection: Connection) -> None:
        self.presence.connected(connection)

    def disconnected(self, connection: Connection) -> None:
        self.presence.disconnected(connection)

    async def set_status(self, caller: Principal, status: Literal["online", "busy"]) -> Status:
        """Raises PresenceUnavailable while Redis is away."""
        try:
            return await self.presence.choose(caller, status)
        except RedisError as exc:
            raise PresenceUnavailable() from exc

    async def shop_staff(self, shop_id: UUID) -> list[dict[str, Any]]:
        try:
            return await self.presence.shop_staff(shop_id)
        except RedisError as exc:
            raise PresenceUnavailable() from exc

    async def _announce(self, who: Principal, status: Status) -> None:
        await self._publish(
            {"kind": "presence", "shop_id": who.shop_id, "user_id": who.user_id, "status": status}
        )
        # Messaging's round-robin only gives conversations to staff who are online.
        changed = StaffStatusChanged(
            shop_id=who.shop_id, staff_id=who.user_id, status=status, changed_at=datetime.now(UTC)
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
        message = json.dumps(signal, default=str)
        await self._watch.call(lambda: self._redis.publish(self._channel, message))

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except RedisError:
                self._watch.failed()  # said once by the watch; resubscribed when Redis is back
                await asyncio.sleep(1)
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
