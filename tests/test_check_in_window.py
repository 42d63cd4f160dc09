"""The day of service starts with the shop's check-in window: a booking can be checked in
(then started, completed) only from a set time before its start, an hour unless the shop
says otherwise. Through the gateway, against the booking service's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from .booking_shop import BookingShop, set_up, zone_where_it_is_midday
from .client import Account

pytestmark = pytest.mark.e2e


def _next_quarter(after: datetime) -> datetime:
    """The slot-grid start 15 to 30 minutes after `after`."""
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=30)
    return start - timedelta(minutes=start.minute % 15)


async def _booked(shop: BookingShop, customer: Account, starts_at: datetime) -> str:
    held = await shop.hold(customer, starts_at.isoformat())
    assert held.status_code == 201, held.text
    booking_id = str(held.json()["id"])
    assert (await shop.step(customer, booking_id, "confirm")).status_code == 200
    return booking_id


async def test_check_in_opens_only_within_the_shops_window_before_the_start(api):
    # About noon in the shop: a booking within the hour and one 68 hours ahead (early
    # morning) both fall in its working hours.
    shop = await set_up(api, timezone=zone_where_it_is_midday(), hours=("06:00", "20:00"))
    alice, groomer = await api.customer(shop.owner.shop_id, "Alice"), shop.staff[0]
    soon = _next_quarter(datetime.now(shop.timezone))
    today = await _booked(shop, alice, soon)
    in_three_days = await _booked(shop, alice, soon + timedelta(hours=68))

    early = await shop.step(groomer, in_three_days, "check-in")
    assert early.status_code == 422, early.text
    error = early.json()["error"]
    assert error["code"] == "outside_check_in_window" and "60 minutes before" in error["message"]
    seen = await api.http.get(f"/v1/bookings/{in_three_days}", headers=groomer.auth)
    assert seen.json()["status"] == "confirmed"

    for action, status in (("check-in", "checked_in"), ("start", "in_service"), ("complete", "completed")):
        response = await shop.step(groomer, today, action)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status

    # A boarding shop lets owners drop pets off days early: its window is its own to set.
    await shop.put(
        "/booking-policy", {"timezone": str(shop.timezone), "check_in_window_minutes": 4 * 24 * 60}
    )
    catalog = await api.http.get(f"/v1/shops/{shop.owner.shop_id}/catalog", headers=shop.owner.auth)
    assert catalog.json()["policy"]["check_in_window_minutes"] == 4 * 24 * 60
    checked_in = await shop.step(groomer, in_three_days, "check-in")
    assert checked_in.status_code == 200, checked_in.text
    assert checked_in.json()["status"] == "checked_in"
