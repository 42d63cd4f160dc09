"""A customer hears one voice at a time: a staff member who takes a conversation by hand
(even one the round-robin already gave them) silences the assistant and leaves their
note for colleagues, and the shop's out-of-hours text is not sent on top of the
assistant's answer."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from .booking_shop import BookingShop, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e
WAIT = 20  # seconds: every wait here is bounded


async def _shop(api: Api) -> BookingShop:
    return await set_up(api, timezone="Asia/Shanghai", groomers=1)


async def _assistant(shop: BookingShop, mode: str) -> None:
    settings = await shop.api.http.put(
        f"/v1/shops/{shop.owner.shop_id}/assistant",
        json={"mode": mode, "address": "上海市徐汇区天钥桥路 123 号"},
        headers=shop.owner.auth,
    )
    assert settings.status_code == 200, settings.text


async def _conversation(api: Api, caller: Account, conversation: str) -> dict[str, Any]:
    found = await api.http.get(f"/v1/conversations/{conversation}", headers=caller.auth)
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def _answers_after(api: Api, customer: Account, conversation: str, seq: int) -> list[dict[str, Any]]:
    page = await api.history(customer, conversation, after_seq=seq)
    return [m for m in page["messages"] if m["sender_kind"] != "person"]


async def _answered(api: Api, customer: Account, conversation: str, text: str) -> list[dict[str, Any]]:
    """The customer writes; once the assistant has answered, everything the shop sent by
    itself since (the assistant's answer, an out-of-hours text)."""
    sent = await api.send(customer, conversation, text)
    assert sent.status_code == 201, sent.text
    async with asyncio.timeout(WAIT):
        while True:
            answers = await _answers_after(api, customer, conversation, sent.json()["seq"])
            if any(m["sender_kind"] == "assistant" for m in answers):
                return answers
            await asyncio.sleep(0.1)


async def _round_robin_gives_it_to(api: Api, staff: Account, customer: Account, conversation: str) -> None:
    """The customer writes until the staff member's presence has reached messaging and the
    round-robin gives them the conversation."""
    async with asyncio.timeout(WAIT):
        while True:
            assert (await api.send(customer, conversation, "你好")).status_code == 201
            if (await _conversation(api, staff, conversation))["assignee_id"] == staff.user_id:
                return
            await asyncio.sleep(0.5)


async def test_taking_a_conversation_the_round_robin_gave_you_keeps_the_note_and_quiets_the_assistant(api):
    shop = await _shop(api)
    amy = shop.staff[0]
    amy_phone = await api.device(amy)
    customer = await api.customer(shop.owner.shop_id, "Li")
    conversation = await api.open_conversation(customer)
    await _round_robin_gives_it_to(api, amy, customer, conversation)
    auto = await _conversation(api, amy, conversation)
    await amy_phone.next("conversation.assigned", reason="auto")

    await _assistant(shop, "always")
    [answer] = await _answered(api, customer, conversation, "你们店地址在哪里？")
    assert answer["sender_kind"] == "assistant" and "天钥桥路" in answer["text"]

    note = "王女士的金毛怕吹风机，我来跟进"
    taken = await api.http.put(
        f"/v1/conversations/{conversation}/assignment",
        json={"assignee_id": amy.user_id, "handoff_note": note},
        headers=amy.auth,
    )
    assert taken.status_code == 200, taken.text
    frame = await amy_phone.next("conversation.assigned", handoff_note=note)
    assert (frame["assignee_id"], frame["previous_assignee_id"], frame["reason"], frame["assigned_by"]) == (
        amy.user_id,
        amy.user_id,
        "manual",
        amy.user_id,
    )
    seen = await _conversation(api, shop.owner, conversation)
    assert (seen["assignee_id"], seen["handoff_note"]) == (amy.user_id, note)
    assert datetime.fromisoformat(seen["assigned_at"]) > datetime.fromisoformat(auto["assigned_at"])

    later = await api.send(customer, conversation, "你们店地址在哪里？")
    await asyncio.sleep(3)
    assert await _answers_after(api, customer, conversation, later.json()["seq"]) == [], (
        "the assistant stays quiet once staff assign by hand, to themselves too"
    )
