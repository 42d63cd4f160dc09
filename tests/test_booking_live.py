"""The shop sees every booking as it happens: staff sockets get each change within a
second, a customer gets only their own."""

import asyncio
import time

import pytest

from .booking_shop import days_ahead, set_up

pytestmark = pytest.mark.e2e


async def test_a_staff_socket_sees_a_customers_booking_move_and_cancel_within_a_second(api):
    shop = await set_up(api)
    groomer = shop.staff[0]
    alice = await api.customer(shop.owner.shop_id, "Alice")
    bob = await api.customer(shop.owner.shop_id, "Bob")
    counter, alices_phone, bobs_phone = (
        await api.device(groomer),
        await api.device(alice),
        await api.device(bob),
    )
    day = days_ahead(4)

    async def seen_within_a_second(kind: str, booking_id: str) -> dict:
        started = time.monotonic()
        frame = await counter.next(kind, timeout=5)
        assert frame["booking"]["booking_id"] == booking_id
        assert time.monotonic() - started < 1, f"{kind} took {time.monotonic() - started:.2f}s"
        return frame

    held = await shop.hold(alice, shop.local(day, 10))
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    await seen_within_a_second("booking.held", booking_id)
    assert (await shop.step(alice, booking_id, "confirm")).status_code == 200
    await seen_within_a_second("booking.confirmed", booking_id)
    moved = await shop.step(alice, booking_id, "reschedule", {"starts_at": shop.local(day, 14)})
    assert moved.status_code == 200, moved.text
    frame = await seen_within_a_second("booking.moved", booking_id)
    assert frame["booking"]["starts_at"] == moved.json()["starts_at"].replace("+00:00", "Z")
    assert (await shop.step(alice, booking_id, "cancel")).status_code == 200
    frame = await seen_within_a_second("booking.cancelled", booking_id)
    assert frame["booking"]["status"] == "cancelled"

    # The customer's own devices follow their booking; another customer hears nothing of it.
    for kind in ("booking.held", "booking.confirmed", "booking.moved", "booking.cancelled"):
        assert (await alices_phone.next(kind, timeout=5))["booking"]["booking_id"] == booking_id
    await asyncio.sleep(0.5)
    assert not [f for f in bobs_phone.frames if f["type"].startswith(("booking.", "waitlist."))]
    for device in (counter, alices_phone, bobs_phone):
        await device.close()
