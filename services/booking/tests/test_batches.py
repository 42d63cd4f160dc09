"""A batch of one shop's commands in one transaction on the real database, the way the
consumer carries them out: in order, each seeing the ones before it; a taken time
refused alone, without undoing the batch; nothing double booked."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from frontdesk_booking.adapters import allocations
from frontdesk_booking.domain.placement import Placement
from frontdesk_booking.service_layer import allocation_view, bookings
from frontdesk_booking.service_layer.handlers import CONSUMER, commands
from frontdesk_contracts import Contract, Envelope, type_name
from frontdesk_contracts import booking as c
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .harness import Harness
from .test_handlers import Shop, at, pet_shop

pytestmark = pytest.mark.integration


def envelope(payload: Contract, shop: Shop) -> Envelope:
    return Envelope(
        type=type_name(type(payload)),
        source="test",
        aggregate_id=str(shop.id),  # a shop's commands are keyed by the shop
        data=payload.model_dump(mode="json"),
    )


def holding(shop: Shop, who: c.Actor, hour: int) -> tuple[UUID, Envelope]:
    booking_id = uuid4()
    command = c.HoldBooking(
        booking_id=booking_id,
        shop_id=shop.id,
        customer_id=who.user_id,
        service_id=shop.bath,
        starts_at=at(24, hour),
        actor=who,
    )
    return booking_id, envelope(command, shop)


async def verdicts(h: Harness, batch: list[Envelope]) -> list[dict]:
    rows = await h.rows(
        "SELECT envelope FROM outbox WHERE type LIKE 'booking.command.%' "
        "AND CAST(envelope AS jsonb)->>'causation_id' = ANY(:ids) ORDER BY id",
        ids=[str(e.id) for e in batch],
    )
    found = [json.loads(r[0]) for r in rows]
    by_cause = {f["causation_id"]: {"type": f["type"], **f["data"]} for f in found}
    return [by_cause[str(e.id)] for e in batch]


async def test_a_batch_of_holds_and_confirms_is_one_pass_each_command_seeing_the_ones_before(harness):
    shop = await pet_shop(harness)  # one groomer, one station: one booking at a time
    alice, bob, carol = shop.customer(), shop.customer(), shop.customer()
    first, hold_alice = holding(shop, alice, 10)
    _, hold_bob = holding(shop, bob, 10)  # the same time, later in the batch
    third, hold_carol = holding(shop, carol, 12)
    confirm_alice = envelope(c.ConfirmBooking(booking_id=first, actor=alice), shop)
    batch = [hold_alice, hold_bob, confirm_alice, hold_carol]

    pipeline = commands(harness.deps)
    outcomes = await pipeline.carry_out(CONSUMER, harness.deps.unit_of_work, batch)

    assert [o.kind for o in outcomes] == ["done"] * 4
    answered = await verdicts(harness, batch)
    assert [a["type"].split(".")[-2] for a in answered] == ["accepted", "rejected", "accepted", "accepted"]
    assert answered[1]["code"] == "slot_taken" and answered[1]["alternatives"]
    offered = {datetime.fromisoformat(a["starts_at"]) for a in answered[1]["alternatives"]}
    assert at(24, 10) not in offered
    assert answered[2]["booking"]["status"] == "confirmed"  # the confirm saw the hold before it
    assert await harness.events(first) == ["booking.booking.held.v1", "booking.booking.confirmed.v1"]
    assert await harness.events(third) == ["booking.booking.held.v1"]
    statuses = await harness.rows("SELECT id, status FROM bookings WHERE shop_id = :s", s=shop.id)
    assert dict(statuses) == {first: "confirmed", third: "held"}
    # the refusal needed nothing undone: the batches after it still go without savepoints
    assert pipeline._careful == 0


async def test_a_placement_half_taken_is_not_placed_at_all(harness):
    shop = await pet_shop(harness, groomers=2)
    start = at(24, 10)
    groomer, other = (s.user_id for s in shop.staff)
    station = uuid4()
    taken = Placement(start, start + timedelta(hours=1), start + timedelta(hours=1), groomer, (station,))
    wanted = Placement(start, start + timedelta(hours=1), start + timedelta(hours=1), other, (station,))
    booking_id = uuid4()
    async with harness.deps.unit_of_work() as uow:
        db = await uow.connection()
        assert await allocations.try_place(db, shop.id, uuid4(), taken, None)
        # the groomer is free, the station is not: neither is kept
        assert not await allocations.try_place(db, shop.id, booking_id, wanted, None)
        left = await db.fetchval("SELECT count(*) FROM allocations WHERE booking_id = $1", booking_id)
        assert left == 0
        # and the same booking can still take a free placement afterwards
        free = Placement(start, start + timedelta(hours=1), start + timedelta(hours=1), other, (uuid4(),))
        assert await allocations.try_place(db, shop.id, booking_id, free, None)
        await uow.commit()
    async with harness.sessions() as session:
        keys = (
            await session.execute(
                text("SELECT key FROM allocations WHERE booking_id = :b"), {"b": booking_id}
            )
        ).scalars()
        assert set(keys) == set(free.keys)


async def test_busy_times_come_merged_into_runs_per_staff_member_or_unit(harness):
    shop = await pet_shop(harness)
    groomer, station = shop.staff[0].user_id, uuid4()
    start, hour = at(24, 9), timedelta(hours=1)
    async with harness.deps.unit_of_work() as uow:
        db = await uow.connection()
        for n in (0, 1, 3):  # 9-10, 10-11 back to back, then 12-13
            placement = Placement(start + n * hour, start + (n + 1) * hour, start + (n + 1) * hour, groomer)
            assert await allocations.try_place(db, shop.id, uuid4(), placement, None)
        await allocations.try_place(
            db, shop.id, uuid4(), Placement(start, start, start + hour, None, (station,)), None
        )
        busy = await allocations.busy(db, shop.id, start, start + 8 * hour, harness.clock())
    assert sorted(busy) == sorted(
        [
            (groomer, start, start + 2 * hour),
            (groomer, start + 3 * hour, start + 4 * hour),
            (station, start, start + hour),
        ]
    )


async def test_a_bookings_rows_are_found_through_the_primary_key_in_a_busy_shop(harness):
    """Confirms, releases and promotions find a booking's rows through the primary key, not
    by scanning the whole exclusion index (30 ms a statement at 20,000 rows, and growing)."""
    shop = await pet_shop(harness)
    groomer, station = shop.staff[0].user_id, uuid4()
    async with harness.deps.unit_of_work() as uow:
        db = await uow.connection()
        await db.execute(  # 4,000 bookings of an hour each, a groomer and a station each
            "INSERT INTO allocations (booking_id, shop_id, key, kind, during) "
            "SELECT b.id, $1, k.key, 'current', tstzrange($2::timestamptz + b.n * interval '1 hour', "
            "$2::timestamptz + (b.n + 1) * interval '1 hour') "
            "FROM (SELECT n, gen_random_uuid() AS id FROM generate_series(0, 3999) AS n) AS b, "
            "(VALUES ($3::uuid), ($4::uuid)) AS k(key)",
            shop.id,
            at(24, 9),
            groomer,
            station,
        )
        await db.execute("ANALYZE allocations")
        booking_id = uuid4()
        for statement, args in (
            (allocations.CONFIRM, ([booking_id, uuid4()],)),
            (allocations.RELEASE, (booking_id, None)),
            (allocations.RELEASE, (booking_id, "proposed")),
            (allocations.PROMOTE, (booking_id,)),
        ):
            plan = "\n".join(row[0] for row in await db.fetch(f"EXPLAIN {statement}", *args))
            assert "allocations_pkey" in plan, plan


class Counted(UnitOfWork):
    """A unit of work that notes the statements sent on its asyncpg connection."""

    def __init__(self, *args: Any, sent: list[str]) -> None:
        super().__init__(*args)
        self._sent = sent
        self._logged: asyncpg.Connection | None = None

    async def connection(self) -> asyncpg.Connection:
        found = await super().connection()
        if self._logged is None:
            self._logged = found
            found.add_query_logger(self._note)
        return found

    def _note(self, record: Any) -> None:
        self._sent.append(record.query)

    async def __aexit__(self, *exc: Any) -> None:
        if self._logged is not None:
            self._logged.remove_query_logger(self._note)
        await super().__aexit__(*exc)


async def test_a_batch_reads_the_allocations_once_and_confirms_them_in_one_statement(harness):
    shop = await pet_shop(harness, groomers=2, stations=2)
    alice, bob, carol = shop.customer(), shop.customer(), shop.customer()
    held = [holding(shop, who, hour) for who, hour in ((alice, 9), (bob, 11), (carol, 14))]
    confirms = [
        envelope(c.ConfirmBooking(booking_id=booking_id, actor=who), shop)
        for (booking_id, _), who in zip(held, (alice, bob, carol), strict=True)
    ]
    batch = [command for _, command in held] + confirms
    sent: list[str] = []
    deps = replace(harness.deps, unit_of_work=lambda: Counted(harness.sessions, lambda t: t, sent=sent))

    await commands(deps).carry_out(CONSUMER, deps.unit_of_work, batch)

    answered = await verdicts(harness, batch)
    assert [a["type"].split(".")[-2] for a in answered] == ["accepted"] * 6
    on_allocations = [q.split()[0] for q in sent if "allocations" in q]
    assert on_allocations.count("SELECT") == 1  # the three times' allocations, read at once
    assert on_allocations.count("INSERT") == 1  # the three holds, known free, placed at once
    assert on_allocations.count("UPDATE") == 1  # the three confirms
    lapsing = await harness.scalar(
        "SELECT count(*) FROM allocations WHERE booking_id = ANY(:b) AND expires_at IS NOT NULL",
        b=[booking_id for booking_id, _ in held],
    )
    assert lapsing == 0


async def test_a_hold_the_batch_let_go_of_leaves_its_time_to_the_next_customer(harness):
    """A hold not yet inserted is inserted before the cancel's statement, which then
    removes it: the time goes to the next customer and nothing of the first is left."""
    shop = await pet_shop(harness)  # one groomer, one station
    alice, bob = shop.customer(), shop.customer()
    first, hold_alice = holding(shop, alice, 10)
    second, hold_bob = holding(shop, bob, 10)
    cancel_alice = envelope(c.CancelBooking(booking_id=first, actor=alice), shop)
    batch = [hold_alice, cancel_alice, hold_bob]

    pipeline = commands(harness.deps)
    await pipeline.carry_out(CONSUMER, harness.deps.unit_of_work, batch)

    answered = await verdicts(harness, batch)
    assert [a["type"].split(".")[-2] for a in answered] == ["accepted"] * 3
    assert pipeline._careful == 0  # in one pass: nothing had to be done again
    rows = await harness.rows("SELECT booking_id FROM allocations WHERE shop_id = :s", s=shop.id)
    assert {booking_id for (booking_id,) in rows} == {second}


async def test_a_time_taken_behind_the_batchs_back_is_refused_when_the_batch_is_done_again(
    harness, monkeypatch
):
    """Another transaction takes the time after the batch read it: the held-back insert is
    refused by the table, and the batch, carried out again command by command, refuses the
    hold with alternatives. The customer who got there first keeps the time."""
    shop = await pet_shop(harness)  # one groomer, one station
    mine, hold = holding(shop, shop.customer(), 10)
    theirs = uuid4()
    read = allocations.rows
    taken: list[bool] = []

    async def read_then_lose_the_race(*args: Any) -> Any:
        found = await read(*args)
        if not taken:
            taken.append(True)
            async with harness.deps.unit_of_work() as other:
                groomer = shop.staff[0].user_id  # the only one
                booked = Placement(at(24, 9), at(24, 11), at(24, 11), groomer)
                assert await allocations.try_place(await other.connection(), shop.id, theirs, booked, None)
                await other.commit()
        return found

    monkeypatch.setattr(allocations, "rows", read_then_lose_the_race)
    pipeline = commands(harness.deps)
    outcomes = await pipeline.carry_out(CONSUMER, harness.deps.unit_of_work, [hold])

    assert [o.kind for o in outcomes] == ["done"]
    [answer] = await verdicts(harness, [hold])
    assert answer["type"].split(".")[-2] == "rejected" and answer["code"] == "slot_taken"
    rows = await harness.rows("SELECT DISTINCT booking_id FROM allocations WHERE shop_id = :s", s=shop.id)
    assert [booking_id for (booking_id,) in rows] == [theirs]
    assert mine not in {booking_id for (booking_id,) in rows}
    assert pipeline._careful > 0  # it was carried out again, carefully


async def test_alternatives_leave_out_what_the_batch_took_after_they_were_first_read(harness):
    shop = await pet_shop(harness)  # one groomer, one station
    first, (_, taken), later = (holding(shop, shop.customer(), 14) for _ in range(3))
    quarter_to_one = c.HoldBooking(
        booking_id=uuid4(),
        shop_id=shop.id,
        customer_id=(who := shop.customer()).user_id,
        service_id=shop.bath,
        starts_at=at(24, 12, 45),
        actor=who,
    )
    # the second hold at 14:00 is refused (the days around are read then); 12:45 is taken
    # after that; the last hold at 14:00 must not be offered 12:45 (nor anything overlapping it)
    batch = [first[1], taken, envelope(quarter_to_one, shop), later[1]]
    sent: list[str] = []
    deps = replace(harness.deps, unit_of_work=lambda: Counted(harness.sessions, lambda t: t, sent=sent))

    await commands(deps).carry_out(CONSUMER, deps.unit_of_work, batch)

    answered = await verdicts(harness, batch)
    assert [a["type"].split(".")[-2] for a in answered] == ["accepted", "rejected", "accepted", "rejected"]
    # the days around read while both holds were held back, then inserted together
    assert [q.split()[0] for q in sent if "allocations" in q].count("INSERT") == 1
    assert at(24, 12, 45) in {datetime.fromisoformat(a["starts_at"]) for a in answered[1]["alternatives"]}
    offered = [datetime.fromisoformat(a["starts_at"]) for a in answered[3]["alternatives"]]
    assert offered and all(not at(24, 11, 30) < start < at(24, 14) for start in offered)


async def test_customers_refused_for_one_time_in_a_batch_are_offered_what_one_search_found_each_with_another_first(
    harness, monkeypatch
):
    shop = await pet_shop(harness)  # one groomer, one station
    batch = [holding(shop, shop.customer(), 14)[1] for _ in range(4)]
    searches: list[datetime] = []
    search = bookings.nearest

    def counted(*args: Any, **kwargs: Any) -> Any:
        searches.append(args[2])
        return search(*args, **kwargs)

    monkeypatch.setattr(bookings, "nearest", counted)

    await commands(harness.deps).carry_out(CONSUMER, harness.deps.unit_of_work, batch)

    answered = await verdicts(harness, batch)
    assert [a["type"].split(".")[-2] for a in answered] == ["accepted", *["rejected"] * 3]
    offered = [[a["starts_at"] for a in answer["alternatives"]] for answer in answered[1:]]
    assert len(offered[0]) == 3 and all(sorted(times) == sorted(offered[0]) for times in offered)
    # each with a different time first: taking it, they do not all meet at one time again
    assert len({times[0] for times in offered}) == 3
    assert offered[0] == sorted(offered[0])  # the first refused: in time order, as ever
    assert searches == [at(24, 14)]  # nothing changed between the refusals: searched once


async def test_after_an_undone_savepoint_a_release_frees_the_time_in_what_the_batch_read(harness):
    shop = await pet_shop(harness)
    who = shop.customer()
    booking_id, hold = holding(shop, who, 10)
    confirm = envelope(c.ConfirmBooking(booking_id=booking_id, actor=who), shop)
    await commands(harness.deps).carry_out(CONSUMER, harness.deps.unit_of_work, [hold, confirm])
    groomer = shop.staff[0].user_id
    async with harness.deps.unit_of_work() as uow:
        # an undone savepoint forgets which bookings the batch names: nothing may come merged
        view = allocation_view.of(uow)
        occupancy = await view.occupancy(shop.id, at(24, 9), at(24, 12), uuid4())
        assert not occupancy.seen_at(harness.clock()).is_free(groomer, at(24, 10), at(24, 11))
        await view.release(booking_id)
        assert occupancy.seen_at(harness.clock()).is_free(groomer, at(24, 10), at(24, 11))
