"""Drops the messaging read models and rebuilds them by replaying the event store.

`frontdesk-messaging rebuild-projections`. Writers wait on the table locks while it
runs, so the rebuilt tables never miss an event committed meanwhile. Events are read a
page at a time and folded in memory (replayed.py); each page's messages, notes and search
rows are written with COPY while the next page is folded, and the conversations,
receipts, surveys, response figures and shop settings once at the end, all in the
caller's one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Mapping
from concurrent.futures import ProcessPoolExecutor
from uuid import UUID

import asyncpg
from frontdesk_platform import shredding
from frontdesk_platform.database import create_engine, driver_connection, session_factory
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.folding import cycle_collection_paused
from frontdesk_platform.settings import ServiceSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.repository import from_stored_json
from ..domain.shop import ShopEvent
from . import conversations, search_terms
from .replayed import MESSAGE_COLUMNS, Page, ReplayedReadModels

log = logging.getLogger(__name__)
_TERMS_CHUNK = 1000
_FOLDED_AT_ONCE = 500

_PAGE = (
    "SELECT stream_id, type, data::text AS data, position FROM events "
    "WHERE position > $1 ORDER BY position LIMIT $2"
)


async def rebuild(session: AsyncSession, store: EventStore, batch: int = 10_000) -> int:
    tables = ", ".join(conversations.TABLES)
    await session.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
    await session.execute(text(f"TRUNCATE {tables}"))
    conn = await driver_connection(session)
    keys = await shredding.all_keys(session)
    models = ReplayedReadModels()
    position, replayed = 0, 0
    # Finding a message's terms is a third of its replay's CPU: worker processes find a
    # page's terms while this one folds the next page and writes the last.
    search_terms.load()  # once, before the workers fork, rather than once in each
    await conn.set_type_codec("tsvector", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary")
    # A GIN index built once over every row costs half of what adding each page to it does.
    search_index = await conn.fetchval("SELECT pg_get_indexdef('message_search_terms'::regclass)")
    await conn.execute("DROP INDEX message_search_terms")
    try:
        with ProcessPoolExecutor(max(2, os.cpu_count() or 1)) as workers, cycle_collection_paused():
            written: tuple[Page, Awaitable[list[bytes | None]]] | None = None
            while rows := await conn.fetch(_PAGE, position, batch):
                # PostgreSQL writes the last page while this one is folded.
                async with asyncio.TaskGroup() as both:
                    if written:
                        both.create_task(_write_page(conn, *written))
                    await _fold(models, rows, keys)
                page = models.take_page()
                written = page, _vectors(workers, [entry[-1] for entry in page.search])
                position = rows[-1]["position"]
                replayed += len(rows)
            if written:
                await _write_page(conn, *written)
            await _write_rest(conn, models)
        await conn.execute(search_index)
    finally:
        await conn.reset_type_codec("tsvector", schema="pg_catalog")
    return replayed


async def _fold(
    models: ReplayedReadModels, rows: list[asyncpg.Record], keys: Mapping[UUID, bytes | None]
) -> None:
    for start in range(0, len(rows), _FOLDED_AT_ONCE):
        for row in rows[start : start + _FOLDED_AT_ONCE]:
            event = from_stored_json(row["stream_id"], row["type"], row["data"], keys)
            if isinstance(event, ShopEvent):
                models.apply_shop(event)
            else:
                models.apply(event)
        await asyncio.sleep(0)  # the writer's next statement goes out, or its result comes in


def _vectors(workers: ProcessPoolExecutor, texts: list[str]) -> Awaitable[list[bytes | None]]:
    loop = asyncio.get_running_loop()
    chunks = [texts[i : i + _TERMS_CHUNK] for i in range(0, len(texts), _TERMS_CHUNK)]
    found = [loop.run_in_executor(workers, _vectors_of, chunk) for chunk in chunks]

    async def joined() -> list[bytes | None]:
        return [vector for chunk in await asyncio.gather(*found) for vector in chunk]

    return asyncio.ensure_future(joined())


def _vectors_of(texts: list[str]) -> list[bytes | None]:
    """Each text's terms as a tsvector in PostgreSQL's binary form (their number, then each
    NUL-terminated with no positions), None without any: a page's search rows then go
    straight into message_search by COPY, as array_to_tsvector would have made them."""
    vectors: list[bytes | None] = []
    for text_ in texts:
        terms = search_terms.index_terms(text_)
        encoded = b"".join(term.encode() + b"\0\0\0" for term in terms)
        vectors.append(len(terms).to_bytes(4, "big") + encoded if terms else None)
    return vectors


async def _write_page(conn: asyncpg.Connection, page: Page, vectors: Awaitable[list[bytes | None]]) -> None:
    await conn.copy_records_to_table("messages", records=page.messages, columns=MESSAGE_COLUMNS)
    await conn.copy_records_to_table(
        "notes", records=page.notes, columns=("note_id", "conversation_id", "author_id", "text", "added_at")
    )
    found = await vectors
    await conn.copy_records_to_table(
        "message_search",
        records=[(*entry[:-1], v) for entry, v in zip(page.search, found, strict=True) if v],
        columns=("message_id", "shop_id", "customer_id", "sent_at", "terms"),
    )
    for change in page.late_changes:  # rare (a recall or an edit of an older message): one by one, in order
        await conn.execute(
            "UPDATE messages SET text = $2, attachment = CASE WHEN $3 THEN NULL ELSE attachment END, "
            "recalled = recalled OR $3, edited_at = COALESCE($4, edited_at) WHERE message_id = $1",
            change.message_id,
            change.text,
            change.recalled,
            change.edited_at,
        )
        await conn.execute("DELETE FROM message_search WHERE message_id = $1", change.message_id)
        new_terms = [] if change.recalled else search_terms.index_terms(change.text)
        if new_terms:
            await conn.execute(
                "INSERT INTO message_search (message_id, shop_id, customer_id, sent_at, terms) "
                "SELECT message_id, $2, $3, sent_at, array_to_tsvector($4::text[]) FROM messages "
                "WHERE message_id = $1",
                change.message_id,
                change.conversation.shop_id,
                change.conversation.customer_id,
                new_terms,
            )


async def _write_rest(conn: asyncpg.Connection, models: ReplayedReadModels) -> None:
    ordered = sorted(models.conversations.values(), key=lambda c: c.changed)
    cursors = await conn.fetch(
        "SELECT nextval('conversation_changes') AS c FROM generate_series(1, $1) ORDER BY 1", len(ordered)
    )
    await conn.copy_records_to_table(
        "conversations",
        records=[
            (
                c.id,
                c.shop_id,
                c.customer_id,
                c.opened_at,
                c.last_seq,
                c.last_activity_at,
                c.last_message_preview,
                c.status,
                c.assignee_id,
                c.assigned_at,
                c.handoff_note,
                c.labels,
                c.customer_messages,
                c.shop_messages,
                c.open_survey_id,
                cursor["c"],
            )
            for c, cursor in zip(ordered, cursors, strict=True)
        ],
        columns=(
            "id",
            "shop_id",
            "customer_id",
            "opened_at",
            "last_seq",
            "last_activity_at",
            "last_message_preview",
            "status",
            "assignee_id",
            "assigned_at",
            "handoff_note",
            "labels",
            "customer_messages",
            "shop_messages",
            "open_survey_id",
            "change_cursor",
        ),
    )
    await conn.copy_records_to_table(
        "read_marks",
        records=[
            (c, r, m.reader_role, m.read_seq, m.unread_base, m.delivered_seq)
            for (c, r), m in models.read_marks.items()
        ],
        columns=("conversation_id", "reader_id", "reader_role", "read_seq", "unread_base", "delivered_seq"),
    )
    await conn.copy_records_to_table(
        "surveys",
        records=list(models.surveys.values()),
        columns=(
            "survey_id",
            "conversation_id",
            "shop_id",
            "assignee_id",
            "requested_at",
            "rating",
            "comment",
            "answered_at",
        ),
    )
    await conn.copy_records_to_table(
        "response_episodes",
        records=[
            (
                c.id,
                ep.started_at,
                c.shop_id,
                ep.first_response_at,
                ep.responder_id,
                ep.frt_seconds,
                ep.resolved_at,
                ep.resolution_seconds,
            )
            for c in models.conversations.values()
            for ep in c.episodes
        ],
        columns=(
            "conversation_id",
            "started_at",
            "shop_id",
            "first_response_at",
            "responder_id",
            "frt_seconds",
            "resolved_at",
            "resolution_seconds",
        ),
    )
    await _write_shops(conn, models)


async def _write_shops(conn: asyncpg.Connection, models: ReplayedReadModels) -> None:
    import json

    await conn.copy_records_to_table(
        "shop_hours",
        records=[(shop, tz, json.dumps(weekly), reply) for shop, (tz, weekly, reply) in models.hours.items()],
        columns=("shop_id", "timezone", "weekly", "auto_reply_text"),
    )
    await conn.copy_records_to_table(
        "templates",
        records=[(t, shop, *rest) for (shop, t), rest in models.templates.items()],
        columns=("template_id", "shop_id", "name", "text", "saved_at"),
    )
    await conn.copy_records_to_table(
        "staff_capacity",
        records=[(staff, shop, c) for (shop, staff), c in models.capacity.items()],
        columns=("staff_id", "shop_id", "capacity"),
    )
    await conn.copy_records_to_table(
        "shop_calls",
        records=[(shop, policy, minutes) for shop, (policy, minutes) in models.calls.items()],
        columns=("shop_id", "policy", "live_view_minutes"),
    )
    # Presence is not a rebuilt table (it holds who is online); only the rotation's
    # last-assigned time comes from the events.
    await conn.executemany(
        "INSERT INTO staff_presence (staff_id, status, last_assigned_at) VALUES ($1, 'offline', $2) "
        "ON CONFLICT (staff_id) DO UPDATE SET last_assigned_at = EXCLUDED.last_assigned_at",
        list(models.last_assigned.items()),
    )


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
