"""A customer hears one voice at a time: a staff member who takes a conversation by hand
(even one the round-robin already gave them) silences the assistant and leaves their
note for colleagues, and the shop's out-of-hours text is not sent on top of the
assistant's answer."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .booking_shop import BookingShop, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e
WAIT = 20  # seconds: every wait here is bounded
SHANGHAI = ZoneInfo("Asia/Shanghai")


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


def _closed_now() -> dict[str, list[list[str]]]:
    """Hours that do not include this moment: one hour, three days from now."""
    other_day = (datetime.now(SHANGHAI).weekday() + 3) % 7
    return {str(other_day): [["09:00", "10:00"]]}


async def test_out_of_hours_the_assistant_answers_instead_of_the_closed_text_unless_a_person_has_it(api):
    shop = await _shop(api)
    # The assistant first: messaging learns its mode from ai-assist, keyed by the shop like
    # the hours set next, so once the hours are in force the mode is too.
    await _assistant(shop, "always")
    closed = {
        "timezone": "Asia/Shanghai",
        "weekly": _closed_now(),
        "auto_reply_text": "我们已下班,明早9点回复您",
    }
    hours = await api.http.put("/v1/shop/hours", json=closed, headers=shop.owner.auth)
    assert hours.status_code == 200, hours.text

    customer = await api.customer(shop.owner.shop_id, "Zhao")
    conversation = await api.open_conversation(customer)
    answers = await _answered(api, customer, conversation, "你们店地址在哪里？")
    assert [m["sender_kind"] for m in answers] == ["assistant"], "one answer, not the closed text on top"
    assert "天钥桥路" in answers[0]["text"]

    taken = await api.customer(shop.owner.shop_id, "Qian")
    with_amy = await api.open_conversation(taken)
    amy = shop.staff[0]
    assigned = await api.http.put(
        f"/v1/conversations/{with_amy}/assignment", json={"assignee_id": amy.user_id}, headers=amy.auth
    )
    assert assigned.status_code == 200, assigned.text
    phone = await api.device(taken)
    asked = await api.send(taken, with_amy, "你们店地址在哪里？")
    auto = await phone.next("message.new", sender_kind="auto_reply")
    assert auto["message"]["text"] == "我们已下班,明早9点回复您", (
        "where the assistant is quiet, the shop still answers"
    )
    await asyncio.sleep(3)
    answers = await _answers_after(api, taken, with_amy, asked.json()["seq"])
    assert [m["sender_kind"] for m in answers] == ["auto_reply"]
