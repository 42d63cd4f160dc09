"""A throwaway ai-assist database, migrated like the service's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from frontdesk_ai_assist.bootstrap import MIGRATIONS
from frontdesk_ai_assist.config import Settings
from frontdesk_platform.database import create_engine, migrate, session_factory
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@asynccontextmanager
async def assistant_database(endpoints) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    name = f"{endpoints.namespace.rstrip('.')}_ai_assist_{uuid.uuid4().hex[:8]}"
    settings = Settings(**{**endpoints.service_settings("ai-assist"), "database_name": name})
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()
