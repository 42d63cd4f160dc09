from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
from frontdesk_platform import schema
from frontdesk_platform.database import create_engine, session_factory
from frontdesk_platform.kafka import KafkaConnection
from frontdesk_platform.settings import ServiceSettings
from frontdesk_platform.signing import CommandSigner
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration


@dataclass
class Database:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dsn(self) -> str:
        return self.settings.asyncpg_dsn()

    @property
    def signer(self) -> CommandSigner:
        return CommandSigner(self.settings.command_signing_keys())


@pytest.fixture
async def database(endpoints) -> AsyncIterator[Database]:
    """A fresh database holding the platform tables, dropped afterwards."""
    settings = ServiceSettings(
        service_name="platform-test",
        database_host=endpoints.database_host,
        database_port=endpoints.database_port,
        database_user=endpoints.database_user,
        database_password=endpoints.database_password,
        database_name=f"platform_{uuid.uuid4().hex[:12]}",
        kafka_bootstrap=endpoints.kafka_bootstrap,
        kafka_namespace=f"{endpoints.namespace}{uuid.uuid4().hex[:6]}.",
        log_json=False,
        environment="development",
    )
    admin = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
    await admin.execute(f'CREATE DATABASE "{settings.database_name}"')
    conn = await asyncpg.connect(settings.asyncpg_dsn())
    await conn.execute(schema.V1)
    await conn.close()
    engine = create_engine(settings)
    try:
        yield Database(settings, engine, session_factory(engine))
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE "{settings.database_name}" WITH (FORCE)')
        await admin.close()


async def read_topic(kafka: KafkaConnection, topic: str, count: int, timeout: float = 30) -> list:
    """Every record of a topic from the start, waiting until `count` have arrived."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, **kafka, auto_offset_reset="earliest")
    await consumer.start()
    records: list = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return records


@pytest.fixture
async def producer(endpoints):
    from frontdesk_platform.kafka import create_producer

    started = create_producer({"bootstrap_servers": endpoints.kafka_bootstrap})
    await started.start()
    yield started
    await started.stop()


async def generic_plan(conn: asyncpg.Connection, name: str, types: str, statement: str, args: str) -> str:
    """EXPLAIN ANALYZE of the plan PostgreSQL settles on for a prepared statement after a
    few runs (the generic one, blind to the parameters' values), as one text."""
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    await conn.execute(f"PREPARE {name}({types}) AS {statement}")
    plan = await conn.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) EXECUTE {name}({args})")
    return "\n".join(row[0] for row in plan)
