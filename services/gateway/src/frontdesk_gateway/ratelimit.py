"""Fixed-window rate limits, counted in memory and reconciled through Redis.

A check never waits for Redis (a send is not held up by a round trip, and still works
while Redis is away): it compares this instance's count in the window, plus what the
other instances had counted when it last heard from Redis, with the limit. Every
`sync_seconds` one pipeline adds this instance's new counts to the shared totals in
Redis and reads back what everyone counted. So across instances a caller gets at most
a sync's worth past the limit; alone, or while Redis is away, each instance holds it on
its own counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from frontdesk_platform.errors import ApiError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .shared_redis import RedisWatch


@dataclass
class _Window:
    ends_at: float
    mine: int = 0  # admitted by this instance
    unsent: int = 0  # of those, not yet added to Redis
    others: int = 0  # counted by other instances, as of the last reconciliation


class RateLimiter:
    def __init__(
        self,
        redis: Redis,
        watch: RedisWatch,
        sync_seconds: float = 0.25,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._watch = watch
        self._sync_seconds = sync_seconds
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._unsent: set[str] = set()
        self._syncing: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._syncing = asyncio.create_task(self._sync_loop(), name="rate-limit-sync")

    async def stop(self) -> None:
        if self._syncing is not None:
            self._syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._syncing
        with contextlib.suppress(RedisError):
            await self.sync()

    async def check(self, name: str, key: str, limit: int, window_seconds: int) -> None:
        """Count one, or raise 429 if the caller is past the limit in this window."""
        now = self._clock()
        index = int(now // window_seconds)
        redis_key = f"ratelimit:{name}:{key}:{index}"
        window = self._windows.get(redis_key)
        if window is None:
            window = self._windows[redis_key] = _Window(ends_at=(index + 1) * window_seconds)
        if window.mine + window.others >= limit:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests; at most {limit} per {window_seconds}s.",
                {"retry_after_seconds": max(1, int(window.ends_at - now + 0.999))},
            )
        window.mine += 1
        window.unsent += 1
        self._unsent.add(redis_key)

    async def sync(self) -> None:
        """Add this instance's new counts to Redis and learn everyone's; forget old windows."""
        now = self._clock()
        self._windows = {k: w for k, w in self._windows.items() if w.ends_at > now}
        batch = [(k, self._windows[k]) for k in self._unsent if k in self._windows]
        self._unsent = set()
        if not batch:
            return
        sent = [(key, window, window.unsent, window.mine) for key, window in batch]
        for _, window in batch:
            window.unsent = 0
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, window, count, _ in sent:
                    pipe.incrby(key, count)
                    pipe.expireat(key, int(window.ends_at) + 1)
                answers = await self._watch.call(pipe.execute)
        except RedisError:
            for key, window, count, _ in sent:  # counted again at the next sync
                window.unsent += count
                self._unsent.add(key)
            raise
        for (_, window, _, mine), total in zip(sent, answers[::2], strict=True):
            window.others = max(int(total) - mine, 0)

    async def _sync_loop(self) -> None:
        while True:
            await asyncio.sleep(self._sync_seconds)
            with contextlib.suppress(RedisError):
                await self.sync()
