"""Drops the messaging read models and rebuilds them by replaying the event store.

`frontdesk-messaging rebuild-projections`. Writers wait on the table locks while it
runs, so the rebuilt tables never miss an event committed meanwhile.
"""

from __future__ import annotations

import logging
import time

from frontdesk_platform.database import create_engine, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.settings import ServiceSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import from_recorded, from_recorded_shop
from . import conversations, shops

log = logging.getLogger(__name__)


async def rebuild(session: AsyncSession, store: EventStore, batch: int = 2000) -> int:
    tables = ", ".join(conversations.TABLES)
    await session.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
    await session.execute(text(f"TRUNCATE {tables}"))
    position, replayed = 0, 0
    while events := await store.read_all(session, position, batch):
        for recorded in events:
            if recorded.stream_id.startswith("shop-"):
                await shops.project(session, from_recorded_shop(recorded))
            else:
                await conversations.project(session, from_recorded(recorded))
        position = events[-1].position
        replayed += len(events)
    return replayed


async def rebuild_command(settings: ServiceSettings) -> None:
    engine = create_engine(settings)
    started = time.perf_counter()
    try:
        async with session_factory(engine)() as session, session.begin():
            replayed = await rebuild(session, EventStore())
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    print(f"rebuilt messaging read models from {replayed} events in {elapsed:.2f}s")
