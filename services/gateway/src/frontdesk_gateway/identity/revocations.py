"""Ended sessions: when an account's access tokens stopped being good, for every gateway.

Access tokens are self-contained JWTs, so ending a session early needs a list every
instance reads: Redis holds `revoked:{user_id}` = the moment the account's sessions
ended, for as long as a token issued before it could still be unexpired. A token
issued before that moment is refused.

Every instance keeps the live revocations in memory, so checking a token costs no round
trip: a revocation is written to Redis together with a message on a pub/sub channel every
instance follows (one MULTI: the key, a sorted set of all of them, the message). An
instance subscribes first, then reads the sorted set, so nothing written in between is
missed, and reads it again every `reconcile_seconds`. While it is not subscribed (Redis
away, the subscription dropped) the check asks Redis per token as before, and PostgreSQL
when Redis does not answer. The instance that revokes knows at once; the others within
the message's delivery.

PostgreSQL keeps the same moment (`accounts.sessions_revoked_at`) and the account's
status, so a revocation is never forgotten:
- Redis does not answer → the check reads the account from PostgreSQL instead
  (slower, never wrong).
- Redis lost its data (restarted without persistence) → the `seeded` marker is gone
  with it, and the next check copies the live revocations back from PostgreSQL.
- Redis refuses the write → the revocation fails and the change that asked for it
  is rolled back; the owner is told to try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from frontdesk_platform.unit_of_work import UnitOfWork
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..shared_redis import RedisWatch
from . import repository

log = logging.getLogger(__name__)

# Clocks of gateway instances differ a little; keep a revocation a bit past a token's life.
SKEW = timedelta(seconds=60)
RECONCILE_SECONDS = 30.0


class Revocations:
    def __init__(
        self,
        redis: Redis,
        unit_of_work: Callable[[], UnitOfWork],
        access_token_seconds: int,
        namespace: str = "",
        watch: RedisWatch | None = None,
        reconcile_seconds: float = RECONCILE_SECONDS,
    ) -> None:
        self._redis = redis
        self._watch = watch
        self._uow = unit_of_work
        self._keep = timedelta(seconds=access_token_seconds) + SKEW
        self._prefix = f"{namespace}revoked"
        self._seeded = f"{namespace}revoked-seeded"
        self._all = f"{namespace}revoked-all"
        self._channel = f"{namespace}revoked-news"
        self._reconcile = reconcile_seconds
        self._ended: dict[UUID, datetime] = {}
        self._following = False
        self._follower: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Follow the revocations in memory (until then every check asks Redis)."""
        self._follower = asyncio.get_running_loop().create_task(self._follow(), name="revocations")

    async def stop(self) -> None:
        self._following = False
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower

    @property
    def following(self) -> bool:
        """Whether checks are answered from memory (else each asks Redis)."""
        return self._following

    async def revoke(self, user_id: UUID, at: datetime) -> None:
        """Record that the account's sessions ended at `at`; raises RedisError if not recorded."""
        stamp = at.timestamp()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(user_id), stamp, ex=self._keep)
            pipe.zadd(self._all, {str(user_id): stamp})
            pipe.zremrangebyscore(self._all, "-inf", (at - self._keep).timestamp())
            pipe.expire(self._all, self._keep)
            pipe.publish(self._channel, f"{user_id} {stamp}")
            await pipe.execute()
        self._learn(str(user_id), stamp)

    async def is_revoked(self, user_id: UUID, issued_at: datetime) -> bool:
        """Whether a token of this account issued at `issued_at` was revoked since."""
        if self._following:
            known = self._ended.get(user_id)
            return known is not None and issued_at < known
        try:
            if self._watch is not None:
                ended = await self._watch.call(lambda: self._ended_at(user_id))
            else:
                ended = await self._ended_at(user_id)
        except RedisError:
            if self._watch is None:
                log.warning("Redis did not answer; checking the revocation in PostgreSQL")
            return await self._revoked_in_database(user_id, issued_at)
        return ended is not None and issued_at < ended

    async def _ended_at(self, user_id: UUID) -> datetime | None:
        revoked, seeded = await self._redis.mget(self._key(user_id), self._seeded)
        if seeded is None:
            await self._seed()
            revoked = await self._redis.get(self._key(user_id))
        return datetime.fromtimestamp(float(revoked), UTC) if revoked is not None else None

    async def _follow(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                while True:
                    await self._read_all()
                    self._following = True
                    due = time.monotonic() + self._reconcile
                    while (left := due - time.monotonic()) > 0:
                        news: dict[str, Any] | None = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=left
                        )
                        if news is not None and news["type"] == "message":
                            user_id, stamp = news["data"].decode().split()
                            self._learn(user_id, stamp)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away, the subscription dropped: ask per token
                if self._following:
                    log.warning("revocations no longer followed (%r); asking per token", exc)
            finally:
                self._following = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py
            await asyncio.sleep(1.0)

    async def _read_all(self) -> None:
        """Every live revocation into memory (seeded from PostgreSQL if Redis lost them);
        the ones past a token's life are forgotten."""
        if await self._redis.get(self._seeded) is None:
            await self._seed()
        oldest = (datetime.now(UTC) - self._keep).timestamp()
        live: Any = await self._redis.zrangebyscore(self._all, oldest, "+inf", withscores=True)
        for user_id, stamp in live:
            self._learn(user_id.decode(), stamp)
        self._ended = {user: at for user, at in self._ended.items() if at.timestamp() >= oldest}

    def _learn(self, user_id: str, stamp: float | str) -> None:
        self._ended[UUID(user_id)] = datetime.fromtimestamp(float(stamp), UTC)

    async def _seed(self) -> None:
        """Copy the revocations that still matter from PostgreSQL (Redis starts empty)."""
        now = datetime.now(UTC)
        async with self._uow() as uow:
            recent = await repository.sessions_revoked_since(uow.session, now - self._keep)
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id, at in recent:
                left = max(self._keep - (now - at), timedelta(seconds=1))
                pipe.set(self._key(user_id), at.timestamp(), ex=left, nx=True)
                pipe.zadd(self._all, {str(user_id): at.timestamp()}, nx=True)
            pipe.expire(self._all, self._keep)
            pipe.set(self._seeded, now.timestamp())
            await pipe.execute()
        log.info("revocations seeded from PostgreSQL: %d", len(recent))

    async def _revoked_in_database(self, user_id: UUID, issued_at: datetime) -> bool:
        async with self._uow() as uow:
            account = await repository.get_account(uow.session, user_id)
        if account is None or account["status"] != "active":
            return True
        ended: datetime | None = account["sessions_revoked_at"]
        return ended is not None and issued_at < ended

    def _key(self, user_id: UUID) -> str:
        return f"{self._prefix}:{user_id}"
