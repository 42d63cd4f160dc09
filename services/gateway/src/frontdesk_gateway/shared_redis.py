"""Redis as a bounded, waited-for resource (ARCHITECTURE.md, "Decided in turn 2").

Redis holds presence, typing, rate limits, ended sessions and socket routing, never
messages. Its pool is bounded and a caller past its size waits for a connection (up to a
timeout) instead of failing at once, as the default pool did past 100 connections and
took the sockets of a burst down with it.

When Redis does not answer, `RedisWatch` keeps callers away from it for a short pause, so
thousands of sockets do not each wait out a timeout; meanwhile presence and typing pause,
rate limits count in memory, and revocations are read from PostgreSQL. A metric says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from prometheus_client import Counter, Gauge
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from .config import GatewaySettings

log = logging.getLogger(__name__)
T = TypeVar("T")

REDIS_UNAVAILABLE = Gauge(
    "frontdesk_gateway_redis_unavailable",
    "1 while Redis does not answer: presence and typing pause, rate limits count in memory.",
)
REDIS_FAILURES = Counter("frontdesk_gateway_redis_failures_total", "Redis calls that got no answer.")


class RedisAway(RedisConnectionError):
    """Redis failed a moment ago; not asked again until the pause is over."""


def bounded_redis(settings: GatewaySettings) -> Redis:
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout_seconds,
        socket_connect_timeout=settings.redis_timeout_seconds,
        socket_timeout=settings.redis_timeout_seconds,
    )
    return Redis(connection_pool=pool)


class RedisWatch:
    """Whether Redis answers, as the last call found; probes it while it does not."""

    def __init__(
        self, redis: Redis, pause_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._redis = redis
        self._pause = pause_seconds
        self._clock = clock
        self._away_until = 0.0
        self._away = False
        self._probe: asyncio.Task[None] | None = None
        self._recovered: list[Callable[[], None]] = []
        REDIS_UNAVAILABLE.set(0)

    @property
    def away(self) -> bool:
        return self._away

    def on_recovery(self, callback: Callable[[], None]) -> None:
        self._recovered.append(callback)

    async def call(self, request: Callable[[], Awaitable[T]]) -> T:
        """Run a Redis request; raises RedisError (RedisAway during a pause) if not answered."""
        if self._away and self._clock() < self._away_until:
            raise RedisAway("Redis did not answer a moment ago")
        try:
            result = await request()
        except RedisError:
            self.failed()
            raise
        self.answered()
        return result

    def failed(self) -> None:
        REDIS_FAILURES.inc()
        self._away_until = self._clock() + self._pause
        if not self._away:
            self._away = True
            REDIS_UNAVAILABLE.set(1)
            log.warning("Redis does not answer: presence and typing pause, rate limits count in memory")
            self._probe = asyncio.get_running_loop().create_task(self._until_back(), name="redis-probe")

    def answered(self) -> None:
        if self._away:
            self._away = False
            REDIS_UNAVAILABLE.set(0)
            log.warning("Redis answers again")
            for callback in self._recovered:
                callback()

    async def _until_back(self) -> None:
        while self._away:
            await asyncio.sleep(self._pause)
            with contextlib.suppress(RedisError, OSError):
                await self._redis.ping()
                self.answered()

    async def stop(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
