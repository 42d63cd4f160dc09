"""Writes a benchmark's history into an event store, as the services store it."""

from __future__ import annotations

import json
from collections.abc import Iterable

import asyncpg
from frontdesk_platform.eventstore import NewEvent


async def store_events(conn: asyncpg.Connection, events: Iterable[tuple[str, int, NewEvent]]) -> int:
    """(stream, version, event) by COPY, their positions in the order given; how many."""
    records = [
        (n, stream, version, new.event_id, new.type, json.dumps(new.data, default=str, ensure_ascii=False))
        for n, (stream, version, new) in enumerate(events)
    ]
    await conn.execute("CREATE TEMP TABLE staging (n int, s text, v int, id uuid, t text, d text)")
    await conn.copy_records_to_table("staging", records=records)
    await conn.execute(
        "INSERT INTO events (stream_id, version, event_id, type, data) "
        "SELECT s, v, id, t, d::jsonb FROM staging ORDER BY n"  # a plain INSERT ... SELECT may reorder
    )
    return len(records)
