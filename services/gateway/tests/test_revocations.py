"""Ended sessions stay ended, on the real Redis and PostgreSQL: when Redis answers, when it
lost its data, and when it does not answer at all."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from frontdesk_gateway.bootstrap import MIGRATIONS
from frontdesk_gateway.config import GatewaySettings
from frontdesk_gateway.identity import repository
from frontdesk_gateway.identity.revocations import Revocations
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.unit_of_work import UnitOfWork
from redis.asyncio import Redis
from sqlalchemy import text

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)
BEFORE, AFTER = NOW - timedelta(minutes=5), NOW + timedelta(seconds=1)


@pytest.fixture(scope="module")
async def unit_of_work(endpoints):
    settings = GatewaySettings(**endpoints.service_settings("gateway-revocations"))
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    yield lambda: UnitOfWork(sessions, lambda t: t)
    await engine.dispose()


@pytest.fixture
async def redis(endpoints):
    client = Redis.from_url(endpoints.redis_url)
    yield client
    await client.aclose()


async def an_account(unit_of_work) -> tuple:
    shop, account = uuid4(), uuid4()
    async with unit_of_work() as uow:
        await repository.add_shop(uow.session, shop, "Golden Paws", "Asia/Shanghai", BEFORE)
        await repository.add_account(
            uow.session,
            account_id=account,
            shop_id=shop,
            role="staff",
            login="groomer",
            name="G",
            password_hash="x",
            at=BEFORE,
        )
        await uow.commit()
    return shop, account


async def end_sessions(unit_of_work, revocations: Revocations, account) -> None:
    async with unit_of_work() as uow:
        await repository.end_sessions(uow.session, account, NOW)
        await revocations.revoke(account, NOW)
        await uow.commit()


async def test_tokens_from_before_the_end_are_refused_and_later_ones_accepted(unit_of_work, redis):
    revocations = Revocations(redis, unit_of_work, 900, f"test-{uuid4().hex}:")
    _, account = await an_account(unit_of_work)
    _, other = await an_account(unit_of_work)
    assert not await revocations.is_revoked(account, BEFORE)
    await end_sessions(unit_of_work, revocations, account)
    assert await revocations.is_revoked(account, BEFORE)
    assert not await revocations.is_revoked(account, AFTER)
    assert not await revocations.is_revoked(other, BEFORE)


async def test_a_redis_that_lost_its_data_learns_the_revocations_again(unit_of_work, redis):
    namespace = f"test-{uuid4().hex}:"
    revocations = Revocations(redis, unit_of_work, 900, namespace)
    _, account = await an_account(unit_of_work)
    await end_sessions(unit_of_work, revocations, account)
    assert await revocations.is_revoked(account, BEFORE)
    await redis.delete(f"{namespace}revoked:{account}", f"{namespace}revoked-seeded")  # a restart
    assert await revocations.is_revoked(account, BEFORE)
    assert await redis.exists(f"{namespace}revoked:{account}")


async def test_without_redis_the_database_decides(unit_of_work, redis):
    revocations = Revocations(redis, unit_of_work, 900, f"test-{uuid4().hex}:")
    _, ended = await an_account(unit_of_work)
    _, disabled = await an_account(unit_of_work)
    _, fine = await an_account(unit_of_work)
    await end_sessions(unit_of_work, revocations, ended)
    async with unit_of_work() as uow:
        await uow.session.execute(
            text("UPDATE accounts SET status = 'disabled' WHERE id = :a"), {"a": disabled}
        )
        await uow.commit()

    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    blind = Revocations(gone, unit_of_work, 900)
    assert await blind.is_revoked(ended, BEFORE)
    assert not await blind.is_revoked(ended, AFTER)
    assert await blind.is_revoked(disabled, AFTER)
    assert await blind.is_revoked(uuid4(), AFTER)  # no such account
    assert not await blind.is_revoked(fine, BEFORE)
    await gone.aclose()


async def until(check, seconds: float = 2.0) -> None:
    async with asyncio.timeout(seconds):
        while not await check():
            await asyncio.sleep(0.01)


async def following(revocations: Revocations) -> bool:
    return revocations.following


async def test_every_following_instance_refuses_a_revocation_made_on_another_from_memory(
    unit_of_work, redis, endpoints
):
    namespace = f"test-{uuid4().hex}:"
    other_redis = Redis.from_url(endpoints.redis_url)
    here = Revocations(redis, unit_of_work, 900, namespace, reconcile_seconds=3600)
    there = Revocations(other_redis, unit_of_work, 900, namespace, reconcile_seconds=3600)
    _, account = await an_account(unit_of_work)
    _, other = await an_account(unit_of_work)
    await here.start()
    await there.start()
    try:
        await until(lambda: following(here))
        await until(lambda: following(there))
        await end_sessions(unit_of_work, here, account)
        # Only the checks that ask Redis per token read this key: the memory still knows.
        await redis.delete(f"{namespace}revoked:{account}")
        assert await here.is_revoked(account, BEFORE)
        await until(lambda: there.is_revoked(account, BEFORE))
        assert not await there.is_revoked(account, AFTER)
        assert not await there.is_revoked(other, BEFORE)
    finally:
        await here.stop()
        await there.stop()
        await other_redis.aclose()


async def test_an_instance_starting_after_redis_lost_its_data_learns_the_revocations_again(
    unit_of_work, redis
):
    namespace = f"test-{uuid4().hex}:"
    _, account = await an_account(unit_of_work)
    await end_sessions(unit_of_work, Revocations(redis, unit_of_work, 900, namespace), account)
    await redis.delete(
        *(f"{namespace}{key}" for key in (f"revoked:{account}", "revoked-all", "revoked-seeded"))
    )
    started = Revocations(redis, unit_of_work, 900, namespace)
    await started.start()
    try:
        await until(lambda: following(started))
        await redis.delete(f"{namespace}revoked:{account}")  # answered from memory
        assert await started.is_revoked(account, BEFORE)
        assert not await started.is_revoked(account, AFTER)
    finally:
        await started.stop()


async def test_an_instance_that_cannot_follow_asks_the_database(unit_of_work, redis):
    _, account = await an_account(unit_of_work)
    await end_sessions(unit_of_work, Revocations(redis, unit_of_work, 900, f"test-{uuid4().hex}:"), account)
    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    blind = Revocations(gone, unit_of_work, 900)
    await blind.start()
    try:
        await asyncio.sleep(0.2)
        assert not blind.following
        assert await blind.is_revoked(account, BEFORE)
        assert not await blind.is_revoked(account, AFTER)
    finally:
        await blind.stop()
        await gone.aclose()
