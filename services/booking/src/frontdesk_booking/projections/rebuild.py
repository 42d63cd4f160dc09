"""Drops the booking read models and rebuilds them by replaying the event store.

`frontdesk-booking rebuild-projections`. Every stream is folded into its aggregate and
each aggregate written once, exactly as the live handlers write it, thousands of rows
per statement. Writers wait on the
table locks while it runs. The allocation table is not a read model (it is the guard
against double booking) and is left alone.
"""

from __future__ import annotations

import time
from typing import Any

from frontdesk_platform import shredding
from frontdesk_platform.database import create_engine, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.settings import ServiceSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import STREAM_PREFIXES, aggregate_id, from_recorded
from ..domain.booking import Booking
from ..domain.pets import Pet
from ..domain.shop import Shop
from ..domain.waitlist import WaitlistEntry
from . import bookings, calendar, catalog, customers

TABLES = (*bookings.TABLES, *catalog.TABLES, *customers.TABLES, *calendar.TABLES)
_CHUNK = 5000


async def rebuild(session: AsyncSession, store: EventStore, batch: int = 10_000) -> int:
    tables = ", ".join(TABLES)
    await session.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
    await session.execute(text(f"TRUNCATE {tables}"))
    keys = await shredding.all_keys(session)  # an erased customer's texts open as ""
    aggregates: dict[str, Any] = {}
    history: dict[str, list[Any]] = {}
    position, replayed = 0, 0
    while events := await store.read_all(session, position, batch):
        for recorded in events:
            prefix, key = aggregate_id(recorded.stream_id)
            aggregate = aggregates.get(recorded.stream_id)
            if aggregate is None:
                aggregate = aggregates[recorded.stream_id] = STREAM_PREFIXES[prefix](key)
            event = from_recorded(recorded, keys)
            aggregate.apply(event)
            history.setdefault(recorded.stream_id, []).append(event)
        position = events[-1].position
        replayed += len(events)
    await _write(session, aggregates, history)
    return replayed


async def _write(session: AsyncSession, aggregates: dict[str, Any], history: dict[str, list[Any]]) -> None:
    """Each kind of aggregate in chunks, one statement per chunk sent with every row."""
    shops = [a for a in aggregates.values() if isinstance(a, Shop)]
    booked = [(a, history[s]) for s, a in aggregates.items() if isinstance(a, Booking)]
    entries = [a for a in aggregates.values() if isinstance(a, WaitlistEntry)]
    pets = [a for a in aggregates.values() if isinstance(a, Pet)]
    for start in range(0, max(len(shops), len(booked), len(entries), len(pets)), _CHUNK):
        chunk = slice(start, start + _CHUNK)
        await catalog.project_shops(session, shops[chunk])
        await bookings.project_many(session, booked[chunk])
        await calendar.project_bookings(session, [b for b, _ in booked[chunk]])
        await customers.project_entries(session, entries[chunk])
        await customers.project_pets(session, pets[chunk])
    for stream, shop in aggregates.items():  # time off: few, and withdrawn ones are kept as such
        if isinstance(shop, Shop):
            await calendar.project_time_off(session, shop, history[stream])


async def rebuild_command(settings: ServiceSettings) -> None:
    engine = create_engine(settings)
    started = time.perf_counter()
    try:
        async with session_factory(engine)() as session, session.begin():
            replayed = await rebuild(session, EventStore())
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    print(f"rebuilt booking read models from {replayed} events in {elapsed:.2f}s")
