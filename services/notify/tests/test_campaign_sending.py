"""Sending campaigns on the real PostgreSQL: the segment's customers get one notification
each, opted-out customers and those the shop reached within the frequency cap get none,
every recipient's outcome is recorded, and the internal API shows it all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI
from frontdesk_contracts import notify as contracts
from frontdesk_notify.entrypoints import campaigns as campaigns_http
from frontdesk_notify.service_layer.delivery import Delivery, deliver_due
from frontdesk_platform.errors import install_error_handlers

from .campaign_harness import Harness, notify_database

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Shop:
    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.id, self.owner = uuid4(), uuid4()

    async def customer(self, species: str = "", labels: tuple[str, ...] = ()) -> UUID:
        customer_id = uuid4()
        ids = {"shop_id": str(self.id), "customer_id": str(customer_id)}
        await self.harness.event("identity.customer.registered.v1", {**ids, "name": "x"}, self.id, None, NOW)
        if species:
            pet = {**ids, "pet_id": str(uuid4()), "profile": {"name": "Momo", "species": species}}
            await self.harness.event("booking.pet.registered.v1", {**pet, "at": NOW.isoformat()}, uuid4(), 1)
        if labels:
            data = {**ids, "conversation_id": str(uuid4()), "labels": list(labels)}
            await self.harness.event("messaging.conversation.labels_changed.v1", data, uuid4(), 4)
        return customer_id

    def campaign(self, segment: dict[str, Any], **fields: Any) -> contracts.SendCampaign:
        actor = fields.pop("actor", contracts.Actor(user_id=self.owner, role="owner", shop_id=self.id))
        return contracts.SendCampaign(
            **{
                "campaign_id": uuid4(),
                "shop_id": self.id,
                "name": "Spring",
                "segment": segment,
                "title": "春季洗澡周",
                "body": "本周洗澡八折",
                "actor": actor,
                **fields,
            }
        )


@pytest.fixture
async def harness(endpoints) -> AsyncIterator[Harness]:
    async with notify_database(endpoints, NOW) as harness:
        yield harness


@pytest.fixture
async def api(harness) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(campaigns_http.router)
    app.state.sessions, app.state.clock = harness.sessions, harness.clock
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://notify") as client:
        yield client


async def _notifications(harness: Harness, shop: Shop) -> dict[UUID, list[Any]]:
    rows = await harness.rows(
        "SELECT * FROM notifications WHERE shop_id = :s AND category = 'campaign' ORDER BY created_at",
        s=shop.id,
    )
    found: dict[UUID, list[Any]] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append(row)
    return found


async def _outcomes(api: httpx.AsyncClient, shop: Shop, campaign_id: UUID) -> dict[str, str]:
    response = await api.get(f"/internal/shops/{shop.id}/campaigns/{campaign_id}")
    assert response.status_code == 200, response.text
    return {r["user_id"]: r["status"] for r in response.json()["recipients"]}


async def test_a_campaign_reaches_its_segment_in_their_language_and_never_an_opted_out_customer(harness, api):
    shop = Shop(harness)
    alice, bob, carol = [await shop.customer("dog") for _ in range(3)]
    dave = await shop.customer("cat")
    await harness.execute(
        "INSERT INTO preferences (user_id, shop_id, language, opted_out) VALUES (:a, :s, 'en', '{}'), "
        "(:b, :s, NULL, '{marketing}')",
        a=alice,
        b=bob,
        s=shop.id,
    )
    english = contracts.CampaignText(title="Spring bath week", body="20% off baths this week")
    campaign = shop.campaign({"kind": "pet_type", "species": "Dog"}, variants={"en": english})

    reply = await harness.send(campaign)

    assert reply["type"] == "notify.command.accepted.v1"
    sent = await _notifications(harness, shop)
    assert sorted(sent) == sorted([alice, carol])
    [to_alice], [to_carol] = sent[alice], sent[carol]
    assert (to_alice.id, to_alice.title, to_alice.language) == (
        f"campaign:{campaign.campaign_id}:{alice}",
        "Spring bath week",
        "en",
    )
    assert (to_carol.title, to_carol.body, to_carol.critical) == ("春季洗澡周", "本周洗澡八折", False)
    assert dave not in sent

    await deliver_due(harness.deps, Delivery(providers={}))  # no device: their in-app list
    found = (await api.get(f"/internal/shops/{shop.id}/campaigns/{campaign.campaign_id}")).json()
    assert found["segment"] == {"kind": "pet_type", "species": "dog"}
    assert found["counts"] == {
        "audience": 3,
        "queued": 2,
        "skipped_opted_out": 1,
        "skipped_frequency_cap": 0,
        "sent": 2,
        "failed": 0,
    }
    outcomes = {r["user_id"]: (r["status"], r["delivery_status"]) for r in found["recipients"]}
    assert outcomes == {
        str(alice): ("queued", "sent"),
        str(bob): ("skipped_opted_out", None),
        str(carol): ("queued", "sent"),
    }


async def test_a_second_campaign_within_the_cap_skips_those_already_reached_and_after_it_reaches_them(
    harness, api
):
    shop, other_shop = Shop(harness), Shop(harness)
    alice = await shop.customer("dog", labels=("VIP",))
    dave = await shop.customer("cat", labels=("vip",))
    await other_shop.customer("dog", labels=("VIP",))
    first = shop.campaign({"kind": "pet_type", "species": "dog"})
    assert (await harness.send(first))["type"] == "notify.command.accepted.v1"
    assert (await harness.send(other_shop.campaign({"kind": "label", "label": "vip"})))["type"].endswith(
        "accepted.v1"
    )

    harness.clock.now = NOW + timedelta(days=2)
    second = shop.campaign({"kind": "label", "label": "VIP"}, name="VIP evening")
    assert (await harness.send(second))["type"] == "notify.command.accepted.v1"
    assert await _outcomes(api, shop, second.campaign_id) == {
        str(alice): "skipped_frequency_cap",
        str(dave): "queued",
    }

    harness.clock.now = NOW + timedelta(days=7, minutes=1)
    third = shop.campaign({"kind": "pet_type", "species": "dog"}, name="Summer")
    await harness.send(third)
    assert await _outcomes(api, shop, third.campaign_id) == {str(alice): "queued"}
    sent = await _notifications(harness, shop)
    assert [n.data["campaign_id"] for n in sent[alice]] == [str(first.campaign_id), str(third.campaign_id)]
    assert [n.data["campaign_id"] for n in sent[dave]] == [str(second.campaign_id)]
    listed = (await api.get(f"/internal/shops/{shop.id}/campaigns")).json()
    assert [(c["name"], c["counts"]["queued"]) for c in listed] == [
        ("Summer", 1),
        ("VIP evening", 1),
        ("Spring", 1),
    ]


async def test_sending_the_same_campaign_again_sends_nothing_more(harness, api):
    shop = Shop(harness)
    alice = await shop.customer("dog")
    campaign = shop.campaign({"kind": "pet_type", "species": "dog"})
    await harness.send(campaign)
    harness.clock.now = NOW + timedelta(minutes=5)
    assert (await harness.send(campaign))["type"] == "notify.command.accepted.v1"
    assert len((await _notifications(harness, shop))[alice]) == 1
    assert await _outcomes(api, shop, campaign.campaign_id) == {str(alice): "queued"}
    assert (await harness.send(Shop(harness).campaign({"kind": "new"}, campaign_id=campaign.campaign_id)))[
        "code"
    ] == "campaign_exists"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"segment": {"kind": "vip"}}, "unknown_segment_kind"),
        ({"segment": {"kind": "dormant", "days": -3}}, "invalid_segment"),
        ({"body": "  "}, "empty_message"),
        ({"variants": {"fr": contracts.CampaignText(title="Salut", body="Bain")}}, "unknown_language"),
        ({"name": ""}, "invalid_name"),
        ({"staff": True}, "forbidden"),
    ],
)
async def test_a_bad_campaign_is_refused_with_a_clear_code_and_nothing_is_sent(harness, change, code):
    shop, change = Shop(harness), dict(change)
    await shop.customer("dog")
    if change.pop("staff", False):
        change["actor"] = contracts.Actor(user_id=uuid4(), role="staff", shop_id=shop.id)
    segment = change.pop("segment", {"kind": "pet_type", "species": "dog"})
    reply = await harness.send(shop.campaign(segment, **change))
    assert (reply["type"], reply["code"]) == ("notify.command.rejected.v1", code)
    assert reply["message"]
    assert await _notifications(harness, shop) == {}
    assert await harness.rows("SELECT * FROM campaigns WHERE shop_id = :s", s=shop.id) == []


async def test_a_segment_preview_counts_the_shops_customers_in_it(harness, api):
    shop = Shop(harness)
    dogs = sorted([await shop.customer("dog"), await shop.customer("Dog")])
    await shop.customer("cat")
    await Shop(harness).customer("dog")
    response = await api.post(
        f"/internal/shops/{shop.id}/segments/preview",
        json={"segment": {"kind": "pet_type", "species": "dog"}},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "segment": {"kind": "pet_type", "species": "dog"},
        "size": 2,
        "customer_ids": [str(c) for c in dogs],
    }
    new = (
        await api.post(f"/internal/shops/{shop.id}/segments/preview", json={"segment": {"kind": "new"}})
    ).json()
    assert new["size"] == 3 and new["segment"] == {"kind": "new", "days": 30}
    bad = await api.post(f"/internal/shops/{shop.id}/segments/preview", json={"segment": {"kind": "whales"}})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown_segment_kind"
    missing = await api.get(f"/internal/shops/{shop.id}/campaigns/{uuid4()}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "campaign_not_found")
