"""Sign-in protection that slows guessing without locking the real user out.

- Per account (shop + login, known or not): after a few wrong passwords each further
  attempt must wait a delay that doubles with every failure, up to a cap. An attempt
  inside the delay is answered 429 with `retry_after_seconds` and never checked, so
  guessing slows to one try per delay; the owner, with the right password, is in as
  soon as the delay has passed. A success forgets the failures.
- Per client IP: too many wrong passwords from one address (a spray over many logins)
  and it is refused for the rest of the window (IP as uvicorn sees it: X-Forwarded-For
  is believed only from FORWARDED_ALLOW_IPS, by default 127.0.0.1).
- Global: at most so many password checks per second across all gateway instances,
  so a distributed spray cannot take every core.

All counters live in Redis, shared by every instance. Without Redis sign-in answers
503 rather than letting unlimited guesses through; signed-in devices carry on.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from frontdesk_platform.errors import ApiError
from redis.asyncio import Redis
from redis.exceptions import RedisError

# Atomically: refuse if the account's delay has not passed, else count this attempt as a
# failure until it succeeds and start the delay the next attempt waits. Counting before
# the check means a burst of parallel guesses is slowed like a series of them.
_ATTEMPT = """
local now = tonumber(ARGV[1])
local next_at = tonumber(redis.call('HGET', KEYS[1], 'next_at') or '0')
if now < next_at then return tostring(next_at - now) end
local attempts = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local free, first, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local delay = 0
if attempts >= free then delay = math.min(first * 2 ^ math.min(attempts - free, 32), cap) end
redis.call('HSET', KEYS[1], 'next_at', now + delay)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return '0'
"""


@dataclass(frozen=True)
class SignInLimits:
    free_failures: int = 5
    first_delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    failures_per_ip: int = 20
    ip_window_seconds: int = 600
    checks_per_second: int = 40
    forget_after_seconds: int = 3600


class SignInThrottle:
    def __init__(
        self,
        redis: Redis,
        limits: SignInLimits,
        namespace: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._limits = limits
        self._prefix = f"{namespace}sign-in"
        self._clock = clock
        self._attempt = redis.register_script(_ATTEMPT)

    async def admit(self, shop_id: UUID, login: str, ip: str) -> None:
        """Count an attempt, or raise 429 if it must not be checked now. Every admitted
        attempt counts as a failure until `succeeded` says otherwise."""
        limits, now = self._limits, self._clock()
        try:
            ip_attempts, ip_left = await self._count(self._ip(ip), limits.ip_window_seconds)
            if ip_attempts > limits.failures_per_ip:
                raise _limited("Too many failed sign-ins from this address.", ip_left)
            checks, _ = await self._count(f"{self._prefix}:checks:{int(now)}", 2)
            if checks > limits.checks_per_second:
                raise _limited("Too many sign-ins right now.", 1)
            wait = float(
                await self._attempt(
                    keys=[self._account(shop_id, login)],
                    args=[
                        now,
                        limits.free_failures,
                        limits.first_delay_seconds,
                        limits.max_delay_seconds,
                        limits.forget_after_seconds,
                    ],
                )
            )
        except RedisError as exc:
            raise _unavailable() from exc
        if wait > 0:
            await self._uncount(ip)
            raise ApiError(
                429,
                "sign_in_delayed",
                "Several wrong passwords were tried for this login; wait before trying again.",
                {"retry_after_seconds": math.ceil(wait)},
            )

    async def succeeded(self, shop_id: UUID, login: str, ip: str) -> None:
        """The right password: forget the account's failures and this one from the address."""
        try:
            await self._redis.delete(self._account(shop_id, login))
        except RedisError as exc:
            raise _unavailable() from exc
        await self._uncount(ip)

    async def _count(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Add one to a counter that lives `window_seconds` from its first count."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds, nx=True)
            pipe.ttl(key)
            count, _, ttl = await pipe.execute()
        return int(count), max(int(ttl), 1)

    async def _uncount(self, ip: str) -> None:
        with contextlib.suppress(RedisError):  # else the window ends on its own
            await self._redis.decr(self._ip(ip))

    def _account(self, shop_id: UUID, login: str) -> str:
        return f"{self._prefix}:account:{shop_id}:{login}"

    def _ip(self, ip: str) -> str:
        return f"{self._prefix}:ip:{ip}"


def _limited(message: str, retry_after: int) -> ApiError:
    return ApiError(429, "rate_limited", message, {"retry_after_seconds": retry_after})


def _unavailable() -> ApiError:
    return ApiError(
        503,
        "sign_in_unavailable",
        "Signing in is paused for a moment; try again.",
        {"retry_after_seconds": 5},
    )
