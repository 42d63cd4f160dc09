"""Ended sessions: when an account's access tokens stopped being good, for every gateway.

Access tokens are self-contained JWTs, so ending a session early needs a list every
instance reads: Redis holds `revoked:{user_id}` = the moment the account's sessions
ended, for as long as a token issued before it could still be unexpired. A token
issued before that moment is refused.

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

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from frontdesk_platform.unit_of_work import UnitOfWork
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..shared_redis import RedisWatch
from . import repository

log = logging.getLogger(__name__)

# Clocks of gateway instances differ a little; keep a revocation a bit past a token's life.
SKEW = timedelta(seconds=60)


class Revocations:
    def __init__(
        self,
        redis: Redis,
        unit_of_work: Callable[[], UnitOfWork],
        access_token_seconds: int,
        namespace: str = "",
        watch: RedisWatch | None = None,
    ) -> None:
        self._redis = redis
        self._watch = watch
        self._uow = unit_of_work
        self._keep = timedelta(seconds=access_token_seconds) + SKEW
        self._prefix = f"{namespace}revoked"
        self._seeded = f"{namespace}revoked-seeded"

    async def revoke(self, user_id: UUID, at: datetime) -> None:
        """Record that the account's sessions ended at `at`; raises RedisError if not recorded."""
        await self._redis.set(self._key(user_id), at.timestamp(), ex=self._keep)

    async def is_revoked(self, user_id: UUID, issued_at: datetime) -> bool:
        """Whether a token of this account issued at `issued_at` was revoked since."""
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

    async def _seed(self) -> None:
        """Copy the revocations that still matter from PostgreSQL (Redis starts empty)."""
        now = datetime.now(UTC)
        async with self._uow() as uow:
            recent = await repository.sessions_revoked_since(uow.session, now - self._keep)
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id, at in recent:
                left = max(self._keep - (now - at), timedelta(seconds=1))
                pipe.set(self._key(user_id), at.timestamp(), ex=left, nx=True)
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
