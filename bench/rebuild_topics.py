"""Notify's and ai-assist's `rebuild-projections` speed: both replay other services'
events from Kafka (booking.events, messaging.events, identity.events).

Publishes a busy history into topics of a fresh namespace — shops set up with services
and hours, customers who sign up, register and update a pet, book, move and complete a
booking, and chat (opened, assigned, messages both ways, read receipts, labels,
resolved) — then rebuilds the service's projections in a throwaway database and reports
events/s. The database and the topics are dropped afterwards. Used by bench/rebuild.py
(`--service notify|ai-assist`).
"""

from __future__ import annotations

import random
import time as clock
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from frontdesk_contracts import Envelope, contract_type, topics
from frontdesk_platform.database import migrate
from frontdesk_platform.kafka import create_producer, ensure_topics, headers_for
from frontdesk_platform.settings import ServiceSettings

SOURCES = (topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS, topics.IDENTITY_EVENTS)
TEXTS = ["请问周六{n}点可以给狗狗洗澡吗", "Can I book a bath for my cat at {n}?", "好的,{n}点见", "谢谢!"]


def history(customers: int, messages: int, shops: int = 20, seed: int = 7) -> Iterator[Envelope]:
    """Envelopes as the other services publish them, in an order a busy week could have."""
    rng = random.Random(seed)
    at = datetime(2026, 3, 2, 1, tzinfo=UTC)
    setups = [_shop(rng, at) for _ in range(shops)]
    for setup in setups:
        yield from setup["events"]
    for _ in range(customers):
        at += timedelta(seconds=rng.randint(1, 60))
        yield from _customer(rng, rng.choice(setups), at, messages)


def _event(type: str, key: uuid.UUID, version: int | None, time: datetime, /, **data: Any) -> Envelope:
    return Envelope(
        type=type, source="bench", aggregate_id=str(key), aggregate_version=version, data=data, time=time
    )


def _shop(rng: random.Random, at: datetime) -> dict[str, Any]:
    shop, staff = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
    services = [uuid.uuid4() for _ in range(4)]
    s, when = str(shop), at.isoformat()
    events = [
        _event("identity.shop.registered.v1", shop, None, at, shop_id=s, name="Golden Paws", timezone="Asia/Shanghai", registered_at=when),
        *(_event("identity.staff.added.v1", p, None, at, shop_id=s, staff_id=str(p), name=f"staff {i}") for i, p in enumerate(staff)),
        _event("booking.shop.configured.v1", shop, 1, at, shop_id=s, timezone="Asia/Shanghai", policy={"cancel_cutoff_hours": 2}, at=when),
        *(
            _event("booking.service.defined.v1", shop, 2 + i, at, shop_id=s, at=when,
                   service={"service_id": str(v), "name": f"洗澡 {i}", "duration_minutes": 60, "price_cents": 12000})
            for i, v in enumerate(services)
        ),
        _event("messaging.shop.business_hours_set.v1", shop, 1, at, shop_id=s, timezone="Asia/Shanghai",
               weekly={str(d): [["09:00", "18:00"]] for d in range(6)}),
    ]  # fmt: skip
    return {"shop": shop, "staff": staff, "services": services, "events": events}


def _customer(rng: random.Random, setup: dict[str, Any], at: datetime, messages: int) -> Iterator[Envelope]:
    shop, customer, clerk = setup["shop"], uuid.uuid4(), rng.choice(setup["staff"])
    pet, booking, conversation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids = {"shop_id": str(shop), "customer_id": str(customer)}
    when = at.isoformat()
    yield _event("identity.customer.registered.v1", customer, None, at, **ids, name="Wang")
    profile = {"name": "Momo", "species": rng.choice(["dog", "cat"]), "breed": "金毛"}
    yield _event("booking.pet.registered.v1", pet, 1, at, **ids, pet_id=str(pet), profile=profile, at=when)
    yield _event(
        "booking.pet.updated.v1",
        pet,
        2,
        at,
        **ids,
        pet_id=str(pet),
        profile={**profile, "name": "Momo II"},
        at=when,
    )
    starts = at + timedelta(days=3)
    service = str(rng.choice(setup["services"]))
    for version, (step, status) in enumerate(
        [
            ("held", "held"),
            ("confirmed", "confirmed"),
            ("rescheduled", "confirmed"),
            ("completed", "completed"),
        ],
        1,
    ):
        moved = starts + timedelta(hours=2 if version >= 3 else 0)
        yield _event(f"booking.booking.{step}.v1", booking, version, at, **ids, booking_id=str(booking),
                     service_id=service, status=status, starts_at=moved.isoformat(),
                     ends_at=(moved + timedelta(hours=1)).isoformat(), staff_id=str(clerk), at=when)  # fmt: skip
    talk = {**ids, "conversation_id": str(conversation)}
    version = 0

    def next_version() -> int:
        nonlocal version
        version += 1
        return version

    yield _event(
        "messaging.conversation.opened.v1",
        conversation,
        next_version(),
        at,
        **talk,
        opened_by=str(customer),
        opened_at=when,
    )
    yield _event("messaging.conversation.assigned.v1", conversation, next_version(), at, **talk, assignee_id=str(clerk),
                 previous_assignee_id=None, assigned_by=None, reason="auto", handoff_note=None, assigned_at=when)  # fmt: skip
    for seq in range(1, messages + 1):
        at += timedelta(seconds=rng.randint(5, 300))
        sender, role = (customer, "customer") if seq % 3 else (clerk, "staff")
        text = rng.choice(TEXTS).format(n=seq)
        yield _event("messaging.message.sent.v1", conversation, next_version(), at, **talk, message_id=str(uuid.uuid4()),
                     client_msg_id=f"m{seq}", kind="text", seq=seq, sender_id=str(sender), sender_role=role,
                     text=text, sent_at=at.isoformat())  # fmt: skip
        if seq % 5 == 0:
            reader, reader_role = (clerk, "staff") if role == "customer" else (customer, "customer")
            yield _event("messaging.receipt.read.v1", conversation, next_version(), at, **talk, reader_id=str(reader),
                         reader_role=reader_role, up_to_seq=seq, read_at=at.isoformat())  # fmt: skip
    yield _event("messaging.conversation.labels_changed.v1", conversation, next_version(), at, **talk, labels=["VIP"],
                 changed_by=str(clerk), changed_at=at.isoformat())  # fmt: skip
    yield _event("messaging.conversation.status_changed.v1", conversation, next_version(), at, **talk, status="resolved",
                 previous_status="open", changed_by=str(clerk), changed_at=at.isoformat())  # fmt: skip


async def publish(settings: ServiceSettings, envelopes: Iterator[Envelope]) -> int:
    await ensure_topics(settings.kafka_connection(), [settings.topic(t) for t in SOURCES], 3)
    producer = create_producer(settings.kafka_connection())
    await producer.start()
    sent = 0
    try:
        pending = []
        for envelope in envelopes:
            topic = settings.topic(contract_type(envelope.type).topic)
            value = envelope.model_dump_json().encode()
            key, headers = envelope.aggregate_id.encode(), headers_for(envelope)  # as the outbox relay sends
            pending.append(await producer.send(topic, value=value, key=key, headers=headers))
            sent += 1
            if len(pending) >= 5000:
                for ack in pending:
                    await ack
                pending.clear()
        for ack in pending:
            await ack
    finally:
        await producer.stop()
    return sent


async def run(
    settings: ServiceSettings,
    migrations: str,
    rebuild: Callable[[ServiceSettings], Awaitable[int]],
    customers: int,
    messages: int,
) -> dict[str, Any]:
    import asyncpg

    await migrate(settings, migrations)
    admin = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
    try:
        events = await publish(settings, history(customers, messages))
        started, cpu = clock.perf_counter(), clock.process_time()
        replayed = await rebuild(settings)
        elapsed, cpu = clock.perf_counter() - started, clock.process_time() - cpu
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{settings.database_name}" WITH (FORCE)')
        await admin.close()
        await _drop_topics(settings)
    assert replayed == events, (replayed, events)
    return {
        "service": settings.service_name,
        "events": events,
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed),
        "rebuild_process_cpu_s": round(cpu, 2),
    }


async def _drop_topics(settings: ServiceSettings) -> None:
    admin = AIOKafkaAdminClient(**settings.kafka_connection())
    await admin.start()
    try:
        await admin.delete_topics([settings.topic(t) for t in SOURCES])
    finally:
        await admin.close()
