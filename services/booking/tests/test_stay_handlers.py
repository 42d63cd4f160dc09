"""Boarding and self-service bookings through the handlers on the real database: a kennel
per stay under concurrency, .v2 events without a staff member, nights and price,
reschedules of a stay, clear refusals, and rebuilt == live."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from frontdesk_booking.projections.rebuild import rebuild
from frontdesk_contracts import booking as c
from frontdesk_platform.eventstore import EventStore
from sqlalchemy import text

from .harness import Harness

pytestmark = pytest.mark.integration
BERLIN = ZoneInfo("Europe/Berlin")
ACCEPTED = "booking.command.accepted.v1"


def check_in(day: int) -> datetime:
    return datetime(2026, 4, day, 15, tzinfo=BERLIN)


async def boarding_shop(h: Harness, kennels: int = 2) -> tuple[UUID, c.Actor, UUID, UUID]:
    """A shop with `kennels` kennels, boarding (15:00 to 11:00, 150.00 a night) and a
    self-service wash station open 08:00-20:00; returns shop, owner, boarding, wash."""
    shop_id = uuid4()
    owner = c.Actor(user_id=uuid4(), role="owner", shop_id=shop_id)
    boarding, wash = uuid4(), uuid4()
    commands = [
        c.ConfigureShop(
            shop_id=shop_id, timezone="Europe/Berlin", policy=c.Policy(max_days_ahead=365), actor=owner
        ),
        c.DefineResource(
            shop_id=shop_id,
            resource=c.ResourceTerms(resource_id=uuid4(), name="Kennels", type="kennel", capacity=kennels),
            actor=owner,
        ),
        c.DefineResource(
            shop_id=shop_id,
            resource=c.ResourceTerms(resource_id=uuid4(), name="Wash", type="wash"),
            actor=owner,
        ),
        c.DefineService(
            shop_id=shop_id,
            service=c.ServiceTerms(
                service_id=boarding,
                name="Boarding",
                duration_minutes=1440,
                price_cents=15000,
                resource_types=["kennel"],
            ),
            schedule=c.ServiceSchedule(
                needs_staff=False, per_night=True, check_in=time(15), check_out=time(11)
            ),
            actor=owner,
        ),
        c.DefineService(
            shop_id=shop_id,
            service=c.ServiceTerms(
                service_id=wash, name="Wash", duration_minutes=30, price_cents=5000, resource_types=["wash"]
            ),
            schedule=c.ServiceSchedule(
                needs_staff=False,
                hours=[c.WeeklyPeriod(weekday=d, start=time(8), end=time(20)) for d in range(7)],
            ),
            actor=owner,
        ),
    ]
    for command in commands:
        assert (await h.send(command, shop_id))["type"] == ACCEPTED
    return shop_id, owner, boarding, wash


def customer(shop_id: UUID) -> c.Actor:
    return c.Actor(user_id=uuid4(), role="customer", shop_id=shop_id)


async def hold(
    h: Harness, shop_id: UUID, service: UUID, who: c.Actor, start: datetime, **extra
) -> tuple[UUID, dict]:
    booking_id = uuid4()
    command = c.HoldBooking(
        booking_id=booking_id,
        shop_id=shop_id,
        customer_id=who.user_id,
        service_id=service,
        starts_at=start,
        actor=who,
        **extra,
    )
    return booking_id, await h.send(command, booking_id)


async def published(h: Harness, booking_id: UUID) -> list[dict]:
    async with h.sessions() as session:
        rows = await session.execute(
            text("SELECT envelope FROM outbox WHERE key = :k AND type LIKE 'booking.booking.%' ORDER BY id"),
            {"k": str(booking_id)},
        )
        return [json.loads(r.envelope) for r in rows]


async def test_a_stay_is_held_in_one_kennel_and_published_as_v2_with_nights_and_price(harness):
    shop_id, _, boarding, _ = await boarding_shop(harness)
    alice = customer(shop_id)
    booking_id, reply = await hold(harness, shop_id, boarding, alice, check_in(10), nights=3)
    assert reply["type"] == ACCEPTED, reply
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    held, confirmed = await published(harness, booking_id)
    assert [held["type"], confirmed["type"]] == ["booking.booking.held.v2", "booking.booking.confirmed.v2"]
    data = held["data"]
    assert (data["staff_id"], data["nights"], data["price_cents"]) == (None, 3, 45000)
    assert datetime.fromisoformat(data["ends_at"]) == datetime(2026, 4, 13, 11, tzinfo=BERLIN)
    assert len(data["resource_units"]) == 1
    assert (
        await harness.scalar(
            "SELECT count(*) FROM allocations WHERE booking_id = :b AND upper(during) = :until",
            b=booking_id,
            until=datetime(2026, 4, 13, 11, tzinfo=BERLIN),
        )
        == 1
    )  # one row: the kennel, from check-in to check-out
    row = await harness.scalar(
        "SELECT row_to_json(b) FROM (SELECT staff_id, nights, price_cents FROM bookings WHERE id = :b) b",
        b=booking_id,
    )
    assert row == {"staff_id": None, "nights": 3, "price_cents": 45000}


async def test_three_overlapping_stays_at_once_in_two_kennels_two_win(harness):
    shop_id, _, boarding, _ = await boarding_shop(harness, kennels=2)
    stays = [(check_in(10), 3), (check_in(11), 3), (check_in(12), 2)]  # all share the night of the 12th
    results = await asyncio.gather(
        *(
            hold(harness, shop_id, boarding, customer(shop_id), start, nights=nights)
            for start, nights in stays
        )
    )
    replies = [r for _, r in results]
    assert sorted(r["type"] for r in replies) == [ACCEPTED, ACCEPTED, "booking.command.rejected.v2"]
    (lost,) = [r for r in replies if r["type"] != ACCEPTED]
    assert lost["code"] == "slot_taken" and lost["alternatives"]
    assert all(a["staff_id"] is None and a["nights"] for a in lost["alternatives"])
    units = await harness.scalar("SELECT count(DISTINCT key) FROM allocations WHERE kind = 'current'")
    assert units == 2


async def test_a_stay_moves_and_grows_with_the_same_id_and_a_new_price(harness):
    shop_id, owner, boarding, _ = await boarding_shop(harness, kennels=1)
    alice, bob = customer(shop_id), customer(shop_id)
    booking_id, _ = await hold(harness, shop_id, boarding, alice, check_in(10), nights=2)
    await hold(harness, shop_id, boarding, bob, check_in(14), nights=2)
    too_long = c.RescheduleBooking(booking_id=booking_id, starts_at=check_in(10), nights=5, actor=alice)
    refused = await harness.send(too_long, booking_id)
    assert refused["code"] == "slot_taken"  # bob checks in on the 14th
    longer = c.RescheduleBooking(booking_id=booking_id, starts_at=check_in(10), nights=4, actor=alice)
    assert (await harness.send(longer, booking_id))["type"] == ACCEPTED
    moved = c.RescheduleBooking(booking_id=booking_id, starts_at=check_in(20), actor=owner)
    assert (await harness.send(moved, booking_id))["type"] == ACCEPTED  # keeps its 4 nights
    *_, rescheduled = await published(harness, booking_id)
    assert rescheduled["type"] == "booking.booking.rescheduled.v2"
    data = rescheduled["data"]
    assert (data["nights"], data["price_cents"], data["previous_staff_id"]) == (4, 60000, None)
    assert datetime.fromisoformat(data["previous_starts_at"]) == check_in(10)


@pytest.mark.parametrize(
    ("service", "extra", "code"),
    [
        ("boarding", {}, "invalid_nights"),
        ("boarding", {"nights": 31}, "invalid_nights"),
        ("wash", {"nights": 2}, "invalid_nights"),
        ("wash", {"staff_id": uuid4()}, "invalid_request"),
    ],
)
async def test_nights_and_staff_are_refused_where_they_do_not_fit(harness, service, extra, code):
    shop_id, _, boarding, wash = await boarding_shop(harness)
    start = check_in(10) if service == "boarding" else datetime(2026, 4, 10, 10, tzinfo=BERLIN)
    service_id = boarding if service == "boarding" else wash
    _, reply = await hold(harness, shop_id, service_id, customer(shop_id), start, **extra)
    assert reply["code"] == code, reply


async def test_a_service_without_staff_needs_a_resource_type(harness):
    shop_id, owner, _, _ = await boarding_shop(harness)
    command = c.DefineService(
        shop_id=shop_id,
        service=c.ServiceTerms(service_id=uuid4(), name="Boarding", duration_minutes=1440),
        schedule=c.ServiceSchedule(needs_staff=False, per_night=True, check_in=time(15), check_out=time(11)),
        actor=owner,
    )
    reply = await harness.send(command, shop_id)
    assert (reply["code"], reply["message"]) == (
        "invalid_service",
        "a service without staff needs a resource type (a station, a kennel)",
    )


async def test_a_self_service_wash_is_booked_without_a_staff_member(harness):
    shop_id, _, _, wash = await boarding_shop(harness)
    alice, bob = customer(shop_id), customer(shop_id)
    at_ten = datetime(2026, 4, 10, 10, tzinfo=BERLIN)
    booking_id, reply = await hold(harness, shop_id, wash, alice, at_ten)
    assert reply["type"] == ACCEPTED
    (held,) = await published(harness, booking_id)
    assert held["type"] == "booking.booking.held.v2" and held["data"]["staff_id"] is None
    assert held["data"]["price_cents"] == 5000 and held["data"]["nights"] is None
    _, taken = await hold(harness, shop_id, wash, bob, at_ten)
    assert taken["type"] == "booking.command.rejected.v2" and taken["code"] == "slot_taken"
    assert [a["staff_id"] for a in taken["alternatives"]] == [None, None, None]


async def test_rebuilt_read_models_equal_the_live_ones_with_stays_and_self_service(harness):
    shop_id, owner, boarding, wash = await boarding_shop(harness)
    alice = customer(shop_id)
    first, _ = await hold(harness, shop_id, boarding, alice, check_in(10), nights=2)
    await harness.send(c.ConfirmBooking(booking_id=first, actor=alice), first)
    await harness.send(
        c.RescheduleBooking(booking_id=first, starts_at=check_in(11), nights=3, actor=owner), first
    )
    second, _ = await hold(harness, shop_id, wash, alice, datetime(2026, 4, 10, 9, tzinfo=BERLIN))
    await harness.send(c.CancelBooking(booking_id=second, actor=alice), second)

    async def snapshot():
        async with harness.sessions() as session:
            tables = {}
            for table in ("shop_catalog", "bookings"):
                rows = await session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
                tables[table] = [dict(r) for r in rows.mappings()]
            return tables

    live = await snapshot()
    assert {b["nights"] for b in live["bookings"]} == {3, None}
    async with harness.sessions() as session, session.begin():
        assert await rebuild(session, EventStore()) > 5
    assert await snapshot() == live


async def test_a_lengthened_stay_keeps_its_kennel_when_it_is_free(harness):
    shop_id, _, boarding, _ = await boarding_shop(harness, kennels=2)
    alice, bob = customer(shop_id), customer(shop_id)
    bobs, _ = await hold(harness, shop_id, boarding, bob, check_in(10), nights=2)
    alices, _ = await hold(harness, shop_id, boarding, alice, check_in(10), nights=2)
    kennel = "SELECT key FROM allocations WHERE booking_id = :b"
    second = await harness.scalar(kennel, b=alices)
    assert second != await harness.scalar(kennel, b=bobs)
    await harness.send(c.CancelBooking(booking_id=bobs, actor=bob), bobs)  # the first kennel is free now
    longer = c.RescheduleBooking(booking_id=alices, starts_at=check_in(10), nights=3, actor=alice)
    assert (await harness.send(longer, alices))["type"] == ACCEPTED
    assert await harness.scalar(kennel, b=alices) == second
