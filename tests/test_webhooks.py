"""Webhooks through the gateway: a shop's owner registers an endpoint for the events it
wants, a customer's message arrives there signed as Standard Webhooks says (verified with
the `standardwebhooks` package), a type the endpoint did not ask for never arrives, a
receiver that fails is tried again with the same webhook-id, an endpoint that fails all
its tries is turned off and the owner told, and no other shop can see or touch it."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from standardwebhooks import Webhook

from .client import Account, Api
from .webhook_receiver import Receiver

pytestmark = pytest.mark.e2e

PORTS = itertools.count(27500)  # this helper's range: 27500-27599


async def _register(api: Api, owner: Account, url: str, event_types: list[str]) -> dict[str, Any]:
    body = {"url": url, "event_types": event_types, "description": "CRM"}
    response = await api.http.post(f"/v1/shops/{owner.shop_id}/webhooks", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _log(api: Api, owner: Account, endpoint_id: str) -> list[dict[str, Any]]:
    path = f"/v1/shops/{owner.shop_id}/webhooks/{endpoint_id}/deliveries"
    response = await api.http.get(path, headers=owner.auth)
    assert response.status_code == 200, response.text
    return list(response.json())


async def _customer_says(api: Api, owner: Account, text: str) -> None:
    customer = await api.customer(owner.shop_id)
    conversation_id = await api.open_conversation(customer)
    assert (await api.send(customer, conversation_id, text)).status_code == 201


async def test_a_message_arrives_signed_and_nothing_the_endpoint_did_not_ask_for(api: Api) -> None:
    owner = await api.shop()
    async with Receiver(next(PORTS)) as receiver:
        endpoint = await _register(api, owner, receiver.url, ["messaging.message.sent"])
        assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"]

        await _customer_says(api, owner, "Is Saturday 10:00 free for a bath?")
        [arrived] = await receiver.until(1)
        payload = Webhook(endpoint["secret"]).verify(arrived.body, arrived.headers)
        assert payload["type"] == "messaging.message.sent.v1"
        assert payload["data"]["shop_id"] == owner.shop_id
        assert "Saturday 10:00" in arrived.body.decode()
        assert arrived.headers["webhook-id"].startswith("msg_")

        await asyncio.sleep(2)  # the conversation's other events (opened, ...) must not come
        assert len(receiver.received) == 1
    [logged] = await _log(api, owner, endpoint["id"])
    assert logged["status"] == "delivered" and logged["attempts"] == 1
    assert logged["message_id"] == arrived.headers["webhook-id"]

    listed = await api.http.get(f"/v1/shops/{owner.shop_id}/webhooks", headers=owner.auth)
    assert [e["id"] for e in listed.json()] == [endpoint["id"]]
    assert "secret" not in listed.json()[0]  # shown once, when made


async def test_a_failing_receiver_is_tried_again_and_turned_off_when_it_never_answers(api: Api) -> None:
    owner = await api.shop()
    async with Receiver(next(PORTS), status=503) as flaky, Receiver(next(PORTS), status=500) as broken:
        recovers = await _register(api, owner, flaky.url, ["messaging.message.*"])
        never = await _register(api, owner, broken.url, ["messaging.message.sent.v1"])
        await _customer_says(api, owner, "hello")
        sent = await flaky.until(2)  # the first try and one retry
        flaky.status = 200
        await broken.until(4)  # the first try and three retries (the test schedule)

        async def settled() -> None:
            while True:
                log = {e["message_id"]: e for e in await _log(api, owner, recovers["id"])}
                if log.get(sent[0].headers["webhook-id"], {}).get("status") == "delivered":
                    return
                await asyncio.sleep(0.2)

        await asyncio.wait_for(settled(), 20)
        assert len({r.headers["webhook-id"] for r in broken.received}) == 1  # one message, tried again
        Webhook(never["secret"]).verify(broken.received[-1].body, broken.received[-1].headers)

    found = await api.http.get(f"/v1/shops/{owner.shop_id}/webhooks/{never['id']}", headers=owner.auth)
    assert found.json()["enabled"] is False and "turned off" in found.json()["disabled_reason"]
    [failed] = await _log(api, owner, never["id"])
    assert failed["status"] == "failed" and failed["attempts"] == 4 and failed["last_status_code"] == 500
    assert (
        await api.http.get(f"/v1/shops/{owner.shop_id}/webhooks/{recovers['id']}", headers=owner.auth)
    ).json()["enabled"]

    async def told() -> None:
        while True:
            found = (await api.http.get("/v1/notifications", headers=owner.auth)).json()
            if any("Webhook" in n["title"] for n in found):
                return
            await asyncio.sleep(0.2)

    await asyncio.wait_for(told(), 20)

    turned_on = await api.http.patch(
        f"/v1/shops/{owner.shop_id}/webhooks/{never['id']}", json={"enabled": True}, headers=owner.auth
    )
    assert turned_on.json()["enabled"] is True and turned_on.json()["disabled_reason"] is None


async def test_only_https_to_public_hosts(api: Api) -> None:
    owner = await api.shop()
    for url, code in (
        ("https://10.0.0.7/hook", "webhook_host_not_public"),
        ("https://169.254.169.254/latest/meta-data", "webhook_host_not_public"),
        ("https://localhost/hook", "webhook_host_not_public"),
        ("http://crm.example.com/hook", "invalid_webhook_url"),
        ("ftp://crm.example.com/hook", "invalid_webhook_url"),
    ):
        body = {"url": url, "event_types": ["*"]}
        response = await api.http.post(f"/v1/shops/{owner.shop_id}/webhooks", json=body, headers=owner.auth)
        assert response.status_code == 422, url
        assert response.json()["error"]["code"] == code, url
    bad_filter = {"url": "http://127.0.0.1:27598/x", "event_types": ["DROP TABLE"]}
    response = await api.http.post(f"/v1/shops/{owner.shop_id}/webhooks", json=bad_filter, headers=owner.auth)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_event_types"


async def test_another_shop_cannot_see_or_touch_the_endpoints(api: Api) -> None:
    owner, intruder = await api.shop(), await api.shop("Rival")
    endpoint = await _register(api, owner, "http://127.0.0.1:27597/x", ["booking.*"])
    mine = f"/v1/shops/{owner.shop_id}/webhooks/{endpoint['id']}"
    theirs = f"/v1/shops/{intruder.shop_id}/webhooks/{endpoint['id']}"
    for method, path in (
        ("GET", mine),
        ("PATCH", mine),
        ("DELETE", mine),
        ("GET", theirs),
        ("DELETE", theirs),
    ):
        response = await api.http.request(method, path, json={"enabled": False}, headers=intruder.auth)
        assert response.status_code == 404, (method, path)
    assert (await api.http.get(f"/v1/shops/{intruder.shop_id}/webhooks", headers=intruder.auth)).json() == []
    groomer = await api.staff(owner)
    assert (
        await api.http.get(f"/v1/shops/{owner.shop_id}/webhooks", headers=groomer.auth)
    ).status_code == 403
    assert (await api.http.get(mine, headers=owner.auth)).json()["enabled"] is True
