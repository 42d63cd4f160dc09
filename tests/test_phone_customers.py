"""Phone and walk-in customers, through the gateway as the shop and the customer live it:
staff add 王阿姨 by name and phone (no password) and book for her; her reminder reaches
that phone by SMS (the development sink); later she claims the account with a code sent to
the phone and finds the booking there."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from .booking_shop import BookingShop, set_up, zone_where_it_is_midday
from .client import PASSWORD, Account, Api

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "my own long passphrase"


def _a_phone() -> str:
    return f"+86139{uuid.uuid4().int % 10**8:08d}"


async def _sink(api: Api, shop: BookingShop, user_id: str) -> list[dict[str, Any]]:
    response = await api.http.get(
        f"/v1/shops/{shop.owner.shop_id}/dev-sink", params={"user_id": user_id}, headers=shop.owner.auth
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def _arrived(api: Api, shop: BookingShop, user_id: str, kind: str, count: int = 1) -> dict[str, Any]:
    """The first record the sink took for the user whose notification id has `kind`, once
    it took `count` of them."""
    async with asyncio.timeout(40):
        while True:
            found = [r for r in await _sink(api, shop, user_id) if kind in r["notification_id"]]
            if len(found) >= count:
                return found[0]
            await asyncio.sleep(0.25)


async def _reminders_in(api: Api, shop: BookingShop, seconds: int) -> None:
    due = datetime.now(shop.timezone).replace(microsecond=0) + timedelta(seconds=seconds)
    response = await api.http.put(
        f"/v1/shops/{shop.owner.shop_id}/reminder-times",
        json={"day_before_at": due.time().isoformat(), "morning_at": "07:00"},
        headers=shop.owner.auth,
    )
    assert response.status_code == 204, response.text


async def _claim(api: Api, shop_id: str, phone: str, code: str):
    body = {"shop_id": shop_id, "phone": phone, "code": code, "password": NEW_PASSWORD}
    return await api.http.post("/v1/auth/claim/confirm", json=body)


async def test_a_phone_customer_is_booked_reminded_by_sms_and_later_claims_the_account(api):
    shop = await set_up(api, timezone=zone_where_it_is_midday())
    groomer, phone = shop.staff[0], _a_phone()

    added = await api.http.post(
        "/v1/customers", json={"name": "王阿姨", "phone": phone}, headers=groomer.auth
    )
    assert added.status_code == 201, added.text
    customer_id = added.json()["customer_id"]
    assert added.json() | {"customer_id": ""} == {
        "customer_id": "",
        "shop_id": shop.owner.shop_id,
        "name": "王阿姨",
        "phone": phone,
    }
    again = await api.http.post(
        "/v1/customers", json={"name": "王阿姨", "phone": phone}, headers=shop.owner.auth
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "customer_exists"
    assert again.json()["error"]["details"] == {"customer_id": customer_id}
    stranger = await api.customer(shop.owner.shop_id, "Bob")
    refused = await api.http.post(
        "/v1/customers", json={"name": "Eve", "phone": _a_phone()}, headers=stranger.auth
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    # No password yet: nobody signs in as her, whatever they try.
    guessed = {"shop_id": shop.owner.shop_id, "login": phone, "password": PASSWORD}
    assert (await api.http.post("/v1/auth/token", json=guessed)).status_code == 401

    # The groomer books her for tomorrow at 10; the reminder the day before goes to her phone.
    await _reminders_in(api, shop, 20)
    tomorrow = datetime.now(shop.timezone).date() + timedelta(days=1)
    held = await shop.hold(groomer, shop.local(tomorrow, 10), customer_id=customer_id)
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    assert (await shop.step(groomer, booking_id, "confirm")).json()["status"] == "confirmed"
    reminder = await _arrived(api, shop, customer_id, ":day_before")
    assert reminder["notification_id"].startswith(f"booking:{booking_id}:")
    assert (reminder["platform"], reminder["data"]["address"]) == ("sms", phone)
    assert "10:00" in reminder["body"]

    # Weeks later she claims the account: a code by SMS to that phone, then her own password.
    asked = await api.http.post("/v1/auth/claim", json={"shop_id": shop.owner.shop_id, "phone": phone})
    unknown = await api.http.post("/v1/auth/claim", json={"shop_id": shop.owner.shop_id, "phone": _a_phone()})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()  # nobody learns which phones the shop knows
    sms = await _arrived(api, shop, customer_id, "password_reset:")
    assert (sms["platform"], sms["data"]["address"]) == ("sms", phone)
    found = re.search(r"(?<!\d)\d{6}(?!\d)", sms["body"])
    assert found is not None
    code = found.group(0)
    wrong = await _claim(api, shop.owner.shop_id, phone, "000000" if code != "000000" else "111111")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "invalid_code")

    claimed = await _claim(api, shop.owner.shop_id, phone, code)
    assert claimed.status_code == 200, claimed.text
    tokens = claimed.json()
    assert (tokens["user_id"], tokens["role"]) == (customer_id, "customer")
    her = Account(customer_id, shop.owner.shop_id, "customer", tokens["access_token"], phone)
    history = await api.http.get("/v1/bookings", headers=her.auth)
    assert history.status_code == 200, history.text
    assert [(b["id"], b["status"]) for b in history.json()] == [(booking_id, "confirmed")]

    signed_in = await api.http.post("/v1/auth/token", json={**guessed, "password": NEW_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    # Claimed once: the code is spent, and claiming cannot take over the account again —
    # asking sends nothing; only a password reset (which ends every session) sends a code.
    reused = await _claim(api, shop.owner.shop_id, phone, code)
    assert (reused.status_code, reused.json()["error"]["code"]) == (400, "invalid_code")
    ask = {"shop_id": shop.owner.shop_id, "phone": phone}
    assert (await api.http.post("/v1/auth/claim", json=ask)).status_code == 202
    await asyncio.sleep(1)
    reset = {"shop_id": shop.owner.shop_id, "login": phone}
    assert (await api.http.post("/v1/auth/password-reset", json=reset)).status_code == 202
    await _arrived(api, shop, customer_id, "password_reset:", count=2)
    await asyncio.sleep(1)
    codes = [r for r in await _sink(api, shop, customer_id) if "password_reset:" in r["notification_id"]]
    assert len(codes) == 2  # the claim's and the reset's
