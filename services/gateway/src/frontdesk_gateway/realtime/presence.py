"""Who is online, in Redis, for every gateway instance.

Each user has a sorted set of their live sockets, scored by when the entry expires; a
socket's entry is refreshed while it is open, so the entries of a crashed instance, or
a removal lost while Redis was away, age out on their own. A staff member's chosen status
(online or busy) is kept beside it.

Sockets come and go in bursts (a reconnect storm is thousands at once), so one writer
task puts every change since its last write into one pipelined round trip; a lone socket
waits for nothing. The same writer refreshes every open socket, so a refresh can never
bring back a socket that was removed after it. Nothing here is on a socket's connect
path, and a Redis that does not answer only pauses presence: the writer drops what it
could not write and rewrites every open socket once Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..identity.tokens import Principal
from ..shared_redis import RedisWatch
from .connections import Connection, Connections

log = logging.getLogger(__name__)

PRESENCE_TTL = 60
REFRESH_EVERY = 20
REFRESH_BATCH = 1000
Status = Literal["online", "busy", "offline"]
Change = tuple[Literal["+", "-"], Connection]


class Presence:
    def __init__(
        self,
        redis: Redis,
        watch: RedisWatch,
        connections: Connections,
        announce: Callable[[Principal, Status], Awaitable[None]],
        prefix: str,
    ) -> None:
        self._redis = redis
        self._watch = watch
        self._connections = connections
        self._announce = announce
        self._prefix = prefix
        self._changes: list[Change] = []
        self._wake = asyncio.Event()
        self._refresh_due = False
        self._writer: asyncio.Task[None] | None = None
        self._timer: asyncio.Task[None] | None = None
        watch.on_recovery(self.refresh_soon)

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="presence-writer")
        self._timer = asyncio.create_task(self._refresh_timer(), name="presence-refresh")

    async def stop(self) -> None:
        for task in (self._writer, self._timer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def connected(self, connection: Connection) -> None:
        self._changes.append(("+", connection))
        self._wake.set()

    def disconnected(self, connection: Connection) -> None:
        self._changes.append(("-", connection))
        self._wake.set()

    def refresh_soon(self) -> None:
        self._refresh_due = True
        self._wake.set()

    # -- reads and the chosen status (callers handle RedisError) -----------------------

    async def status_of(self, user_id: UUID) -> Status:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zcount(self._sockets(user_id), time.time(), "+inf")
            pipe.get(self._chosen(user_id))
            live, chosen = await self._watch.call(pipe.execute)
        return _status(live, chosen)

    async def shop_staff(self, shop_id: UUID) -> list[dict[str, Any]]:
        members = await self._watch.call(lambda: self._redis.smembers(f"{self._prefix}:staff:{shop_id}"))
        ids = sorted(UUID(m.decode() if isinstance(m, bytes) else m) for m in members)
        return [{"user_id": str(i), "status": await self.status_of(i)} for i in ids]

    async def choose(self, caller: Principal, status: Literal["online", "busy"]) -> Status:
        before = await self.status_of(caller.user_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(self._chosen(caller.user_id), status)
            pipe.sadd(f"{self._prefix}:staff:{caller.shop_id}", str(caller.user_id))
            await self._watch.call(pipe.execute)
        after = await self.status_of(caller.user_id)
        if after != before:
            await self._announce(caller, after)
        return after

    # -- the writer ----------------------------------------------------------------------

    async def _refresh_timer(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_EVERY)
            self.refresh_soon()

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            changes, self._changes = self._changes, []
            try:
                if self._refresh_due:
                    self._refresh_due = False
                    await self._refresh()
                if changes:
                    await self._write(changes)
            except RedisError:
                pass  # the watch says Redis is away; open sockets are rewritten when it is back
            except Exception:
                log.exception("presence write failed")

    async def _write(self, changes: list[Change]) -> None:
        """One round trip for a burst: each change with the user's live count before and
        after it, so a staff member's first socket and last close are announced."""
        now = time.time()
        async with self._redis.pipeline(transaction=False) as pipe:
            for change, connection in changes:
                principal, key = connection.principal, self._sockets(connection.principal.user_id)
                pipe.zcount(key, now, "+inf")
                if change == "+":
                    pipe.zadd(key, {str(connection.id): now + PRESENCE_TTL})
                    pipe.zremrangebyscore(key, "-inf", now)
                    pipe.expire(key, PRESENCE_TTL * 2)
                    if principal.is_staff:
                        pipe.sadd(f"{self._prefix}:staff:{principal.shop_id}", str(principal.user_id))
                else:
                    pipe.zrem(key, str(connection.id))
                pipe.zcount(key, now, "+inf")
                pipe.get(self._chosen(principal.user_id))
            answers = iter(await self._watch.call(pipe.execute))
        announcements = []
        for change, connection in changes:
            principal = connection.principal
            before = next(answers)
            for _ in range((4 if principal.is_staff else 3) if change == "+" else 1):
                next(answers)
            after, chosen = next(answers), next(answers)
            was, now_is = _status(before, chosen), _status(after, chosen)
            if principal.is_staff and was != now_is:
                announcements.append(self._announce(principal, now_is))
        for failed in await asyncio.gather(*announcements, return_exceptions=True):
            if isinstance(failed, BaseException) and not isinstance(failed, RedisError):
                log.warning("could not announce a presence change: %r", failed)

    async def _refresh(self) -> None:
        """Push back the expiry of every open socket's entry, a thousand per round trip."""
        open_sockets = self._connections.all()
        for start in range(0, len(open_sockets), REFRESH_BATCH):
            expires = time.time() + PRESENCE_TTL
            async with self._redis.pipeline(transaction=False) as pipe:
                for connection in open_sockets[start : start + REFRESH_BATCH]:
                    principal, key = connection.principal, self._sockets(connection.principal.user_id)
                    pipe.zadd(key, {str(connection.id): expires})
                    pipe.expire(key, PRESENCE_TTL * 2)
                    if principal.is_staff:
                        pipe.sadd(f"{self._prefix}:staff:{principal.shop_id}", str(principal.user_id))
                await self._watch.call(pipe.execute)

    def _sockets(self, user_id: UUID) -> str:
        return f"{self._prefix}:conn:{user_id}"

    def _chosen(self, user_id: UUID) -> str:
        return f"{self._prefix}:status:{user_id}"


def _status(live: int, chosen: bytes | str | None) -> Status:
    if not live:
        return "offline"
    return "busy" if chosen in (b"busy", "busy") else "online"
