"""Segments evaluated in SQL on the real PostgreSQL agree with the domain's rules, on a
random history of sign-ups, bookings, pets and labels; and the customer facts rebuilt by
replaying the same events shuffled and twice over equal the live ones."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from frontdesk_contracts import Envelope
from frontdesk_notify.domain import segments
from frontdesk_notify.domain.segments import Booking, Customer
from frontdesk_notify.projections import audience

from .campaign_harness import Harness, notify_database

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SEGMENTS = [
    {"kind": "new"},
    {"kind": "new", "days": 7},
    {"kind": "frequent", "min_bookings": 1},
    {"kind": "frequent", "min_bookings": 2, "days": 60},
    {"kind": "frequent", "min_bookings": 3, "days": 365},
    {"kind": "dormant"},
    {"kind": "dormant", "days": 20},
    {"kind": "label", "label": "VIP"},
    {"kind": "label", "label": "过敏"},
    {"kind": "pet_type", "species": "dog"},
    {"kind": "pet_type", "species": "柯基"},
    {"kind": "pet_type", "species": "cat"},
]


@pytest.fixture
async def harness(endpoints) -> AsyncIterator[Harness]:
    async with notify_database(endpoints, NOW) as harness:
        yield harness


@dataclass
class History:
    """Events of one shop's customers, and the facts they should leave (by customer)."""

    shop_id: UUID
    events: list[Envelope] = field(default_factory=list)
    customers: dict[UUID, Customer] = field(default_factory=dict)

    def add(
        self, type: str, aggregate_id: UUID, version: int | None, data: dict[str, Any], **kw: Any
    ) -> None:
        self.events.append(
            Envelope(
                type=type,
                source="test",
                aggregate_id=str(aggregate_id),
                aggregate_version=version,
                data=data,
                **kw,
            )
        )


def _history(rng: random.Random, shop_id: UUID, customers: int) -> History:
    history = History(shop_id)
    for _ in range(customers):
        customer_id = uuid4()
        joined_at = None
        if rng.random() < 0.7:
            joined_at = NOW - timedelta(days=rng.uniform(0, 90))
            history.add(
                "identity.customer.registered.v1",
                shop_id,
                None,
                {"shop_id": str(shop_id), "customer_id": str(customer_id), "name": "x"},
                time=joined_at,
            )
        bookings = tuple(_booking(rng, history, customer_id) for _ in range(rng.randint(0, 5)))
        species = frozenset(
            s for s in (_pet(rng, history, customer_id) for _ in range(rng.randint(0, 2))) if s
        )
        labels = frozenset().union(
            *(_conversation(rng, history, customer_id) for _ in range(rng.randint(0, 2)))
        )
        history.customers[customer_id] = Customer(customer_id, joined_at, bookings, labels, species)
    return history


def _booking(rng: random.Random, history: History, customer_id: UUID) -> Booking:
    booking_id, starts_at = uuid4(), NOW + timedelta(days=rng.uniform(-150, 20))
    path = rng.choice(
        [
            ["held", "expired"],
            ["held", "confirmed"],
            ["held", "confirmed", "cancelled"],
            ["held", "confirmed", "no_show"],
            ["held", "confirmed", "checked_in", "in_service", "completed"],
            ["held", "confirmed", "checked_in", "completed"],
            ["held", "confirmed", "checked_in", "completed"],
            ["held", "confirmed", "rescheduled", "checked_in", "completed"],
            ["held", "confirmed", "rescheduled", "cancelled"],
        ]
    )
    completed_at, suffix = None, rng.choice(["v1", "v2"])  # v2: a booking no staff member serves
    for version, step in enumerate(path, start=1):
        if step == "rescheduled":
            starts_at += timedelta(days=rng.uniform(-10, 10))
        at = min(starts_at + timedelta(hours=1), NOW - timedelta(minutes=version))
        if step == "completed":
            completed_at = at
        status = {"rescheduled": "confirmed", "in_service": "in_service"}.get(step, step)
        data = {
            "booking_id": str(booking_id),
            "shop_id": str(history.shop_id),
            "customer_id": str(customer_id),
            "service_id": str(uuid4()),
            "status": status,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
            "staff_id": str(uuid4()) if suffix == "v1" else None,
            "at": at.isoformat(),
        }
        history.add(f"booking.booking.{step}.{suffix}", booking_id, version, data)
    return Booking(starts_at, status, completed_at)


def _pet(rng: random.Random, history: History, customer_id: UUID) -> str:
    pet_id = uuid4()
    species = ""
    for version in range(1, rng.randint(2, 3)):
        species = rng.choice(["dog", "Dog ", "cat", "rabbit", " 柯基", ""])
        data = {
            "pet_id": str(pet_id),
            "shop_id": str(history.shop_id),
            "customer_id": str(customer_id),
            "profile": {"name": "Momo", "species": species},
            "at": NOW.isoformat(),
        }
        history.add(f"booking.pet.{'registered' if version == 1 else 'updated'}.v1", pet_id, version, data)
    return segments.normalized(species)


def _conversation(rng: random.Random, history: History, customer_id: UUID) -> frozenset[str]:
    conversation_id, version, labels = uuid4(), 1, frozenset[str]()
    for _ in range(rng.randint(1, 3)):
        version += rng.randint(1, 5)  # other conversation events come in between
        labels = frozenset(rng.sample(["VIP", "vip", "过敏", "Late payer", "new"], rng.randint(0, 3)))
        data = {
            "conversation_id": str(conversation_id),
            "shop_id": str(history.shop_id),
            "customer_id": str(customer_id),
            "labels": sorted(labels),
            "changed_by": str(uuid4()),
            "changed_at": NOW.isoformat(),
        }
        history.add("messaging.conversation.labels_changed.v1", conversation_id, version, data)
    return frozenset(segments.normalized(label) for label in labels)


async def _audiences(harness: Harness, shop_id: UUID) -> dict[str, list[UUID]]:
    found = {}
    async with harness.sessions() as session:
        for spec in SEGMENTS:
            found[repr(spec)] = await audience.members(session, shop_id, segments.parse(spec), NOW)
    return found


async def test_segments_in_sql_pick_exactly_the_customers_the_rules_describe(harness):
    rng = random.Random(20260601)
    shop, other = _history(rng, uuid4(), 100), _history(rng, uuid4(), 20)
    for event in shop.events + other.events:
        await harness.deliver(event)
    found = await _audiences(harness, shop.shop_id)
    for spec in SEGMENTS:
        rule = segments.parse(spec)
        expected = sorted(c.customer_id for c in shop.customers.values() if rule.includes(c, NOW))
        assert found[repr(spec)] == expected, spec
        assert 0 < len(expected) < len(shop.customers), f"{spec} picked {len(expected)}: a weak test"


async def test_replaying_the_events_shuffled_and_twice_rebuilds_the_same_facts(harness):
    rng = random.Random(7)
    shop = _history(rng, uuid4(), 40)
    for event in shop.events:
        await harness.deliver(event)
    live = await _audiences(harness, shop.shop_id)
    tables = ", ".join(audience.TABLES)
    await harness.execute(f"TRUNCATE {tables}")
    await harness.execute("DELETE FROM processed_messages WHERE consumer = 'notify.customer-facts'")
    replay = shop.events * 2
    rng.shuffle(replay)
    for event in replay:
        await harness.deliver(event)
    assert await _audiences(harness, shop.shop_id) == live


async def test_events_a_segment_does_not_need_leave_no_trace(harness):
    await harness.event("messaging.message.sent.v1", {"shop_id": str(uuid4())}, uuid4(), 3)
    assert await harness.rows("SELECT * FROM processed_messages") == []
