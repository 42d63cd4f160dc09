"""A booking of several services: the chain search (pure), and on the real database a
chain whose parts the same groomer does, its .v3 events, and staff notes kept apart."""

from datetime import UTC, date, datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from frontdesk_booking.domain.chain import chains_at, check_steps
from frontdesk_booking.domain.common import InvalidRequest
from frontdesk_booking.domain.placement import Busy
from frontdesk_booking.domain.services import Service
from frontdesk_contracts import booking as c

from .factories import NOW, pet_shop
from .test_handlers import pet_shop as pet_shop_on_db

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 24)


def local(hh: int, mm: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hh, mm, tzinfo=BERLIN).astimezone(UTC)


def nail_trim(minutes: int = 30) -> Service:
    return Service(uuid4(), "Nail trim", minutes, price_cents=3000, skill="groom")


def test_the_next_service_starts_when_the_one_before_is_over_even_off_the_slot_grid():
    shop, owner, bath, (groomer,) = pet_shop()  # bath: 60 min + 15 min buffer, 15-minute grid
    trim = nail_trim()
    shop.define_service(owner, trim, NOW)
    (chain,) = chains_at(shop, [(bath, None), (trim, None)], local(10), [], NOW)
    assert [(p.starts_at, p.ends_at) for p in chain] == [
        (local(10), local(11)),
        (local(11, 15), local(11, 45)),
    ]
    assert {p.staff_id for p in chain} == {groomer}  # the same groomer does both


def test_no_chain_when_a_later_part_is_taken_or_past_the_working_day():
    shop, owner, bath, (groomer,) = pet_shop()
    trim = nail_trim()
    shop.define_service(owner, trim, NOW)
    steps = [(bath, None), (trim, None)]
    assert chains_at(shop, steps, local(10), [Busy(groomer, local(11, 30), local(12))], NOW) == []
    assert chains_at(shop, steps, local(15, 45), [], NOW) == []  # the trim would end at 17:15


def test_a_list_of_services_has_two_to_five_and_no_stay():
    _, _, bath, _ = pet_shop()
    with pytest.raises(InvalidRequest):
        check_steps([(bath, None)])
    with pytest.raises(InvalidRequest):
        check_steps([(bath, None)] * 6)
    stay = Service(
        uuid4(),
        "Boarding",
        1440,
        resource_types=("kennel",),
        needs_staff=False,
        per_night=True,
        check_in=time(15),
        check_out=time(11),
    )
    with pytest.raises(InvalidRequest):
        check_steps([(bath, None), (stay, None)])


@pytest.mark.integration
async def test_one_groomer_bathes_then_trims_in_one_booking_published_as_v3(harness):
    shop = await pet_shop_on_db(harness)
    trim = c.ServiceTerms(service_id=uuid4(), name="Nail trim", duration_minutes=30, skill="groom")
    await harness.send(c.DefineService(shop_id=shop.id, service=trim, actor=shop.owner), shop.id)
    alice = shop.customer()
    booking_id = uuid4()
    start = datetime(2026, 3, 24, 10, tzinfo=BERLIN)
    reply = await harness.send(
        c.HoldBooking(
            booking_id=booking_id,
            shop_id=shop.id,
            customer_id=alice.user_id,
            service_id=shop.bath,
            starts_at=start,
            services=[c.ServiceChoice(service_id=shop.bath), c.ServiceChoice(service_id=trim.service_id)],
            customer_note="怕吹风机",
            actor=alice,
        ),
        booking_id,
    )
    assert reply["type"] == "booking.command.accepted.v1", reply
    # Two allocation rows for the one groomer, one per part (and the bath station's).
    rows = await harness.scalar(
        "SELECT count(*) FROM allocations WHERE booking_id = :b AND key = :k",
        b=booking_id,
        k=shop.staff[0].user_id,
    )
    assert rows == 2
    note = c.AddStaffNote(booking_id=booking_id, note_id=uuid4(), text="上次掉毛严重", actor=shop.staff[0])
    assert (await harness.send(note, booking_id))["type"] == "booking.command.accepted.v1"
    assert await harness.events(booking_id) == ["booking.booking.held.v3", "booking.staff_note.added.v1"]
    held = await harness.scalar(
        "SELECT envelope FROM outbox WHERE key = :k AND type = 'booking.booking.held.v3'", k=str(booking_id)
    )
    assert "上次掉毛严重" not in held and "怕吹风机" in held
