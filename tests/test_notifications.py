"""Booking notifications through the gateway: a confirmation at once, a reminder at the
time the shop chose, never one for a cancelled or moved booking, and reminders that
survive the notify service being killed. Everything lands in the development sink."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest

from .booking_shop import BookingShop, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e


async def _reminders_at(api: Api, shop: BookingShop, seconds: float) -> datetime:
    """Set the day-before reminder to go out `seconds` from now; returns when that is."""
    due = datetime.now(shop.timezone).replace(microsecond=0) + timedelta(seconds=seconds)
    response = await api.http.put(
        f"/v1/shops/{shop.owner.shop_id}/reminder-times",
        json={"day_before_at": due.time().isoformat(), "morning_at": "07:00"},
        headers=shop.owner.auth,
    )
    assert response.status_code == 204, response.text
    return due


async def _customer(api: Api, shop: BookingShop, name: str) -> Account:
    """A customer with a phone that has subscribed to web push."""
    customer = await api.customer(shop.owner.shop_id, name)
    await api.push_device(customer)
    return customer


async def _book(shop: BookingShop, customer: Account, starts_at: str) -> str:
    held = await shop.hold(customer, starts_at)
    assert held.status_code == 201, held.text
    confirmed = await shop.step(customer, held.json()["id"], "confirm")
    assert confirmed.status_code == 200, confirmed.text
    return str(held.json()["id"])


async def _sink(api: Api, shop: BookingShop) -> list[dict]:
    response = await api.http.get(f"/v1/shops/{shop.owner.shop_id}/dev-sink", headers=shop.owner.auth)
    assert response.status_code == 200, response.text
    return response.json()


def _of(records: list[dict], customer: Account, category_part: str) -> list[dict]:
    return [r for r in records if r["user_id"] == customer.user_id and category_part in r["notification_id"]]


async def _until(check, timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.25)


async def _sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(moment.tzinfo)).total_seconds()))


async def test_a_reminder_comes_on_time_and_never_for_a_cancelled_or_moved_booking(api):
    shop = await set_up(api, timezone="Asia/Shanghai", groomers=3, stations=3)
    due = await _reminders_at(api, shop, 25)
    day = due.date() + timedelta(days=1)
    alice, bob, carol = [await _customer(api, shop, n) for n in ("Alice", "Bob", "Carol")]
    kept = await _book(shop, alice, shop.local(day, 10))
    cancelled = await _book(shop, bob, shop.local(day, 11))
    moved = await _book(shop, carol, shop.local(day, 12))

    async def confirmed() -> bool:
        return len(_of(await _sink(api, shop), alice, ":booking_confirmed")) == 1

    await _until(confirmed)
    mine = (await api.http.get("/v1/notifications", headers=alice.auth)).json()
    assert [(n["category"], n["status"], n["channel"]) for n in mine] == [
        ("booking_confirmed", "sent", "push")
    ]
    assert "Bath" in mine[0]["body"] and "10:00" in mine[0]["body"]
    assert datetime.now(shop.timezone) < due - timedelta(seconds=3), "setup took too long to test the race"

    # Changes that land a moment before the reminder is due.
    await _sleep_until(due - timedelta(seconds=1.5))
    assert (await shop.step(bob, cancelled, "cancel", {})).status_code == 200
    moved_to = shop.local(day, 14)
    assert (await shop.step(shop.owner, moved, "reschedule", {"starts_at": moved_to})).status_code == 200
    await _sleep_until(due + timedelta(seconds=4))

    records = await _sink(api, shop)
    reminders = [r for r in records if ":day_before" in r["notification_id"]]
    assert [r["user_id"] for r in _of(reminders, alice, kept)] == [alice.user_id]
    assert _of(reminders, bob, "") == []
    assert [r["body"] for r in _of(reminders, carol, "")] == [
        r["body"] for r in _of(reminders, carol, "") if "14:00" in r["body"]
    ]
    assert len(_of(reminders, carol, "")) == 1
    fired_at = datetime.fromisoformat(_of(reminders, alice, kept)[0]["recorded_at"])
    assert due <= fired_at < due + timedelta(seconds=3)
    assert len(_of(records, bob, ":booking_cancelled")) == 1
    assert len(_of(records, carol, ":booking_rescheduled")) == 1


async def test_a_reminder_due_while_notify_is_killed_fires_once_after_it_restarts(api, system):
    shop = await set_up(api, timezone="Europe/Berlin")
    due = await _reminders_at(api, shop, 15)
    alice = await _customer(api, shop, "Alice")
    booking_id = await _book(shop, alice, shop.local(due.date() + timedelta(days=1), 10))

    async def confirmed() -> bool:
        return len(_of(await _sink(api, shop), alice, ":booking_confirmed")) == 1

    await _until(confirmed)
    port = urlparse(system.url("notify")).port
    system.stop("notify", kill=True)
    await _sleep_until(due + timedelta(seconds=2))
    system.start("notify", port=port)

    async def reminded() -> bool:
        return len(_of(await _sink(api, shop), alice, ":day_before")) >= 1

    await _until(reminded)
    await asyncio.sleep(2)  # time for a second firing, were there one
    reminders = _of(await _sink(api, shop), alice, ":day_before")
    assert [r["notification_id"] for r in reminders] == [f"booking:{booking_id}:v2:day_before"]
    mine = (await api.http.get("/v1/notifications", headers=alice.auth)).json()
    assert [n["attempts"] for n in mine if n["category"] == "booking_reminder_day_before"] == [1]


async def test_people_choose_their_language_channels_and_what_they_hear_about(api):
    shop = await set_up(api, timezone="Asia/Shanghai")
    day = datetime.now(shop.timezone).date() + timedelta(days=3)
    english, silent = await _customer(api, shop, "Emma"), await _customer(api, shop, "Sam")

    bad = await api.http.put("/v1/me/notification-preferences", json={"phone": "12345"}, headers=english.auth)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    internal = json.dumps(
        {"endpoint": "https://127.0.0.1:8103/internal", "keys": {"p256dh": "x", "auth": "y"}}
    )
    sneaky = await api.http.post(
        "/v1/devices", json={"platform": "webpush", "address": internal}, headers=english.auth
    )
    assert sneaky.status_code == 422 and sneaky.json()["error"]["code"] == "invalid_device"
    for who, prefs in (
        (english, {"language": "en", "phone": "+447700900123"}),
        (silent, {"opted_out": ["booking"]}),
    ):
        response = await api.http.put("/v1/me/notification-preferences", json=prefs, headers=who.auth)
        assert response.status_code == 200, response.text
    seen = (await api.http.get("/v1/me/notification-preferences", headers=english.auth)).json()
    assert (seen["language"], seen["phone"], seen["channels"]) == ("en", "+447700900123", ["push", "sms"])

    await _book(shop, english, shop.local(day, 10))
    await _book(shop, silent, shop.local(day, 13))

    async def settled() -> bool:
        found = [
            (await api.http.get("/v1/notifications", headers=who.auth)).json() for who in (english, silent)
        ]
        return all(n and n[0]["status"] != "queued" for n in found)

    await _until(settled)
    [to_emma] = (await api.http.get("/v1/notifications", headers=english.auth)).json()
    assert (
        to_emma["body"]
        == f"Your Bath is booked for {datetime.fromisoformat(shop.local(day, 10)):%a %d %b, %H:%M}."
    )
    [to_sam] = (await api.http.get("/v1/notifications", headers=silent.auth)).json()
    assert (to_sam["status"], to_sam["reason"]) == ("skipped", "opted_out")
    sunk = await _sink(api, shop)
    assert [(r["user_id"], r["platform"]) for r in sunk if ":booking_confirmed" in r["notification_id"]] == [
        (english.user_id, "webpush")
    ]

    [device] = (await api.http.get("/v1/devices", headers=english.auth)).json()
    assert (
        await api.http.delete(f"/v1/devices/{device['device_id']}", headers=english.auth)
    ).status_code == 204
    assert (await api.http.get("/v1/devices", headers=english.auth)).json() == []
    other = await api.http.get(f"/v1/shops/{shop.owner.shop_id}/dev-sink", headers=english.auth)
    assert other.status_code == 404
