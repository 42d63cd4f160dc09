"""Rebuilds what notify keeps from other services' events — shops' timezones, services,
bookings, names, the shops' staff, conversation assignees and read marks, customer facts — by replaying
booking.events, messaging.events and identity.events from the beginning.

Customers erased (erased_customers) are forgotten again after the replay (docs/adr/0005).
Notify's own state stays: reminders, notifications, devices, preferences, reminder times,
who is on duty, campaigns, chat alerts. Replaying projects only; nothing is notified again. Events are
read a page at a time and each page's rows written with one statement per kind of write
(row_writes.WritePage), the statements the live consumers run. Run it with notify
stopped (`frontdesk-notify rebuild-projections`); it is one transaction.
"""

from __future__ import annotations

from frontdesk_contracts import Envelope, topics
from frontdesk_platform.database import create_engine, session_factory
from frontdesk_platform.replay import PAGE, replay_pages
from frontdesk_platform.row_writes import RowWrite, WritePage
from frontdesk_platform.settings import ServiceSettings
from sqlalchemy import text

from ..projections import erasure
from . import booking_events, chat_events, customer_events

PROJECTED = (
    "services",
    "bookings",
    "names",
    "conversations",
    "read_marks",
    "shop_staff",
    "audience_customers",
    "audience_bookings",
    "audience_pets",
    "audience_conversations",
)
SOURCES = (topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS, topics.IDENTITY_EVENTS)


async def rebuild_projections(settings: ServiceSettings, page: int = PAGE) -> int:
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            await session.execute(text(f"TRUNCATE {', '.join(PROJECTED)}"))
            await session.execute(text("UPDATE shops SET timezone = NULL"))

            async def project(events: list[Envelope]) -> None:
                rows = WritePage()
                for event in events:
                    rows.add(writes(event))
                await rows.flush(session)

            replayed = await replay_pages(
                settings.kafka_connection(),
                [settings.topic(t) for t in SOURCES],
                project,
                page,
                wanted_type=projects,
            )
            await erasure.forget_all_erased(session)  # the events replayed still name them
            await session.commit()
    finally:
        await engine.dispose()
    print(f"rebuilt notify's projections from {replayed} events")
    return replayed


def projects(type_name: str) -> bool:
    return any(events.projects(type_name) for events in (booking_events, chat_events, customer_events))


def writes(event: Envelope) -> list[RowWrite]:
    """The rows the live consumers write for the event, but no notification, reminder or
    chat alert."""
    found = booking_events.writes(event) if event.type.startswith("booking.") else []
    return [*found, *chat_events.writes(event), *customer_events.writes(event)]
