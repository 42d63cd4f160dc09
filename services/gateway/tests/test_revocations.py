"""Ended sessions stay ended, on the real Redis and PostgreSQL: when Redis answers, when it
lost its data, and when it does not answer at all."""

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
