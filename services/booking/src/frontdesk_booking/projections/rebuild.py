"""Drops the booking read models and rebuilds them by replaying the event store.

`frontdesk-booking rebuild-projections`. Every stream is folded into its aggregate and
each aggregate written once, the rows the live handlers write, by COPY. Writers wait on
the table locks while it runs. The allocation table is not a read model (it is the guard
against double booking) and is left alone.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from frontdesk_platform import shredding
from frontdesk_platform.database import create_engine, driver_connection, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.folding import cycle_collection_paused
from frontdesk_platform.settings import ServiceSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import STREAM_PREFIXES, aggregate_id, from_stored_json
from ..domain.booking import Booking
from ..domain.booking_events import ProgressPosted, StaffNoteAdded
from ..domain.pets import Pet
from ..domain.shop import Shop, TimeOffAdded, TimeOffRemoved
from ..domain.waitlist import WaitlistEntry
from . import bookings, calendar, catalog, customers

TABLES = (*bookings.TABLES, *catalog.TABLES, *customers.TABLES, *calendar.TABLES)
_PAGE = (
    "SELECT stream_id, type, data::text AS data, position FROM events "
    "WHERE position > $1 ORDER BY position LIMIT $2"
)


async def rebuild(session: AsyncSession, store: EventStore, batch: int = 10_000) -> int:
    tables = ", ".join(TABLES)
    await session.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
    await session.execute(text(f"TRUNCATE {tables}"))
    conn = await driver_connection(session)
    keys = await shredding.all_keys(session)  # an erased customer's texts open as ""
    aggregates: dict[str, Any] = {}
    rows_of_their_own: list[Any] = []  # progress updates and staff notes: a row each
    time_off: dict[UUID, list[Any]] = {}  # by shop, in order
    position, replayed = 0, 0
    with cycle_collection_paused():
        while rows := await conn.fetch(_PAGE, position, batch):
            for stream, type_name, data, _ in rows:
                aggregate = aggregates.get(stream)
                if aggregate is None:
                    prefix, key = aggregate_id(stream)
                    aggregate = aggregates[stream] = STREAM_PREFIXES[prefix](key)
                event = from_stored_json(type_name, data, keys)
                aggregate.apply(event)
                if isinstance(event, ProgressPosted | StaffNoteAdded):
                    rows_of_their_own.append(event)
                elif isinstance(event, TimeOffAdded | TimeOffRemoved):
                    time_off.setdefault(event.shop_id, []).append(event)
            position = rows[-1]["position"]
            replayed += len(rows)
        booked = [a for a in aggregates.values() if isinstance(a, Booking)]
        shops = [a for a in aggregates.values() if isinstance(a, Shop)]
        await catalog.project_shops(session, shops)
        await bookings.copy_all(conn, booked, rows_of_their_own)
        await calendar.copy_bookings(conn, booked)
        await customers.copy_entries(conn, [a for a in aggregates.values() if isinstance(a, WaitlistEntry)])
        await customers.copy_pets(conn, [a for a in aggregates.values() if isinstance(a, Pet)])
        for shop in shops:  # time off: few, and withdrawn ones are kept as such
            await calendar.project_time_off(session, shop, time_off.get(shop.id, []))
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
    print(f"rebuilt booking read models from {replayed} events in {elapsed:.2f}s")
