"""Campaigns through the gateway: a shop sends a marketing message to a segment of its
customers (by pet type, by conversation label, frequent), it reaches exactly those
customers in the development sink, a second campaign within the week skips whoever the
first one reached, and a customer who opted out of marketing gets nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .booking_shop import BookingShop, days_ahead, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e


async def _until(check, timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.25)


async def _pet(api: Api, shop: BookingShop, customer: Account, species: str) -> None:
    body = {"name": "Momo", "species": species, "customer_id": customer.user_id}
    response = await api.http.post("/v1/pets", json=body, headers=shop.owner.auth)
    assert response.status_code == 201, response.text


async def _label(api: Api, shop: BookingShop, customer: Account, *labels: str) -> None:
    conversation_id = await api.open_conversation(customer)
    response = await api.http.put(
        f"/v1/conversations/{conversation_id}/labels", json={"labels": list(labels)}, headers=shop.owner.auth
    )
    assert response.status_code == 200, response.text


async def _served(shop: BookingShop, customer: Account, hour: int) -> None:
    """A booking the shop has completed (early, on the day it was made: it still counts)."""
    held = await shop.hold(customer, shop.local(days_ahead(3), hour))
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    assert (await shop.step(customer, booking_id, "confirm")).status_code == 200
    for action in ("check-in", "complete"):
        response = await shop.step(shop.staff[0], booking_id, action)
        assert response.status_code == 200, response.text


async def _customer(api: Api, shop: BookingShop, name: str) -> Account:
    """A customer whose phone subscribed to web push (the sink records what it would send)."""
    customer = await api.customer(shop.owner.shop_id, name)
    await api.push_device(customer)
    return customer


async def _opt_out_of_marketing(api: Api, customer: Account) -> None:
    response = await api.http.put(
        "/v1/me/notification-preferences", json={"opted_out": ["marketing"]}, headers=customer.auth
    )
    assert response.status_code == 200, response.text


async def _preview(api: Api, shop: BookingShop, segment: dict[str, Any]) -> dict[str, Any]:
    response = await api.http.post(
        f"/v1/shops/{shop.owner.shop_id}/segments/preview", json={"segment": segment}, headers=shop.owner.auth
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _send(api: Api, shop: BookingShop, name: str, segment: dict[str, Any]) -> dict[str, Any]:
    body = {
        "name": name,
        "segment": segment,
        "title": "春季洗澡周",
        "body": "本周洗澡八折，欢迎预约。",
        "variants": {"en": {"title": "Spring bath week", "body": "20% off baths this week."}},
    }
    response = await api.http.post(
        f"/v1/shops/{shop.owner.shop_id}/campaigns", json=body, headers=shop.owner.auth
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def _reached(api: Api, shop: BookingShop) -> dict[str, list[str]]:
    """Campaign ids by the customers the development sink recorded them for."""
    response = await api.http.get(f"/v1/shops/{shop.owner.shop_id}/dev-sink", headers=shop.owner.auth)
    assert response.status_code == 200, response.text
    reached: dict[str, list[str]] = {}
    for record in response.json():
        if record["notification_id"].startswith("campaign:"):
            reached.setdefault(record["user_id"], []).append(record["data"]["campaign_id"])
    return reached


async def test_a_campaign_reaches_its_segment_once_a_week_and_never_an_opted_out_customer(api):
    # Served days early: this shop opens check-in a week ahead (the default is an hour).
    shop = await set_up(api, groomers=1, stations=2, check_in_window_minutes=7 * 24 * 60)
    alice, bob, carol, dave = [await _customer(api, shop, n) for n in ("Alice", "Bob", "Carol", "Dave")]
    for customer, species in ((alice, "dog"), (bob, "Dog"), (carol, "cat")):
        await _pet(api, shop, customer, species)
    await _label(api, shop, alice, "VIP")
    await _label(api, shop, dave, "vip", "过敏")
    await _served(shop, carol, 10)
    await _opt_out_of_marketing(api, bob)

    dogs, vips = {"kind": "pet_type", "species": "dog"}, {"kind": "label", "label": "VIP"}

    async def notify_knows_them() -> bool:
        frequent = await _preview(api, shop, {"kind": "frequent", "min_bookings": 1})
        return (
            (await _preview(api, shop, dogs))["size"] == 2
            and (await _preview(api, shop, vips))["size"] == 2
            and frequent["customer_ids"] == [carol.user_id]
        )

    await _until(notify_knows_them)
    everyone = await _preview(api, shop, {"kind": "new"})
    assert sorted(everyone["customer_ids"]) == sorted(c.user_id for c in (alice, bob, carol, dave))

    first = await _send(api, shop, "Dog days", dogs)
    assert first["counts"] | {"sent": 0} == {
        "audience": 2,
        "queued": 1,
        "skipped_opted_out": 1,
        "skipped_frequency_cap": 0,
        "sent": 0,
        "failed": 0,
    }
    second = await _send(api, shop, "VIP evening", vips)
    assert (second["counts"]["queued"], second["counts"]["skipped_frequency_cap"]) == (1, 1)

    async def both_delivered() -> bool:
        return len(await _reached(api, shop)) == 2

    await _until(both_delivered)
    await asyncio.sleep(1)  # time for anything more to arrive, were there anything
    assert await _reached(api, shop) == {alice.user_id: [first["id"]], dave.user_id: [second["id"]]}

    owner = shop.owner.auth
    detail = (
        await api.http.get(f"/v1/shops/{shop.owner.shop_id}/campaigns/{second['id']}", headers=owner)
    ).json()
    assert {r["user_id"]: (r["status"], r["delivery_status"]) for r in detail["recipients"]} == {
        alice.user_id: ("skipped_frequency_cap", None),
        dave.user_id: ("queued", "sent"),
    }
    listed = (await api.http.get(f"/v1/shops/{shop.owner.shop_id}/campaigns", headers=owner)).json()
    assert [(c["name"], c["counts"]["sent"]) for c in listed] == [("VIP evening", 1), ("Dog days", 1)]
    mine = (await api.http.get("/v1/notifications", headers=alice.auth)).json()
    assert [n["title"] for n in mine if n["category"] == "campaign"] == ["春季洗澡周"]


async def test_bad_campaigns_get_a_clear_error_and_only_the_owner_sends(api):
    shop = await set_up(api)
    customer = await api.customer(shop.owner.shop_id, "Eve")
    path = f"/v1/shops/{shop.owner.shop_id}"
    good = {"name": "Hello", "segment": {"kind": "new"}, "title": "Hi", "body": "Welcome"}
    for change, status, code in [
        ({"segment": {"kind": "whales"}}, 422, "unknown_segment_kind"),
        ({"segment": {"kind": "dormant", "days": 0}}, 422, "invalid_segment"),
        ({"body": "   "}, 422, "empty_message"),
        ({"variants": {"fr": {"title": "Salut", "body": "Bienvenue"}}}, 422, "unknown_language"),
        ({"category": "transactional"}, 422, "invalid_request"),
    ]:
        response = await api.http.post(f"{path}/campaigns", json={**good, **change}, headers=shop.owner.auth)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), change
    by_staff = await api.http.post(f"{path}/campaigns", json=good, headers=shop.staff[0].auth)
    assert (by_staff.status_code, by_staff.json()["error"]["code"]) == (403, "forbidden")
    by_customer = await api.http.post(
        f"{path}/segments/preview", json={"segment": good["segment"]}, headers=customer.auth
    )
    assert by_customer.status_code == 404
    other = await api.shop("Other shop")
    peeking = await api.http.get(f"{path}/campaigns", headers=other.auth)
    assert peeking.status_code == 404
    assert (await api.http.get(f"{path}/campaigns", headers=shop.owner.auth)).json() == []
