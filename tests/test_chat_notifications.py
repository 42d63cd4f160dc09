"""Chat notifications through the gateway: an unread message becomes one push after a
short delay (5 s in tests), a burst collapses into one, a read one and an internal note
never notify."""

from __future__ import annotations

import asyncio

import pytest

from .client import Account, Api

pytestmark = pytest.mark.e2e


async def _reachable_customer(api: Api, shop_id: str, name: str) -> Account:
    customer = await api.customer(shop_id, name)
    await api.push_device(customer)
    return customer


async def _chat_pushes(api: Api, owner: Account, customer: Account) -> list[dict]:
    sunk = await api.http.get(
        f"/v1/shops/{owner.shop_id}/dev-sink", params={"user_id": customer.user_id}, headers=owner.auth
    )
    assert sunk.status_code == 200, sunk.text
    return [r for r in sunk.json() if r["notification_id"].startswith("chat:")]


async def test_a_burst_of_unread_messages_becomes_one_push_and_notes_or_read_ones_none(api):
    owner = await api.shop("Golden Paws")
    busy, reader = (
        await _reachable_customer(api, owner.shop_id, "Li"),
        await _reachable_customer(api, owner.shop_id, "Wang"),
    )
    to_busy = await api.open_conversation(owner, busy.user_id)
    to_reader = await api.open_conversation(owner, reader.user_id)

    burst = await asyncio.gather(*(api.send(owner, to_busy, f"照片{n}") for n in range(10)))
    assert [r.status_code for r in burst] == [201] * 10
    note = await api.http.post(f"/v1/conversations/{to_busy}/notes", json={"text": "VIP"}, headers=owner.auth)
    assert note.status_code == 201
    sent = await api.send(owner, to_reader, "周六见")
    assert sent.status_code == 201
    read = await api.http.post(
        f"/v1/conversations/{to_reader}/read", json={"up_to_seq": sent.json()["seq"]}, headers=reader.auth
    )
    assert read.status_code == 200, read.text

    async with asyncio.timeout(20):
        while not await _chat_pushes(api, owner, busy):
            await asyncio.sleep(0.25)
    await asyncio.sleep(6)  # past another delay: a second push would have come by now

    [push] = await _chat_pushes(api, owner, busy)
    assert push["body"] == "Golden Paws给您发了10条新消息"
    assert await _chat_pushes(api, owner, reader) == []
    mine = (await api.http.get("/v1/notifications", headers=busy.auth)).json()
    assert [(n["category"], n["data"]["count"]) for n in mine] == [("chat_message", 10)]
