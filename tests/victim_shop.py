"""A shop with something behind every id the public API takes, built through the API as
its owner, staff and customer would; the isolation walk attacks it."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .booking_shop import BookingShop, days_ahead, set_up
from .client import Account, Api

# Every piece of the victim's own text carries this, so a leak is visible in any answer.
SECRET = "victim-secret-" + uuid.uuid4().hex[:8]


@dataclass
class VictimShop:
    shop: BookingShop
    customer: Account
    neighbour: Account  # another customer of the same shop
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def owner(self) -> Account:
        return self.shop.owner

    def views(self) -> list[tuple[Account, list[str]]]:
        """What the victim's people read of their own data, by who reads it."""
        i, shop = self.ids, f"/v1/shops/{self.owner.shop_id}"
        conversation = f"/v1/conversations/{i['conversation_id']}"
        return [
            (
                self.owner,
                [
                    shop + "/templates",
                    shop + "/hours",
                    shop + "/calls",
                    shop + "/staff",
                    "/v1/shop/templates",  # the deprecated aliases read the same
                    "/v1/shop/hours",
                    "/v1/conversations",
                    conversation,
                    conversation + "/messages",
                    conversation + "/notes",
                    shop + "/catalog",
                    "/v1/bookings",
                    f"/v1/bookings/{i['booking_id']}",
                    "/v1/waitlist",
                    "/v1/pets",
                    f"/v1/pets/{i['pet_id']}",
                    f"/v1/pets/{i['pet_id']}/care-cycles",
                    f"/v1/customers/{i['customer_id']}/profile",
                    shop + "/faq",
                    f"{shop}/faq/{i['faq_entry_id']}",
                    shop + "/assistant",
                    shop + "/campaigns",
                    f"{shop}/campaigns/{i['campaign_id']}",
                    shop + "/webhooks",
                    f"{shop}/webhooks/{i['endpoint_id']}",
                    f"{shop}/webhooks/{i['endpoint_id']}/deliveries",
                    shop + "/api-keys",
                ],
            ),
            (
                self.customer,
                [
                    "/v1/devices",
                    "/v1/notifications",
                    "/v1/me/notification-preferences",
                    "/v1/conversations",
                    "/v1/bookings",
                    "/v1/pets",
                    f"/v1/pets/{i['pet_id']}/care-cycles",
                ],
            ),
        ]

    async def snapshot(self, api: Api) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for reader, paths in self.views():
            for path in paths:
                response = await api.http.get(path, headers=reader.auth)
                seen[f"{reader.role} GET {path}"] = (response.status_code, response.json())
        return seen

    async def settled(self, api: Api, tries: int = 20) -> dict[str, Any]:
        """A snapshot that no longer moves (events reach the read models a moment later)."""
        last = await self.snapshot(api)
        for _ in range(tries):
            await asyncio.sleep(0.5)
            now = await self.snapshot(api)
            if now == last:
                return now
            last = now
        raise AssertionError("the victim's views kept changing")


async def build(api: Api) -> VictimShop:
    shop = await set_up(api, timezone="Europe/Berlin")
    owner, groomer = shop.owner, shop.staff[0]
    customer = await api.customer(owner.shop_id, "Alice")
    neighbour = await api.customer(owner.shop_id, "Mallory")
    victim = VictimShop(shop, customer, neighbour)
    ids = victim.ids
    ids |= {"shop_id": owner.shop_id, "staff_id": groomer.user_id, "customer_id": customer.user_id}
    ids["service_id"] = shop.service_id

    await _conversation(api, victim, groomer)
    await _shop_settings(api, victim, groomer)
    await _bookings(api, victim)
    await _assistant_and_campaign(api, victim)
    ids["device_id"] = await api.push_device(customer)
    ids["notification_id"] = await _first_notification(api, customer)
    await _webhook(api, victim)
    return victim


async def _conversation(api: Api, victim: VictimShop, groomer: Account) -> None:
    owner, customer, ids = victim.owner, victim.customer, victim.ids
    ids["conversation_id"] = await api.open_conversation(customer)
    conversation = f"/v1/conversations/{ids['conversation_id']}"
    assert (await api.send(customer, ids["conversation_id"], f"{SECRET} allergy list")).status_code == 201
    assert (await api.send(groomer, ids["conversation_id"], f"{SECRET} noted")).status_code == 201
    # Both read what they were sent, so no unread-chat push lands during the walk.
    for reader in (customer, groomer):
        await _ok(api, "POST", conversation + "/read", reader, {"up_to_seq": 2})
    history = await api.history(customer, ids["conversation_id"])
    ids["message_id"] = history["messages"][0]["message_id"]
    uploaded = await api.upload(customer, ids["conversation_id"], "notes.txt", SECRET.encode(), "text/plain")
    assert uploaded.status_code == 201, uploaded.text
    ids["attachment_id"] = uploaded.json()["attachment_id"]
    await _ok(api, "POST", conversation + "/notes", owner, {"text": f"{SECRET} bites"})
    await _ok(api, "PUT", conversation + "/labels", owner, {"labels": ["vip"]})
    await _ok(api, "PUT", conversation + "/assignment", owner, {"assignee_id": groomer.user_id})


async def _shop_settings(api: Api, victim: VictimShop, groomer: Account) -> None:
    owner, ids, shop = victim.owner, victim.ids, f"/v1/shops/{victim.owner.shop_id}"
    ids["template_id"] = str(uuid.uuid4())
    await _ok(api, "PUT", f"{shop}/templates/{ids['template_id']}", owner, {"name": "Done", "text": SECRET})
    await _ok(api, "PUT", f"{shop}/staff/{groomer.user_id}/capacity", owner, {"capacity": 7})
    hours = {"timezone": "Europe/Berlin", "weekly": {"0": [["09:00", "17:00"]]}, "auto_reply_text": SECRET}
    await _ok(api, "PUT", f"{shop}/hours", owner, hours)
    await _ok(api, "PUT", f"{shop}/calls", owner, {"policy": "business_hours", "live_view_minutes": 17})
    day = days_ahead(9)
    time_off = {"starts_at": victim.shop.local(day, 9), "ends_at": victim.shop.local(day, 12)}
    found = await _ok(api, "POST", f"{shop}/staff/{groomer.user_id}/time-off", owner, time_off)
    ids["time_off_id"] = found["time_off_id"]
    ids["resource_id"] = str(uuid.uuid4())
    await victim.shop.put(f"/resources/{ids['resource_id']}", {"name": SECRET, "type": "dryer"})


async def _bookings(api: Api, victim: VictimShop) -> None:
    shop, customer, ids = victim.shop, victim.customer, victim.ids
    pet = {"name": f"{SECRET} Mochi", "species": "dog", "allergies": ["chicken"]}
    ids["pet_id"] = (await _ok(api, "POST", "/v1/pets", customer, pet))["id"]
    born = days_ahead(90) - timedelta(days=3 * 365)  # a birthday about three months away
    birthday = {"kind": "birthday", "every": 1, "unit": "year", "since": born.isoformat()}
    await _ok(api, "PUT", f"/v1/pets/{ids['pet_id']}/care-cycles", victim.owner, {"cycles": [birthday]})
    day = days_ahead(5)
    held = await shop.hold(customer, shop.local(day, 10), pet_id=ids["pet_id"])
    assert held.status_code == 201, held.text
    ids["booking_id"] = held.json()["id"]
    assert (await shop.step(customer, ids["booking_id"], "confirm")).status_code == 200
    taken = await shop.hold(victim.neighbour, shop.local(day, 13))
    assert taken.status_code == 201, taken.text
    waiting = {"service_id": shop.service_id, "starts_at": shop.local(day, 13)}
    ids["waitlist_entry_id"] = (await _ok(api, "POST", "/v1/waitlist", customer, waiting))["id"]


async def _assistant_and_campaign(api: Api, victim: VictimShop) -> None:
    owner, ids, shop = victim.owner, victim.ids, f"/v1/shops/{victim.owner.shop_id}"
    entry = {"question": "Opening hours?", "answer": SECRET, "keywords": ["hours"]}
    ids["faq_entry_id"] = (await _ok(api, "POST", shop + "/faq", owner, entry))["entry_id"]
    await _ok(api, "PUT", shop + "/assistant", owner, {"mode": "off", "address": SECRET})
    # scheduled a month ahead, so an intruder's cancel would show in the victim's view
    send_at = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    campaign = {
        "name": SECRET,
        "segment": {"kind": "new"},
        "title": SECRET,
        "body": SECRET,
        "send_at": send_at,
    }
    ids["campaign_id"] = (await _ok(api, "POST", shop + "/campaigns", owner, campaign))["id"]


async def _webhook(api: Api, victim: VictimShop) -> None:
    """For an event the walk never causes, so the endpoint's log stays still; and an API key."""
    endpoint = {
        "url": "http://127.0.0.1:27599/victim",
        "event_types": ["messaging.message.recalled"],
        "description": SECRET,
    }
    made = await _ok(api, "POST", f"/v1/shops/{victim.owner.shop_id}/webhooks", victim.owner, endpoint)
    victim.ids["endpoint_id"] = made["id"]
    key = {"name": SECRET, "scopes": ["read"]}
    victim.ids["key_id"] = (
        await _ok(api, "POST", f"/v1/shops/{victim.owner.shop_id}/api-keys", victim.owner, key)
    )["id"]


async def _first_notification(api: Api, customer: Account) -> str:
    """The booking confirmation notify sends the customer (it arrives a moment later)."""
    async with asyncio.timeout(15):
        while True:
            found = await _ok(api, "GET", "/v1/notifications", customer)
            if found:
                return str(found[0]["id"])
            await asyncio.sleep(0.3)


async def _ok(api: Api, method: str, path: str, caller: Account, body: dict[str, Any] | None = None) -> Any:
    response = await api.http.request(method, path, json=body, headers=caller.auth)
    assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
    return json.loads(response.text)
