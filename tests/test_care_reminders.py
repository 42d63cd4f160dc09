"""Care cycles and scheduled campaigns through the gateway, as a pet shop lives them: the
shop sets a cat's bath every 4 weeks, the customer gets one friendly notice with a
one-tap booking link (not two, whatever is retried or restarted), a customer who opted
out gets none; a campaign scheduled for later goes out at its time, a cancelled one never."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest

from .booking_shop import BookingShop, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e


async def _until(check, timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.25)


async def _customer_with_cat(api: Api, shop: BookingShop, name: str) -> tuple[Account, str]:
    customer = await api.customer(shop.owner.shop_id, name)
    await api.push_device(customer)
    response = await api.http.post("/v1/pets", json={"name": "咪咪", "species": "cat"}, headers=customer.auth)
    assert response.status_code == 201, response.text
    return customer, response.json()["id"]


async def _bath_every_four_weeks(api: Api, shop: BookingShop, pet_id: str, since: date) -> dict[str, Any]:
    cycle = {
        "kind": "bath",
        "every": 4,
        "unit": "week",
        "since": since.isoformat(),
        "service_id": shop.service_id,
    }
    response = await api.http.put(
        f"/v1/pets/{pet_id}/care-cycles", json={"cycles": [cycle]}, headers=shop.staff[0].auth
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _sink(api: Api, shop: BookingShop, prefix: str) -> list[dict[str, Any]]:
    response = await api.http.get(f"/v1/shops/{shop.owner.shop_id}/dev-sink", headers=shop.owner.auth)
    assert response.status_code == 200, response.text
    return [r for r in response.json() if r["notification_id"].startswith(prefix)]


async def test_a_cats_bath_due_next_week_gives_one_notice_and_none_to_an_opted_out_customer(api, system):
    shop = await set_up(api, timezone="Asia/Shanghai")
    today = datetime.now(shop.timezone).date()
    alice, alices_cat = await _customer_with_cat(api, shop, "Alice")
    bob, bobs_cat = await _customer_with_cat(api, shop, "Bob")
    opt_out = {"opted_out": ["marketing"]}
    assert (
        await api.http.put("/v1/me/notification-preferences", json=opt_out, headers=bob.auth)
    ).status_code == 200

    last_bath = today - timedelta(days=24)  # due in 4 days: next week
    due = today + timedelta(days=4)
    set_ = await _bath_every_four_weeks(api, shop, alices_cat, last_bath)
    assert set_["cycles"][0]["due_on"] == due.isoformat()
    await _bath_every_four_weeks(api, shop, bobs_cat, last_bath)
    port = urlparse(system.url("notify")).port
    system.stop("notify", kill=True)  # whatever it was doing, it does once
    system.start("notify", port=port)

    async def noticed() -> bool:
        return len(await _sink(api, shop, "care:")) >= 1

    await _until(noticed)
    again = await _bath_every_four_weeks(api, shop, alices_cat, last_bath)  # a retried request
    assert again["cycles"][0]["due_on"] == (due + timedelta(weeks=4)).isoformat()
    assert again["cycles"][0]["notified_through"] == due.isoformat()
    await asyncio.sleep(2)  # time for a second notice, were there one

    [notice] = await _sink(api, shop, "care:")
    assert (notice["user_id"], notice["notification_id"]) == (alice.user_id, f"care:{alices_cat}:bath:{due}")
    assert notice["title"] == "咪咪该洗澡啦" and f"{due.month}月{due.day}日" in notice["body"]
    link = notice["data"]["booking_link"]
    assert f"pet_id={alices_cat}" in link and f"service_id={shop.service_id}" in link

    bobs = await api.http.get(f"/v1/pets/{bobs_cat}/care-cycles", headers=bob.auth)
    assert bobs.status_code == 200, bobs.text
    assert [(n["status"], n["due_on"]) for n in bobs.json()["notices"]] == [
        ("skipped_opted_out", due.isoformat())
    ]
    mine = (await api.http.get("/v1/notifications", headers=alice.auth)).json()
    assert [n["category"] for n in mine if n["category"] == "care_reminder"] == ["care_reminder"]
    refused = await api.http.put(
        f"/v1/pets/{alices_cat}/care-cycles", json={"cycles": []}, headers=alice.auth
    )
    assert refused.status_code == 403


async def _schedule(api: Api, shop: BookingShop, title: str, at: datetime) -> dict[str, Any]:
    body = {
        "name": title,
        "segment": {"kind": "new"},
        "title": title,
        "body": "本周洗澡八折",
        "send_at": at.isoformat(),
    }
    response = await api.http.post(
        f"/v1/shops/{shop.owner.shop_id}/campaigns", json=body, headers=shop.owner.auth
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_a_scheduled_campaign_goes_out_at_its_time_and_a_cancelled_one_never(api):
    shop = await set_up(api)
    customers = [await api.customer(shop.owner.shop_id, name) for name in ("Carol", "Dave")]
    for customer in customers:
        await api.push_device(customer)

    async def notify_knows_them() -> bool:
        response = await api.http.post(
            f"/v1/shops/{shop.owner.shop_id}/segments/preview",
            json={"segment": {"kind": "new"}},
            headers=shop.owner.auth,
        )
        return bool(response.json()["size"] == 2)

    await _until(notify_knows_them)
    now = datetime.now(UTC)
    cancelled = await _schedule(api, shop, "Cancelled", now + timedelta(seconds=3))
    kept = await _schedule(api, shop, "Kept", now + timedelta(seconds=4))
    assert (kept["status"], kept["counts"]["audience"]) == ("scheduled", 0)
    path = f"/v1/shops/{shop.owner.shop_id}/campaigns"
    answer = await api.http.post(f"{path}/{cancelled['id']}/cancel", headers=shop.owner.auth)
    assert (answer.status_code, answer.json()["status"]) == (200, "cancelled"), answer.text
    assert await _sink(api, shop, "campaign:") == []

    async def sent() -> bool:
        return len(await _sink(api, shop, "campaign:")) == 2

    await _until(sent)
    await asyncio.sleep(1.5)  # the cancelled one's time has passed too
    records = await _sink(api, shop, "campaign:")
    assert sorted(r["user_id"] for r in records) == sorted(c.user_id for c in customers)
    assert {r["data"]["campaign_id"] for r in records} == {kept["id"]}
    detail = (await api.http.get(f"{path}/{kept['id']}", headers=shop.owner.auth)).json()
    assert detail["status"] == "sent" and detail["sent_at"] >= detail["send_at"]
    assert (await api.http.get(f"{path}/{cancelled['id']}", headers=shop.owner.auth)).json()[
        "status"
    ] == "cancelled"
    late = await api.http.post(f"{path}/{kept['id']}/cancel", headers=shop.owner.auth)
    assert (late.status_code, late.json()["error"]["code"]) == (422, "campaign_already_sent")
