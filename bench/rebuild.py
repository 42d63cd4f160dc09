"""`rebuild-projections` speed over a large history, in a throwaway database.

`--service messaging` (default) is described here; `--service booking` replays a booking
history of `--bookings` bookings and checks the rebuilt tables against the live writes
(bench/rebuild_booking.py); `--service notify|ai-assist` replays Kafka topics instead
(bench/rebuild_topics.py).

Writes `--conversations` × `--messages` conversations into a fresh messaging event store
(the events the service records: openings, messages in Chinese and English, delivery and
read receipts, a recall and an edit, assignment, labels, resolution with its survey, and
business hours that the response figures count in), then rebuilds the read models and
reports events/s, the rebuild process's CPU and its term-finding workers' CPU. The database
is dropped afterwards.

Run: `make bench-rebuild` = `uv run python bench/rebuild.py [--conversations 2000 --messages 50]`;
`uv run python bench/rebuild.py --service booking [--bookings 20000]` (~131,000 events);
`uv run python bench/rebuild.py --service notify [--conversations 2000 --messages 50]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from frontdesk_messaging.adapters.repository import stream_id, to_new_event
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.domain import events as e
from frontdesk_messaging.domain import shop as s
from frontdesk_messaging.projections.rebuild import rebuild
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.eventstore import EventStore
from stored_events import store_events

TEXTS = ["请问周六{n}点可以给狗狗洗澡吗", "Can I book a bath for my cat at {n}?", "好的,{n}点见", "谢谢!"]


def history(conversations: int, messages: int, seed: int = 7) -> Iterator[tuple[str, int, Any]]:
    """(stream, version, domain event) in the order a busy shop would record them."""
    rng = random.Random(seed)
    shop, staff = uuid.uuid4(), [uuid.uuid4() for _ in range(5)]
    at = datetime(2026, 3, 2, 1, tzinfo=UTC)
    weekly = {str(day): [["09:00", "18:00"]] for day in range(6)}
    yield f"shop-{shop}", 1, s.BusinessHoursSet(shop, "Asia/Shanghai", weekly, None, staff[0], at)
    for _ in range(conversations):
        conv, customer, clerk = uuid.uuid4(), uuid.uuid4(), rng.choice(staff)
        stream, version = stream_id(conv), 0

        def next_version() -> int:
            nonlocal version
            version += 1
            return version

        at += timedelta(seconds=rng.randint(1, 60))
        yield stream, next_version(), e.ConversationOpened(conv, shop, customer, customer, at)
        yield stream, next_version(), e.ConversationAssigned(conv, clerk, None, None, "auto", None, at)
        ids = []
        for seq in range(1, messages + 1):
            at += timedelta(seconds=rng.randint(5, 300))
            sender, role = (customer, "customer") if seq % 3 else (clerk, "staff")
            ids.append(uuid.uuid4())
            text = rng.choice(TEXTS).format(n=seq)
            yield stream, next_version(), e.MessageSent(conv, ids[-1], seq, sender, role, f"m{seq}", text, at)
            if seq % 5 == 0:
                reader, reader_role = (clerk, "staff") if role == "customer" else (customer, "customer")
                yield stream, next_version(), e.MessagesDelivered(conv, reader, reader_role, seq, at)
                yield stream, next_version(), e.MessagesRead(conv, reader, reader_role, seq, at)
        yield stream, next_version(), e.MessageRecalled(conv, ids[0], 1, customer, at)
        yield stream, next_version(), e.MessageEdited(conv, ids[1], 2, "edited", customer, at)
        yield stream, next_version(), e.LabelsChanged(conv, ("vip",), clerk, at)
        yield stream, next_version(), e.StatusChanged(conv, "resolved", "open", clerk, at)
        yield stream, next_version(), e.SurveyRequested(conv, uuid.uuid4(), at)


async def fill(dsn: str, conversations: int, messages: int) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await store_events(
            conn,
            (
                (stream, version, to_new_event(event) if isinstance(event, e.Event) else _shop_event(event))
                for stream, version, event in history(conversations, messages)
            ),
        )
    finally:
        await conn.close()


def _shop_event(event: s.ShopEvent) -> Any:
    from dataclasses import asdict

    from frontdesk_messaging.adapters.repository import _SHOP_NAMES
    from frontdesk_platform.eventstore import NewEvent

    return NewEvent(type=_SHOP_NAMES[type(event)], data=asdict(event))


async def run(conversations: int, messages: int, page: int) -> dict[str, Any]:
    settings = MessagingSettings(
        service_name="bench-rebuild",
        database_name=f"bench_rebuild_{uuid.uuid4().hex[:10]}",
        log_json=False,
        environment="development",
    )
    await migrate(settings, MIGRATIONS)
    admin = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
    engine = create_engine(settings)
    try:
        events = await fill(settings.asyncpg_dsn(), conversations, messages)
        started, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
        async with session_factory(engine)() as session, session.begin():
            replayed = await rebuild(session, EventStore(), batch=page)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        workers = _children_cpu() - workers
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE "{settings.database_name}" WITH (FORCE)')
        await admin.close()
    assert replayed == events, (replayed, events)
    return {
        "events": events,
        "conversations": conversations,
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed),
        "rebuild_process_cpu_s": round(cpu, 2),
        "worker_processes_cpu_s": round(workers, 2),
    }


def _children_cpu() -> float:
    """CPU of the ended worker processes (a rebuild's pool ends with it)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def run_topics(service: str, customers: int, messages: int) -> dict[str, Any]:
    """notify or ai-assist: one customer (with a booking, a pet and a conversation) per
    `--conversations`."""
    import rebuild_topics

    name = f"bench_rebuild_{uuid.uuid4().hex[:10]}"
    overrides: dict[str, Any] = {"database_name": name, "kafka_namespace": f"{name}.", "log_json": False}
    if service == "notify":
        from frontdesk_notify.bootstrap import MIGRATIONS as migrations
        from frontdesk_notify.config import Settings as NotifySettings
        from frontdesk_notify.service_layer.rebuild import rebuild_projections

        settings: Any = NotifySettings(**overrides)
    else:
        from frontdesk_ai_assist.bootstrap import MIGRATIONS as migrations
        from frontdesk_ai_assist.config import Settings as AssistantSettings
        from frontdesk_ai_assist.service_layer.rebuild import rebuild_projections

        settings = AssistantSettings(**overrides)
    return await rebuild_topics.run(settings, migrations, rebuild_projections, customers, messages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--service", choices=("messaging", "booking", "notify", "ai-assist"), default="messaging"
    )
    parser.add_argument("--conversations", type=int, default=2_000)
    parser.add_argument("--messages", type=int, default=50, help="messages per conversation")
    parser.add_argument("--bookings", type=int, default=20_000, help="booking: how many bookings")
    parser.add_argument("--page", type=int, default=10_000, help="events read per page")
    args = parser.parse_args()
    if args.service == "messaging":
        result = asyncio.run(run(args.conversations, args.messages, args.page))
    elif args.service == "booking":
        import rebuild_booking

        result = asyncio.run(rebuild_booking.run(args.bookings, args.page))
    else:
        result = asyncio.run(run_topics(args.service, args.conversations, args.messages))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
