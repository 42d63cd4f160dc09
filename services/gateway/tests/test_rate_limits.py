"""Send rate limits: counted in memory (no Redis round trip per message), shared across
instances through the real Redis, and still held while Redis is away."""

from uuid import uuid4

import pytest
from frontdesk_gateway.ratelimit import RateLimiter
from frontdesk_gateway.shared_redis import RedisWatch
from frontdesk_platform.errors import ApiError
from redis.asyncio import Redis
from redis.exceptions import RedisError

pytestmark = pytest.mark.integration
NOW = 1_800_000_000.5


def limiter(redis: Redis) -> RateLimiter:
    return RateLimiter(redis, RedisWatch(redis, 60), clock=lambda: NOW)


async def sends(limiter: RateLimiter, key: str, tries: int, limit: int = 5) -> int:
    admitted = 0
    for _ in range(tries):
        try:
            await limiter.check("send", key, limit, 1)
            admitted += 1
        except ApiError as refused:
            assert (refused.status, refused.code) == (429, "rate_limited")
    return admitted


async def test_two_instances_hold_one_limit_between_them(endpoints):
    redis = Redis.from_url(endpoints.redis_url)
    first, second, key = limiter(redis), limiter(redis), uuid4().hex
    assert await sends(first, key, 3) == 3
    await first.sync()
    assert await sends(second, key, 1) == 1
    await second.sync()  # learns the first instance's 3
    assert await sends(second, key, 5) == 1
    await redis.aclose()


async def test_without_redis_each_instance_still_holds_the_limit():
    redis = Redis(host="127.0.0.1", port=22299, socket_connect_timeout=0.5)  # nothing listens
    alone, key = limiter(redis), uuid4().hex
    assert await sends(alone, key, 8) == 5
    with pytest.raises(RedisError):  # the reconciliation fails; the checks did not
        await alone.sync()
    assert await sends(alone, key, 1) == 0
    await redis.aclose()
