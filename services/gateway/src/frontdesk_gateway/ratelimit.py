"""Fixed-window rate limits in Redis, shared by every gateway instance."""

from __future__ import annotations

import time

from frontdesk_platform.errors import ApiError
from redis.asyncio import Redis


class RateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def check(self, name: str, key: str, limit: int, window_seconds: int) -> None:
        window = int(time.time() // window_seconds)
        redis_key = f"ratelimit:{name}:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, window_seconds * 2)
            count, _ = await pipe.execute()
        if count > limit:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests; at most {limit} per {window_seconds}s.",
                {"retry_after_seconds": window_seconds},
            )
