"""Engines, database creation and migrations (alembic, run from code)."""

from __future__ import annotations

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from .settings import ServiceSettings


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url(),
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        # No pre-ping: it costs a round trip per transaction; a connection lost with a
        # database restart fails one attempt, and consumers retry.
        pool_recycle=1800,
    )


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's own asyncpg connection, inside its transaction: a hot path's
    statements skip SQLAlchemy (its statement building and greenlet hand-offs cost more
    than the statements themselves)."""
    adapted = (await (await session.connection()).get_raw_connection()).dbapi_connection
    # SQLAlchemy's adapter sends BEGIN with its own first statement; a raw one may come first.
    if adapted._transaction is None:  # type: ignore[union-attr]
        await adapted._start_transaction()  # type: ignore[union-attr]
    connection: asyncpg.Connection = adapted.driver_connection  # type: ignore[union-attr]
    return connection


def session_factory(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


async def ensure_database(settings: ServiceSettings) -> None:
    """Create the service's database if it does not exist yet (safe when racing)."""
    conn = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", settings.database_name)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{settings.database_name}"')
            except asyncpg.DuplicateDatabaseError:
                pass
    finally:
        await conn.close()


async def migrate(settings: ServiceSettings, script_location: str) -> None:
    """Bring the service's database to the newest migration."""
    await ensure_database(settings)
    engine = create_async_engine(settings.database_url())
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, script_location)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, script_location: str) -> None:
    # Two instances starting together must not both run the same migration.
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('frontdesk.migrations'))"))
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def run_alembic_env() -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with the service's `migrate` command")
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()
