"""The shop's calendar through the gateway: a staff device that was offline catches up
from its cursor exactly, and a groomer subscribes to their own day as iCalendar."""

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from .booking_shop import BookingShop, days_ahead, set_up
from .client import Account

pytestmark = pytest.mark.e2e


def key(entry: dict[str, Any]) -> str:
    return entry.get("booking_id") or entry["time_off_id"]


class StaffDevice:
    """A staff app's calendar: what it holds, and how often each entry reached it."""

    def __init__(self, shop: BookingShop, who: Account, start: str, end: str) -> None:
        self.shop, self.who, self.range = shop, who, {"from": start, "to": end}
        self.entries: dict[str, dict[str, Any]] = {}
        self.cursor = ""
        self.received: Counter[str] = Counter()

    async def read(self, **params: Any) -> dict[str, Any]:
        response = await self.shop.api.http.get(
            f"/v1/shops/{self.shop.owner.shop_id}/calendar",
            params={**self.range, **params},
            headers=self.who.auth,
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def open(self) -> None:
        page = await self.read()
        self.entries = {key(e): e for e in page["entries"]}
        self.cursor = page["cursor"]

    async def catch_up(self, limit: int = 7) -> None:
        while True:
            page = await self.read(cursor=self.cursor, limit=limit)
            for entry in page["entries"]:
                self.received[key(entry)] += 1
                if entry["status"] == "removed":
                    self.entries.pop(key(entry), None)
                else:
                    self.entries[key(entry)] = entry
            for gone in page["gone"]:
                self.received[gone] += 1
                self.entries.pop(gone, None)
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return


async def test_an_offline_staff_device_catches_up_exactly_after_50_changes(api):
    shop = await set_up(api, groomers=2, stations=4, hours=("08:00", "20:00"))
    groomer, other = shop.staff
    alice = await api.customer(shop.owner.shop_id, "Alice")
    day = days_ahead(12)
    start, end = shop.local(day, 0), shop.local(day + timedelta(days=2), 0)
    early = await shop.hold(alice, shop.local(day, 8), staff_id=other.user_id)
    assert early.status_code == 201, early.text

    device = StaffDevice(shop, groomer, start, end)
    await device.open()
    assert list(device.entries) == [early.json()["id"]]

    # Offline now, while the shop changes 50 times.
    changes, booked = 0, []
    for n in range(12):  # 12 holds, 12 confirms
        staff = (groomer, other)[n % 2]
        held = await shop.hold(
            alice, shop.local(day + timedelta(days=n // 6), 9 + n % 6), staff_id=staff.user_id
        )
        assert held.status_code == 201, held.text
        booked.append(held.json()["id"])
        assert (await shop.step(shop.owner, booked[-1], "confirm")).status_code == 200
        changes += 2
    for n, booking_id in enumerate(booked[:8]):  # 8 moved: 4 within the range, 4 out of it
        inside = shop.local(day + timedelta(days=1), 15 + n)
        when = inside if n < 4 else shop.local(day + timedelta(days=20), 9 + n)
        moved = await shop.step(shop.owner, booking_id, "reschedule", {"starts_at": when})
        assert moved.status_code == 200, moved.text
        changes += 1
    for booking_id in booked[8:12]:  # 4 cancelled
        assert (await shop.step(shop.owner, booking_id, "cancel", {"reason": "ill"})).status_code == 200
        changes += 1
    time_off = f"/v1/shops/{shop.owner.shop_id}/staff/{other.user_id}/time-off"
    offs = []
    for n in range(11):  # 11 time offs, 3 of them withdrawn again
        body = {
            "starts_at": shop.local(day + timedelta(days=1), 8 + n),
            "ends_at": shop.local(day + timedelta(days=1), 9 + n),
        }
        added = await api.http.post(time_off, json=body, headers=shop.owner.auth)
        assert added.status_code == 201, added.text
        offs.append(added.json()["time_off_id"])
        changes += 1
    for off in offs[:3]:
        removed = await api.http.delete(f"{time_off}/{off}", headers=shop.owner.auth)
        assert removed.status_code == 204, removed.text
        changes += 1
    assert changes == 50

    # Back online: the device holds what a fresh read shows, each entry sent to it once.
    async with asyncio.timeout(15):
        while True:
            await device.catch_up()
            fresh = {key(e): e for e in (await device.read())["entries"]}
            if device.entries == fresh:
                break
            await asyncio.sleep(0.2)
    expected_bookings = {early.json()["id"], *booked[:4], *booked[8:12]}  # the 4 moved out are gone
    assert {k for k, e in device.entries.items() if e["kind"] == "booking"} == expected_bookings
    assert {k for k, e in device.entries.items() if e["kind"] == "time_off"} == set(offs[3:])
    assert [device.entries[b]["status"] for b in booked[8:12]] == ["cancelled"] * 4
    assert all(device.entries[b]["resources"][0]["name"] == "Bath stations" for b in booked[:4])
    assert max(device.received.values()) == 1, device.received.most_common(3)
    assert len(device.received) == len(set(booked) | set(offs))  # every changed entry, once
    # Nothing more until something changes.
    assert (await device.read(cursor=device.cursor))["entries"] == []


async def test_the_calendar_is_for_the_shops_staff_and_a_cursor_for_its_own_range(api):
    shop = await set_up(api)
    alice = await api.customer(shop.owner.shop_id, "Alice")
    day = days_ahead(3)
    path = f"/v1/shops/{shop.owner.shop_id}/calendar"
    week = {"from": shop.local(day, 0), "to": shop.local(day + timedelta(days=7), 0)}
    refused = await api.http.get(path, params=week, headers=alice.auth)
    assert refused.status_code == 403
    page = (await api.http.get(path, params=week, headers=shop.owner.auth)).json()
    other_range = {**week, "to": shop.local(day + timedelta(days=8), 0), "cursor": page["cursor"]}
    wrong = await api.http.get(path, params=other_range, headers=shop.owner.auth)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_cursor"
    forged = await api.http.get(path, params={**week, "cursor": "not-a-cursor"}, headers=shop.owner.auth)
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "invalid_cursor"
    backwards = await api.http.get(
        path, params={"from": week["to"], "to": week["from"]}, headers=shop.owner.auth
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["code"] == "invalid_range"


async def test_a_groomer_subscribes_to_their_day_and_a_rotated_url_stops_the_old_one(api):
    shop = await set_up(api, groomers=2, stations=2)
    groomer, other = shop.staff
    alice = await api.customer(shop.owner.shop_id, "Alice")
    day = days_ahead(6)
    mine = await shop.hold(alice, shop.local(day, 10), staff_id=groomer.user_id)
    assert (await shop.step(alice, mine.json()["id"], "confirm")).status_code == 200
    held = await shop.hold(alice, shop.local(day, 13), staff_id=groomer.user_id)
    dropped = await shop.hold(alice, shop.local(day, 15), staff_id=groomer.user_id)
    assert (await shop.step(alice, dropped.json()["id"], "cancel")).status_code == 200
    theirs = await shop.hold(alice, shop.local(day, 10), staff_id=other.user_id)
    assert theirs.status_code == 201, theirs.text
    off = {"starts_at": shop.local(day, 16), "ends_at": shop.local(day, 17), "reason": "vet"}
    time_off = f"/v1/shops/{shop.owner.shop_id}/staff/{groomer.user_id}/time-off"
    assert (await api.http.post(time_off, json=off, headers=groomer.auth)).status_code == 201

    feed = f"/v1/shops/{shop.owner.shop_id}/staff/{groomer.user_id}/calendar-feed"
    assert (await api.http.post(feed, headers=other.auth)).status_code == 403  # not their feed
    first = await api.http.post(feed, headers=groomer.auth)
    assert first.status_code == 200, first.text
    url = first.json()["url"]
    secret = httpx.URL(url).params["secret"]
    assert secret not in httpx.URL(url).path  # paths name trace spans; a query's secret= is cut from logs

    async with httpx.AsyncClient() as phone:  # a calendar app: no token, only the URL
        subscribed = await phone.get(url)
        assert subscribed.status_code == 200, subscribed.text
        assert subscribed.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(subscribed.content)
        events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
        starts = [e.decoded("dtstart") for e in events]
        assert starts == [datetime.fromisoformat(shop.local(day, h)) for h in (10, 13, 16)]
        assert [str(e["summary"]) for e in events] == ["Bath", "Bath", "Time off: vet"]
        assert [str(e["status"]) for e in events[:2]] == ["CONFIRMED", "TENTATIVE"]
        assert str(events[0]["uid"]) == f"booking-{mine.json()['id']}@frontdesk"
        assert held.json()["id"] in subscribed.text and theirs.json()["id"] not in subscribed.text

        rotated = await api.http.post(feed, headers=shop.owner.auth)
        assert rotated.status_code == 200 and rotated.json()["url"] != url
        stale = await phone.get(url)
        assert stale.status_code == 404 and stale.json()["error"]["code"] == "calendar_feed_not_found"
        assert (await phone.get(rotated.json()["url"])).status_code == 200
