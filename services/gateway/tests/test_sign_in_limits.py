"""Sign-in limits on the real Redis, with a clock moved by hand: guessing slows, the owner
still gets in, a spray from one address stops, and parallel guesses count like serial ones."""

import asyncio
from uuid import uuid4

import pytest
from frontdesk_gateway.identity.sign_in_limits import SignInLimits, SignInThrottle
from frontdesk_platform.errors import ApiError
from redis.asyncio import Redis

pytestmark = pytest.mark.integration


class Seconds:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis(endpoints):
    client = Redis.from_url(endpoints.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def clock():
    return Seconds()


@pytest.fixture
def throttle(redis, clock):
    return SignInThrottle(redis, SignInLimits(), namespace=f"test-{uuid4().hex}:", clock=clock)


async def refused(attempt) -> ApiError:
    with pytest.raises(ApiError) as error:
        await attempt
    assert error.value.status == 429
    return error.value


async def test_each_wrong_password_past_five_doubles_the_wait_up_to_thirty_seconds(throttle, clock):
    shop = uuid4()
    waits, wrong = [], 0
    while wrong < 10:  # an attacker who always waits exactly as long as told
        try:
            await throttle.admit(shop, "owner@shop.test", "10.0.0.1")
            wrong += 1  # (and the password was wrong)
        except ApiError as error:
            assert error.code == "sign_in_delayed"
            waits.append(error.details["retry_after_seconds"])
            clock.now += error.details["retry_after_seconds"]
    assert waits == [1, 2, 4, 8, 16]

    # The owner, from anywhere, waits at most the stated delay, then is checked.
    error = await refused(throttle.admit(shop, "owner@shop.test", "192.0.2.7"))
    assert error.details["retry_after_seconds"] == 30
    clock.now += error.details["retry_after_seconds"]
    await throttle.admit(shop, "owner@shop.test", "192.0.2.7")
    await throttle.succeeded(shop, "owner@shop.test", "192.0.2.7")
    # Success forgot the failures: the next attempts are checked at once.
    for _ in range(4):
        await throttle.admit(shop, "owner@shop.test", "192.0.2.7")


async def test_other_accounts_are_not_slowed_by_guesses_at_one(throttle):
    shop = uuid4()
    for _ in range(6):
        try:
            await throttle.admit(shop, "victim", "10.0.0.2")
        except ApiError:
            pass
    await throttle.admit(shop, "someone-else", "10.0.0.3")


async def test_parallel_guesses_are_slowed_like_serial_ones(throttle):
    shop = uuid4()
    results = await asyncio.gather(
        *(throttle.admit(shop, "owner", f"10.1.0.{n}") for n in range(30)), return_exceptions=True
    )
    assert sum(r is None for r in results) == 5  # five free attempts, then the delay holds


async def test_a_spray_from_one_address_is_refused_after_twenty_failures(throttle):
    shop = uuid4()
    for n in range(20):
        await throttle.admit(shop, f"user{n}", "10.9.9.9")
    error = await refused(throttle.admit(shop, "user20", "10.9.9.9"))
    assert error.code == "rate_limited" and 0 < error.details["retry_after_seconds"] <= 600
    await throttle.admit(shop, "user20", "10.9.9.10")  # another address is fine


async def test_right_passwords_do_not_use_up_the_address(throttle, clock):
    shop = uuid4()
    for n in range(40):  # a shop's staff behind one router, all signing in fine
        clock.now += 0.5
        await throttle.admit(shop, f"staff{n}", "10.5.5.5")
        await throttle.succeeded(shop, f"staff{n}", "10.5.5.5")
    await throttle.admit(shop, "one-more", "10.5.5.5")


async def test_password_checks_per_second_are_capped_across_instances(redis, clock):
    namespace = f"test-{uuid4().hex}:"
    limits = SignInLimits(checks_per_second=10, failures_per_ip=1000)
    instances = [SignInThrottle(redis, limits, namespace, clock) for _ in range(2)]
    shop = uuid4()
    for n in range(10):
        await instances[n % 2].admit(shop, f"user{n}", f"10.2.0.{n}")
    error = await refused(instances[0].admit(shop, "user10", "10.2.0.10"))
    assert error.code == "rate_limited"
    clock.now += 1
    await instances[1].admit(shop, "user10", "10.2.0.10")


async def test_without_redis_sign_in_is_paused_not_unlimited(clock):
    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    with pytest.raises(ApiError) as error:
        await SignInThrottle(gone, SignInLimits(), clock=clock).admit(uuid4(), "owner", "10.0.0.1")
    assert (error.value.status, error.value.code) == (503, "sign_in_unavailable")
    await gone.aclose()
