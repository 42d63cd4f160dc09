"""Rebuilds what the assistant keeps from other services' events — shops (names,
timezones, policy, hours), services, pets, conversations (assignee, status, when staff
last wrote) — by replaying identity.events, booking.events and messaging.events from
the beginning. Customers erased (erased_customers) are forgotten again after the replay (docs/adr/0005).
Its own state stays: knowledge base, settings, turns and dialogues.
Events are read a page at a time and each page's rows written with one statement per
kind of write (row_writes.WritePage), the statements the live consumer runs. Run it with
ai-assist stopped (`frontdesk-ai-assist rebuild-projections`); one transaction.
"""

from __future__ import annotations

from frontdesk_contracts import Envelope, topics
from frontdesk_platform.database import create_engine, session_factory
from frontdesk_platform.replay import PAGE, replay_pages
from frontdesk_platform.row_writes import WritePage
from frontdesk_platform.settings import ServiceSettings
from sqlalchemy import text

from ..projections import erasure
from . import events

PROJECTED = ("shops", "services", "pets", "conversations")
SOURCES = (topics.IDENTITY_EVENTS, topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS)


async def rebuild_projections(settings: ServiceSettings, page: int = PAGE) -> int:
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            await session.execute(text(f"TRUNCATE {', '.join(PROJECTED)}"))

            async def project(replayed: list[Envelope]) -> None:
                rows = WritePage()
                for event in replayed:
                    rows.add(events.writes(event))
                await rows.flush(session)

            replayed = await replay_pages(
                settings.kafka_connection(),
                [settings.topic(t) for t in SOURCES],
                project,
                page,
                wanted_type=events.projects,
            )
            await erasure.forget_all_erased(session)  # the events replayed still name their pets
            await session.commit()
    finally:
        await engine.dispose()
    print(f"rebuilt ai-assist's projections from {replayed} events")
    return replayed
