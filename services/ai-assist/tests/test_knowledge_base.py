"""The shop's knowledge base and settings through the assistant's commands, answers from
it, and the optional language model (a fake OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from frontdesk_ai_assist.adapters.llm import ChatModel
from frontdesk_contracts import assistant

from .fakes.database import assistant_database
from .fakes.llm import FakeChatModel
from .fakes.server import serving
from .fakes.world import World

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def sessions(endpoints) -> AsyncIterator:
    async with assistant_database(endpoints) as sessions:
        yield sessions


def entry(world: World, role: str = "staff", **fields) -> assistant.SaveFaqEntry:
    body = {
        "question": "打完疫苗多久可以洗澡？",
        "answer": "打完疫苗 7 天后再洗澡。",
        "keywords": ["疫苗", "vaccine"],
        "translations": [
            {
                "language": "en",
                "question": "How long after a vaccine can my dog have a bath?",
                "answer": "Wait 7 days after a vaccination.",
            }
        ],
    } | fields
    return assistant.SaveFaqEntry(
        shop_id=world.shop_id, entry_id=uuid.uuid4(), actor=world.actor(role), **body
    )


async def test_staff_fill_the_knowledge_base_and_the_assistant_answers_from_it_in_both_languages(sessions):
    world = World(sessions)
    await world.set_up()
    accepted = await world.command(entry(world))
    assert accepted["type"] == "assistant.command.accepted.v1"
    assert await world.customer_says("狗狗打完疫苗多久能洗澡") == ["打完疫苗 7 天后再洗澡。"]
    assert await world.customer_says("how long after the vaccine can he be bathed?") == [
        "Wait 7 days after a vaccination."
    ]


async def test_bad_knowledge_base_and_settings_commands_are_refused_and_change_nothing(sessions):
    world = World(sessions)
    await world.set_up()
    by_customer = await world.command(entry(world, role="customer"))
    assert (by_customer["type"], by_customer["code"]) == ("assistant.command.rejected.v1", "forbidden")
    twice_english = entry(
        world, language="en", translations=[{"language": "en", "question": "q", "answer": "a"}]
    )
    assert (await world.command(twice_english))["code"] == "invalid_request"
    missing = assistant.DeleteFaqEntry(
        shop_id=world.shop_id, entry_id=uuid.uuid4(), actor=world.actor("staff")
    )
    assert (await world.command(missing))["code"] == "faq_entry_not_found"
    by_staff = assistant.SetAssistantSettings(shop_id=world.shop_id, mode="off", actor=world.actor("staff"))
    assert (await world.command(by_staff))["code"] == "forbidden"
    assert await world.customer_says("洗澡多少钱") == ["Bath ¥120（约 1 小时）。"]  # still on


async def test_a_question_the_knowledge_base_cannot_answer_goes_to_the_model_or_a_person(sessions):
    chat = FakeChatModel()
    async with serving(chat.app) as url, httpx.AsyncClient(base_url=url + "/v1/") as http:
        world = World(sessions, model=ChatModel(http, "tiny-model", "secret-key", timeout=5))
        await world.set_up(address="上海市徐汇区天钥桥路 123 号")
        await world.command(entry(world))

        chat.then("有的，店里有猫砂卖，具体价格到店咨询。")
        assert await world.customer_says("你们店里卖猫砂吗？") == ["有的，店里有猫砂卖，具体价格到店咨询。"]
        request = chat.requests[-1]
        assert request["authorization"] == "Bearer secret-key" and request["body"]["model"] == "tiny-model"
        system = request["body"]["messages"][0]["content"]
        assert "打完疫苗 7 天后再洗澡" in system and "天钥桥路" in system and "Bath" in system
        assert request["body"]["messages"][1] == {"role": "user", "content": "你们店里卖猫砂吗？"}

        chat.then("HANDOFF")
        [reply] = await world.customer_says("你们店里卖猫粮吗？")
        assert "同事" in reply and world.handoffs()[0]["handoff_note"].startswith("问题未能自动回答")

        asked = len(chat.requests)
        other = World(sessions, model=world.model)
        await other.set_up()
        chat.then("", status=503)
        [reply] = await other.customer_says("do you sell cat litter?")
        assert reply.startswith("Let me check that with our staff") and other.handoffs() != []
        other.conversation_id = uuid.uuid4()
        await other.set_up()
        [medical] = await other.customer_says("my dog is vomiting blood")
        assert "vet" in medical and len(chat.requests) == asked + 1  # never asked about health


async def test_with_a_model_answers_are_worded_for_the_question_but_never_lose_a_number(sessions):
    chat = FakeChatModel()
    async with serving(chat.app) as url, httpx.AsyncClient(base_url=url + "/v1/") as http:
        world = World(sessions, model=ChatModel(http, "tiny-model", timeout=5))
        await world.set_up()
        await world.command(entry(world))

        chat.then("狗狗打完疫苗后，等 7 天再洗澡就可以啦～")
        assert await world.customer_says("狗狗打完疫苗多久能洗澡") == [
            "狗狗打完疫苗后，等 7 天再洗澡就可以啦～"
        ]
        system = chat.requests[-1]["body"]["messages"][0]["content"]
        assert "打完疫苗 7 天后再洗澡。" in system and "保留" in system

        chat.then("过几天就可以洗澡啦～")  # the 7 is gone: the shop's own words go out instead
        assert await world.customer_says("打完疫苗多久可以洗澡？") == ["打完疫苗 7 天后再洗澡。"]
        chat.then("", status=503)
        assert await world.customer_says("打完疫苗多久可以洗澡呀") == ["打完疫苗 7 天后再洗澡。"]
