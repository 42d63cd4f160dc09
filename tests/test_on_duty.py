"""Nobody unheard at night: a customer's messages that no staff member would see (nobody
assigned, nobody online) push the staff member on duty — once for a burst — or, with
nobody on duty, the owner. Through the gateway, with the development sink as the phone."""

from __future__ import annotations

import asyncio

import pytest

from .client import Account, Api

pytestmark = pytest.mark.e2e


async def _chat_pushes(api: Api, owner: Account, user: Account) -> list[dict]:
    sunk = await api.http.get(
        f"/v1/shops/{owner.shop_id}/dev-sink", params={"user_id": user.user_id}, headers=owner.auth
    )
    assert sunk.status_code == 200, sunk.text
    return [r for r in sunk.json() if r["notification_id"].startswith("chat:")]


async def _first_push(api: Api, owner: Account, user: Account) -> None:
    async with asyncio.timeout(20):
        while not await _chat_pushes(api, owner, user):
            await asyncio.sleep(0.25)


async def _night_messages(api: Api, shop_id: str, name: str, *texts: str) -> None:
    customer = await api.customer(shop_id, name)
    conversation = await api.open_conversation(customer)
    for text in texts:
        assert (await api.send(customer, conversation, text)).status_code == 201


async def test_a_night_message_with_nobody_online_pushes_the_staff_on_duty_once(api):
    owner = await api.shop("Golden Paws")
    day_shift, night_shift = await api.staff(owner, "Xiao Li"), await api.staff(owner, "Xiao Zhang")
    for person in (owner, day_shift, night_shift):
        await api.push_device(person)

    # Nobody on duty yet: the owner hears of it.
    await _night_messages(api, owner.shop_id, "Wang", "在吗？")
    await _first_push(api, owner, owner)

    duty = f"/v1/shops/{owner.shop_id}/on-duty"
    refused = await api.http.put(duty, json={"staff_ids": [night_shift.user_id]}, headers=day_shift.auth)
    assert refused.status_code == 403
    set_ = await api.http.put(duty, json={"staff_ids": [night_shift.user_id]}, headers=owner.auth)
    assert set_.status_code == 200, set_.text
    assert set_.json() == {"staff_ids": [night_shift.user_id], "answering": [night_shift.user_id]}
    stranger = await api.shop("Other Paws")
    foreign = await api.http.put(
        f"/v1/shops/{stranger.shop_id}/on-duty",
        json={"staff_ids": [night_shift.user_id]},
        headers=stranger.auth,
    )
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "staff_not_found"

    await _night_messages(api, owner.shop_id, "Li", "我家狗狗吐了", "现在怎么办")
    await _first_push(api, owner, night_shift)
    await asyncio.sleep(6)  # past another delay: a second push would have come by now

    [push] = await _chat_pushes(api, owner, night_shift)
    assert push["body"] == "Li给您发了2条新消息"
    assert len(await _chat_pushes(api, owner, owner)) == 1, (
        "the owner heard only of the first, before the shift"
    )
    assert await _chat_pushes(api, owner, day_shift) == []
