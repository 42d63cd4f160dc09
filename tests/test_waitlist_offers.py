"""A freed time reaches the waitlist through the gateway like the apps see it: the first
waiting customer is told in their conversation (socket) and by push (development sink)
and books in one tap; a declined or expired offer (10 s in tests) goes to the next."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .booking_shop import BookingShop, days_ahead, set_up
from .client import Account

pytestmark = pytest.mark.e2e


async def _full_at(shop: BookingShop, when: str) -> str:
    """Alice books the shop's only groomer at `when`; returns her booking id."""
    alice = await shop.api.customer(shop.owner.shop_id, "Alice")
    booking = (await shop.hold(alice, when)).json()
    assert (await shop.step(alice, booking["id"], "confirm")).json()["status"] == "confirmed"
    return str(booking["id"])


async def _wait_in_line(shop: BookingShop, name: str, when: str) -> Account:
    customer = await shop.api.customer(shop.owner.shop_id, name)
    await shop.api.push_device(customer)
    joined = await shop.api.http.post(
        "/v1/waitlist", json={"service_id": shop.service_id, "starts_at": when}, headers=customer.auth
    )
    assert joined.status_code == 201, joined.text
    return customer


async def _offer_pushes(shop: BookingShop, customer: Account, timeout: float = 10) -> list[dict[str, Any]]:
    """What the development sink recorded for the customer's waitlist offers, once one came."""
    async with asyncio.timeout(timeout):
        while True:
            sunk = await shop.api.http.get(
                f"/v1/shops/{shop.owner.shop_id}/dev-sink",
                params={"user_id": customer.user_id},
                headers=shop.owner.auth,
            )
            offers = [r for r in sunk.json() if r["notification_id"].startswith("waitlist:")]
            if offers:
                return offers
            await asyncio.sleep(0.25)


async def _entries(shop: BookingShop, *customers: Account) -> list[str]:
    found = []
    for customer in customers:
        [entry] = (await shop.api.http.get("/v1/waitlist", headers=customer.auth)).json()
        found.append(entry["status"])
    return found


async def test_a_waitlisted_customer_is_told_and_books_in_one_tap(api):
    shop = await set_up(api, timezone="Asia/Shanghai")
    day = days_ahead(5)
    when = shop.local(day, 10)
    alices = await _full_at(shop, when)
    bob = await _wait_in_line(shop, "Bob", when)
    phone = await api.device(bob)

    cancelled = await shop.step(shop.owner, alices, "cancel", {"reason": "customer called"})
    assert cancelled.json()["status"] == "cancelled"

    told = (await phone.next("message.new", timeout=10))["message"]
    weekday = "一二三四五六日"[day.weekday()]
    assert told["sender_kind"] == "waitlist_offer"
    assert told["text"] == f"{day.month}月{day.day}日周{weekday}10:00空出来了（Bath），1分钟内确认即可保留。"
    offer = told["booking_update"]["booking_id"]
    [push] = await _offer_pushes(shop, bob)
    assert push["data"]["booking_id"] == offer
    assert push["body"].startswith(f"{day.month}月{day.day}日周{weekday}10:00空出来了")

    booked = await shop.step(bob, offer, "confirm")  # the one tap
    assert booked.status_code == 200 and booked.json()["status"] == "confirmed", booked.text
    assert await _entries(shop, bob) == ["booked"]
    await phone.close()


async def test_a_declined_or_expired_offer_passes_to_the_next_in_line(api):
    shop = await set_up(api)
    when = shop.local(days_ahead(6), 11)
    alices = await _full_at(shop, when)
    bob, carol, dave = [await _wait_in_line(shop, name, when) for name in ("Bob", "Carol", "Dave")]

    await shop.step(shop.owner, alices, "cancel")
    [bobs] = await _offer_pushes(shop, bob)
    declined = await shop.step(bob, bobs["data"]["booking_id"], "cancel", {"reason": "not this time"})
    assert declined.json()["status"] == "cancelled", declined.text
    [carols] = await _offer_pushes(shop, carol)
    assert await _entries(shop, bob, carol, dave) == ["declined", "offered", "waiting"]

    # Carol lets it run out (10 s in tests, swept within 5 s): Dave's turn.
    [daves] = await _offer_pushes(shop, dave, timeout=25)
    assert await _entries(shop, bob, carol, dave) == ["declined", "expired", "offered"]
    late = await shop.step(carol, carols["data"]["booking_id"], "confirm")
    assert late.status_code == 409, late.text
    assert (await shop.step(dave, daves["data"]["booking_id"], "confirm")).json()["status"] == "confirmed"
    assert await _entries(shop, bob, carol, dave) == ["declined", "expired", "booked"]
