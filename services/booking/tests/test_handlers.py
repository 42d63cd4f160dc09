"""The booking handlers on the real database: setup, hold → confirm, no double booking
under concurrency, expiry, policy, proposals, waitlist, and rebuilt == live."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from frontdesk_booking.entrypoints.http import Booking as ApiBooking
from frontdesk_booking.projections import bookings as booking_rows
from frontdesk_booking.projections.rebuild import rebuild
from frontdesk_booking.service_layer.sweeper import expire_holds
from frontdesk_contracts import booking as c
from frontdesk_platform.eventstore import EventStore
from sqlalchemy import text

from .harness import Harness

pytestmark = pytest.mark.integration
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Shop:
    id: UUID
    owner: c.Actor
    staff: list[c.Actor]
    bath: UUID

    def customer(self) -> c.Actor:
        return c.Actor(user_id=uuid4(), role="customer", shop_id=self.id)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


async def pet_shop(h: Harness, groomers: int = 1, stations: int = 1, **policy: int) -> Shop:
    shop_id = uuid4()
    owner = c.Actor(user_id=uuid4(), role="owner", shop_id=shop_id)
    replies = [
        await h.send(
            c.ConfigureShop(
                shop_id=shop_id, timezone="Europe/Berlin", policy=c.Policy(**policy), actor=owner
            ),
            shop_id,
        )
    ]
    bath = uuid4()
    service = c.ServiceTerms(
        service_id=bath,
        name="Bath",
        duration_minutes=60,
        buffer_minutes=15,
        skill="groom",
        resource_types=["bath"],
    )
    replies.append(await h.send(c.DefineService(shop_id=shop_id, service=service, actor=owner), shop_id))
    resource = c.ResourceTerms(resource_id=uuid4(), name="Stations", type="bath", capacity=stations)
    replies.append(await h.send(c.DefineResource(shop_id=shop_id, resource=resource, actor=owner), shop_id))
    staff = []
    for n in range(groomers):
        member = c.Actor(user_id=uuid4(), role="staff", shop_id=shop_id)
        hours = [c.WeeklyPeriod(weekday=d, start=time(9), end=time(17)) for d in range(7)]
        profile = c.StaffTerms(staff_id=member.user_id, name=f"Groomer {n}", skills=["groom"], hours=hours)
        replies.append(
            await h.send(c.SetStaffProfile(shop_id=shop_id, profile=profile, actor=owner), shop_id)
        )
        staff.append(member)
    assert {r["type"] for r in replies} == {"booking.command.accepted.v1"}, replies
    return Shop(shop_id, owner, staff, bath)


async def hold(h: Harness, shop: Shop, who: c.Actor, start: datetime, **extra) -> tuple[UUID, dict]:
    booking_id = uuid4()
    command = c.HoldBooking(
        booking_id=booking_id,
        shop_id=shop.id,
        customer_id=extra.pop("customer_id", who.user_id),
        service_id=shop.bath,
        starts_at=start,
        actor=who,
        **extra,
    )
    return booking_id, await h.send(command, booking_id)


async def test_setup_by_staff_is_refused_and_nothing_is_written(harness):
    shop = await pet_shop(harness)
    staff = shop.staff[0]
    reply = await harness.send(
        c.ConfigureShop(shop_id=shop.id, timezone="UTC", policy=c.Policy(), actor=staff), shop.id
    )
    assert reply["code"] == "forbidden"
    assert await harness.scalar(
        "SELECT setup->>'timezone' FROM shop_catalog WHERE shop_id = :s", s=shop.id
    ) == ("Europe/Berlin")


async def test_hold_then_confirm_and_the_time_is_taken_for_everyone_else(harness):
    shop = await pet_shop(harness)
    alice, bob = shop.customer(), shop.customer()
    booking_id, reply = await hold(harness, shop, alice, at(24, 10))
    assert reply["type"] == "booking.command.accepted.v1"
    confirmed = await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    assert confirmed["type"] == "booking.command.accepted.v1"
    assert await harness.events(booking_id) == ["booking.booking.held.v1", "booking.booking.confirmed.v1"]

    _, taken = await hold(harness, shop, bob, at(24, 10, 30))
    assert taken["code"] == "slot_taken"
    starts = [
        datetime.fromisoformat(s["starts_at"]).astimezone(BERLIN).strftime("%H:%M")
        for s in taken["alternatives"]
    ]
    assert starts == ["11:15", "11:30", "11:45"]
    _, closed = await hold(harness, shop, bob, at(24, 20))
    assert closed["code"] == "not_bookable"


async def read_back(harness: Harness, shop: Shop, booking_id: UUID) -> dict:
    """The booking as the internal API answers GET .../bookings/{id}."""
    async with harness.sessions() as session:
        row = await booking_rows.get(session, shop.id, booking_id)
    return ApiBooking(**row).model_dump(mode="json")


async def test_a_verdict_carries_the_booking_as_a_read_would_show_it(harness):
    shop = await pet_shop(harness)
    alice, owner = shop.customer(), shop.owner
    booking_id, held = await hold(harness, shop, alice, at(24, 10))
    assert held["booking"] == await read_back(harness, shop, booking_id)
    assert held["booking"]["status"] == "held" and held["booking"]["hold_expires_at"]

    again = await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    assert again["booking"]["status"] == "confirmed"
    assert again["booking"] == await read_back(harness, shop, booking_id)
    proposed = await harness.send(
        c.ProposeChange(booking_id=booking_id, starts_at=at(24, 14), actor=owner), booking_id
    )
    assert proposed["booking"]["proposal"] and proposed["booking"] == await read_back(
        harness, shop, booking_id
    )
    repeated = await harness.send(
        c.HoldBooking(
            booking_id=booking_id,
            shop_id=shop.id,
            customer_id=alice.user_id,
            service_id=shop.bath,
            starts_at=at(24, 10),
            actor=alice,
        ),
        booking_id,
    )
    assert repeated["duplicate"] and repeated["booking"] == await read_back(harness, shop, booking_id)

    harness.clock.now = at(24, 10)
    checked_in = await harness.send(c.CheckIn(booking_id=booking_id, actor=shop.staff[0]), booking_id)
    # from here on progress updates belong to the view, and only their table knows them
    assert checked_in["type"] == "booking.command.accepted.v1" and checked_in["booking"] is None


async def test_two_hundred_concurrent_holds_at_twenty_times_give_exactly_twenty_bookings(harness):
    shop = await pet_shop(harness, groomers=2, stations=1)
    starts = (
        [at(24, 9) + timedelta(minutes=75 * n) for n in range(6)]
        + [at(25, 9) + timedelta(minutes=75 * n) for n in range(6)]
        + [at(26, 9) + timedelta(minutes=75 * n) for n in range(6)]
        + [at(27, 9), at(27, 10, 15)]
    )
    assert len(starts) == 20
    customers = [shop.customer() for _ in range(200)]
    results = await asyncio.gather(
        *(hold(harness, shop, who, starts[n % 20]) for n, who in enumerate(customers))
    )
    accepted = [r for _, r in results if r["type"] == "booking.command.accepted.v1"]
    assert len(accepted) == 20  # one bath station: one booking per time, whichever groomer
    assert {r["code"] for _, r in results if r not in accepted} == {"slot_taken"}
    assert await harness.scalar("SELECT count(*) FROM bookings WHERE status = 'held'") == 20
    overlaps = await harness.scalar(
        "SELECT count(*) FROM allocations a JOIN allocations b ON a.key = b.key "
        "AND a.booking_id < b.booking_id AND a.during && b.during"
    )
    assert overlaps == 0


async def test_two_bath_stations_take_two_bookings_at_once_and_not_three(harness):
    shop = await pet_shop(harness, groomers=3, stations=2)
    replies = [(await hold(harness, shop, shop.customer(), at(24, 10)))[1] for _ in range(3)]
    assert [r["type"].rsplit(".", 2)[-2] for r in replies] == ["accepted", "accepted", "rejected"]


async def test_an_unconfirmed_hold_expires_and_the_time_is_free_again(harness):
    shop = await pet_shop(harness, hold_minutes=10)
    alice, bob = shop.customer(), shop.customer()
    first, _ = await hold(harness, shop, alice, at(24, 10))
    harness.clock.now += timedelta(minutes=10)
    _, reply = await hold(harness, shop, bob, at(24, 10))  # the expired hold is out of the way
    assert reply["type"] == "booking.command.accepted.v1"
    assert "booking.booking.expired.v1" in await harness.events(first)
    late = await harness.send(c.ConfirmBooking(booking_id=first, actor=alice), first)
    assert late["code"] == "hold_expired"


async def test_the_sweeper_appends_the_expiry_event(harness):
    shop = await pet_shop(harness, hold_minutes=5)
    booking_id, _ = await hold(harness, shop, shop.customer(), at(24, 10))
    assert await expire_holds(harness.deps) == 0
    harness.clock.now += timedelta(minutes=6)
    assert await expire_holds(harness.deps) == 1
    assert await harness.events(booking_id) == ["booking.booking.held.v1", "booking.booking.expired.v1"]
    assert await harness.scalar("SELECT count(*) FROM allocations WHERE booking_id = :b", b=booking_id) == 0


async def test_customer_changes_within_policy_and_the_shop_at_any_time(harness):
    shop = await pet_shop(harness, cancel_cutoff_hours=24, reschedule_cutoff_hours=24)
    alice = shop.customer()
    booking_id, _ = await hold(harness, shop, alice, at(24, 10))
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    moved = await harness.send(
        c.RescheduleBooking(booking_id=booking_id, starts_at=at(24, 14), actor=alice), booking_id
    )
    assert moved["type"] == "booking.command.accepted.v1"
    harness.clock.now = at(23, 15)  # 23 hours before
    for command in (
        c.RescheduleBooking(booking_id=booking_id, starts_at=at(24, 15), actor=alice),
        c.CancelBooking(booking_id=booking_id, actor=alice),
    ):
        assert (await harness.send(command, booking_id))["code"] == "outside_policy"
    by_shop = await harness.send(
        c.RescheduleBooking(booking_id=booking_id, starts_at=at(24, 9), actor=shop.staff[0]), booking_id
    )
    assert by_shop["type"] == "booking.command.accepted.v1"
    assert await harness.scalar("SELECT starts_at FROM bookings WHERE id = :b", b=booking_id) == at(24, 9)
    cancelled = await harness.send(
        c.CancelBooking(booking_id=booking_id, reason="ill", actor=shop.owner), booking_id
    )
    assert cancelled["type"] == "booking.command.accepted.v1"
    assert await harness.scalar("SELECT count(*) FROM allocations") == 0


async def test_a_shop_proposal_reserves_the_new_time_until_answered(harness):
    shop = await pet_shop(harness)
    alice, bob = shop.customer(), shop.customer()
    booking_id, _ = await hold(harness, shop, alice, at(24, 10))
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    proposal = c.ProposeChange(
        booking_id=booking_id, starts_at=at(24, 10, 30), note="groomer late; 10% off", actor=shop.owner
    )
    assert (await harness.send(proposal, booking_id))["type"] == "booking.command.accepted.v1"
    _, reply = await hold(
        harness, shop, bob, at(24, 14) - timedelta(hours=2, minutes=30)
    )  # 11:30 is in the proposal
    assert reply["code"] == "slot_taken"
    accepted = await harness.send(c.AcceptChange(booking_id=booking_id, actor=alice), booking_id)
    assert accepted["type"] == "booking.command.accepted.v1"
    assert await harness.scalar("SELECT starts_at FROM bookings WHERE id = :b", b=booking_id) == at(
        24, 10, 30
    )
    assert await harness.scalar("SELECT count(*) FROM allocations WHERE booking_id = :b", b=booking_id) == 2


async def test_a_declined_proposal_cancels_the_booking_unless_the_shop_keeps_it(harness):
    shop = await pet_shop(harness)
    alice = shop.customer()
    booking_id, _ = await hold(harness, shop, alice, at(24, 10))
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    await harness.send(
        c.ProposeChange(booking_id=booking_id, starts_at=at(24, 15), actor=shop.owner), booking_id
    )
    await harness.send(c.DeclineChange(booking_id=booking_id, actor=alice), booking_id)
    assert await harness.scalar("SELECT status FROM bookings WHERE id = :b", b=booking_id) == "cancelled"
    assert await harness.scalar("SELECT count(*) FROM allocations") == 0


async def test_a_freed_time_is_offered_to_the_first_waiting_customer(harness):
    shop = await pet_shop(harness)
    alice, bob, carol = shop.customer(), shop.customer(), shop.customer()
    booking_id, _ = await hold(harness, shop, alice, at(24, 10))
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    entries = []
    for who in (bob, carol):
        harness.clock.now += timedelta(seconds=1)
        entry_id = uuid4()
        join = c.JoinWaitlist(
            entry_id=entry_id,
            shop_id=shop.id,
            customer_id=who.user_id,
            service_id=shop.bath,
            starts_at=at(24, 10),
            actor=who,
        )
        assert (await harness.send(join, entry_id))["type"] == "booking.command.accepted.v1"
        entries.append(entry_id)
    free = c.JoinWaitlist(
        entry_id=uuid4(),
        shop_id=shop.id,
        customer_id=bob.user_id,
        service_id=shop.bath,
        starts_at=at(24, 14),
        actor=bob,
    )
    assert (await harness.send(free, free.entry_id))["code"] == "slot_available"

    cancelled = await harness.send(c.CancelBooking(booking_id=booking_id, actor=alice), booking_id)
    assert cancelled["type"] == "booking.command.accepted.v1", cancelled
    offered = await harness.scalar(
        "SELECT booking_id FROM waitlist WHERE id = :e AND status = 'offered'", e=entries[0]
    )
    assert offered is not None
    assert (
        await harness.scalar("SELECT customer_id FROM bookings WHERE id = :b AND status = 'held'", b=offered)
        == bob.user_id
    )
    assert await harness.scalar("SELECT status FROM waitlist WHERE id = :e", e=entries[1]) == "waiting"
    confirmed = await harness.send(c.ConfirmBooking(booking_id=offered, actor=bob), offered)
    assert confirmed["type"] == "booking.command.accepted.v1"
    assert await harness.scalar("SELECT status FROM waitlist WHERE id = :e", e=entries[0]) == "booked"
    assert await harness.scalar("SELECT status FROM waitlist WHERE id = :e", e=entries[1]) == "waiting"


async def test_a_declined_or_expired_offer_passes_to_the_next_in_line(harness):
    shop = await pet_shop(harness, waitlist_hold_minutes=30)
    alice, bob, carol, dave = (shop.customer() for _ in range(4))
    booking_id, _ = await hold(harness, shop, alice, at(24, 10))
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    entries = []
    for who in (bob, carol, dave):
        harness.clock.now += timedelta(seconds=1)
        entry_id = uuid4()
        join = c.JoinWaitlist(
            entry_id=entry_id,
            shop_id=shop.id,
            customer_id=who.user_id,
            service_id=shop.bath,
            starts_at=at(24, 10),
            actor=who,
        )
        assert (await harness.send(join, entry_id))["type"] == "booking.command.accepted.v1"
        entries.append(entry_id)

    async def statuses() -> list[str]:
        return [await harness.scalar("SELECT status FROM waitlist WHERE id = :e", e=e) for e in entries]

    async def offered_to(entry_id: UUID) -> UUID:
        return await harness.scalar("SELECT booking_id FROM waitlist WHERE id = :e", e=entry_id)

    await harness.send(c.CancelBooking(booking_id=booking_id, actor=alice), booking_id)
    assert await statuses() == ["offered", "waiting", "waiting"]
    bobs = await offered_to(entries[0])
    declined = await harness.send(c.CancelBooking(booking_id=bobs, actor=bob, reason="declined"), bobs)
    assert declined["type"] == "booking.command.accepted.v1", declined
    assert await statuses() == ["declined", "offered", "waiting"]
    assert "booking.waitlist.declined.v1" in await harness.events(entries[0])

    harness.clock.now += timedelta(minutes=31)
    assert await expire_holds(harness.deps) == 1
    assert await statuses() == ["declined", "expired", "offered"]
    assert "booking.waitlist.expired.v1" in await harness.events(entries[1])
    daves = await offered_to(entries[2])
    confirmed = await harness.send(c.ConfirmBooking(booking_id=daves, actor=dave), daves)
    assert confirmed["type"] == "booking.command.accepted.v1"
    assert await statuses() == ["declined", "expired", "booked"]


async def test_the_day_of_service_and_the_pets_history(harness):
    shop = await pet_shop(harness)
    alice, groomer = shop.customer(), shop.staff[0]
    pet_id = uuid4()
    profile = c.PetProfile(name="Mochi", species="dog", breed="Golden Retriever", allergies=["chicken"])
    register = c.RegisterPet(
        pet_id=pet_id, shop_id=shop.id, customer_id=alice.user_id, profile=profile, actor=alice
    )
    assert (await harness.send(register, pet_id))["type"] == "booking.command.accepted.v1"
    booking_id, _ = await hold(harness, shop, alice, at(24, 10), pet_id=pet_id)
    await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    harness.clock.now = at(24, 10)
    for command in (
        c.CheckIn(booking_id=booking_id, actor=groomer),
        c.StartService(booking_id=booking_id, actor=groomer),
        c.PostProgress(booking_id=booking_id, update_id=uuid4(), text="已经开始洗澡了", actor=groomer),
        c.PostProgress(
            booking_id=booking_id, update_id=uuid4(), photo_ref="s3://photos/mochi.jpg", actor=groomer
        ),
        c.CompleteBooking(booking_id=booking_id, actor=groomer),
    ):
        assert (await harness.send(command, booking_id))["type"] == "booking.command.accepted.v1", command
    assert (await harness.events(booking_id))[-3:] == [
        "booking.booking.progress_posted.v1",
        "booking.booking.progress_posted.v1",
        "booking.booking.completed.v1",
    ]
    assert (
        await harness.scalar("SELECT count(*) FROM booking_updates WHERE booking_id = :b", b=booking_id) == 2
    )
    assert await harness.scalar("SELECT count(*) FROM bookings WHERE pet_id = :p", p=pet_id) == 1
    someone_elses = c.RegisterPet(
        pet_id=uuid4(), shop_id=shop.id, customer_id=uuid4(), profile=profile, actor=alice
    )
    assert (await harness.send(someone_elses, someone_elses.pet_id))["code"] == "forbidden"


async def test_a_redelivered_command_changes_nothing(harness):
    shop = await pet_shop(harness)
    alice = shop.customer()
    booking_id, _ = await hold(harness, shop, alice, at(24, 10))
    again = c.HoldBooking(
        booking_id=booking_id,
        shop_id=shop.id,
        customer_id=alice.user_id,
        service_id=shop.bath,
        starts_at=at(24, 10),
        actor=alice,
    )
    assert (await harness.send(again, booking_id))["duplicate"] is True
    assert await harness.events(booking_id) == ["booking.booking.held.v1"]


async def test_rebuilt_read_models_equal_the_live_ones(harness):
    shop = await pet_shop(harness, groomers=2)
    alice = shop.customer()
    pet_id = uuid4()
    profile = c.PetProfile(name="Mochi", species="dog")
    await harness.send(
        c.RegisterPet(
            pet_id=pet_id, shop_id=shop.id, customer_id=alice.user_id, profile=profile, actor=alice
        ),
        pet_id,
    )
    ids = [
        (await hold(harness, shop, alice, at(24, 9) + timedelta(hours=n), pet_id=pet_id))[0] for n in range(4)
    ]
    await harness.send(c.ConfirmBooking(booking_id=ids[0], actor=alice), ids[0])
    await harness.send(c.CancelBooking(booking_id=ids[1], actor=alice), ids[1])
    await harness.send(c.RescheduleBooking(booking_id=ids[2], starts_at=at(25, 9), actor=alice), ids[2])
    groomer, offs = shop.staff[0].user_id, [uuid4(), uuid4()]
    for n, off in enumerate(offs):
        window = {"starts_at": at(26 + n, 9), "ends_at": at(26 + n, 12)}
        add = c.AddTimeOff(shop_id=shop.id, staff_id=groomer, time_off_id=off, actor=shop.owner, **window)
        assert (await harness.send(add, shop.id))["type"] == "booking.command.accepted.v1"
    await harness.send(
        c.RemoveTimeOff(shop_id=shop.id, staff_id=groomer, time_off_id=offs[0], actor=shop.owner), shop.id
    )
    entry = uuid4()
    await harness.send(
        c.JoinWaitlist(
            entry_id=entry,
            shop_id=shop.id,
            customer_id=alice.user_id,
            service_id=shop.bath,
            starts_at=at(24, 9),
            staff_id=ids and shop.staff[0].user_id,
            actor=alice,
        ),
        entry,
    )

    async def snapshot():
        async with harness.sessions() as session:
            tables = {}
            for table in (
                "shop_catalog",
                "bookings",
                "booking_updates",
                "waitlist",
                "pets",
                "calendar_entries",
            ):
                rows = await session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
                # A calendar row's place in commit order is new after a rebuild (devices catch up).
                tables[table] = [
                    {k: v for k, v in r.items() if k not in ("changed_xid", "changed_id")}
                    for r in rows.mappings()
                ]
            return tables

    live = await snapshot()
    # Every booking and both time offs, one of them withdrawn.
    assert len(live["calendar_entries"]) == len(live["bookings"]) + 2
    async with harness.sessions() as session, session.begin():
        assert await rebuild(session, EventStore()) > 10
    assert await snapshot() == live


async def test_a_customer_note_is_stored_sealed_and_a_hold_without_one_needs_no_key(harness):
    shop = await pet_shop(harness)
    alice, bob = shop.customer(), shop.customer()
    await hold(harness, shop, bob, at(24, 14))
    assert await harness.scalar("SELECT count(*) FROM customer_keys") == 0  # no key lookup or key made
    booking_id, reply = await hold(harness, shop, alice, at(24, 10), customer_note="住在幸福路8号")
    assert reply["type"] == "booking.command.accepted.v1"
    stored = await harness.scalar(
        "SELECT data->>'customer_note' FROM events WHERE stream_id = :s", s=f"booking-{booking_id}"
    )
    assert stored.startswith("sealed:v1:") and "幸福路" not in stored
    assert (await read_back(harness, shop, booking_id))["customer_note"] == "住在幸福路8号"
    # the aggregate loads it opened: a later event's contract still carries it
    confirmed = await harness.send(c.ConfirmBooking(booking_id=booking_id, actor=alice), booking_id)
    assert confirmed["type"] == "booking.command.accepted.v1"
    async with harness.sessions() as session:
        envelope = (
            await session.execute(
                text("SELECT envelope FROM outbox WHERE type = 'booking.booking.confirmed.v1' AND key = :k"),
                {"k": str(booking_id)},
            )
        ).scalar_one()
    assert "幸福路" in envelope and "sealed:v1:" not in envelope
