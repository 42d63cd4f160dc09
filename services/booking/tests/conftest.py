from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from frontdesk_booking.bootstrap import MIGRATIONS
from frontdesk_booking.config import Settings
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.testing import Clock

from .harness import Harness


@pytest.fixture
async def harness(endpoints) -> AsyncIterator[Harness]:
    """A fresh, migrated booking database of its own (dropped with the test session)."""
    settings = Settings(
        **{
            **endpoints.service_settings("booking"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_booking_{uuid.uuid4().hex[:8]}",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    try:
        yield Harness(session_factory(engine), Clock(datetime(2026, 3, 20, 8, 0, tzinfo=UTC)))
    finally:
        await engine.dispose()
