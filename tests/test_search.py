"""Searching message history like a client app: staff over their shop, a customer over
their own conversation, in Chinese and English, and never across shops."""

import subprocess
import sys
from typing import Any

import asyncpg
import pytest

from .client import Account, Api

pytestmark = pytest.mark.e2e


async def search(api: Api, caller: Account, q: str, **params: Any) -> dict[str, Any]:
    response = await api.http.get("/v1/search", params={"q": q, **params}, headers=caller.auth)
    assert response.status_code == 200, response.text
    return response.json()


async def found(api: Api, caller: Account, q: str) -> list[str]:
    return [r["text"] for r in (await search(api, caller, q, limit=50))["results"]]


async def say(api: Api, caller: Account, conversation: str, text: str) -> None:
    assert (await api.send(caller, conversation, text)).status_code == 201


@pytest.fixture
async def shop(api):
    """A shop with two customers who each talked with the staff."""
    owner = await api.shop("Golden Paws")
    groomer = await api.staff(owner)
    wang, li = await api.customer(owner.shop_id, "Wang"), await api.customer(owner.shop_id, "Li")
    wang_chat, li_chat = await api.open_conversation(wang), await api.open_conversation(li)
    await say(api, wang, wang_chat, "请问你们的售后服务怎么联系?")
    await say(api, groomer, wang_chat, "周六上午可以给金毛洗澡")
    await say(api, li, li_chat, "Grooming for my poodle, and two baths please")
    await say(api, groomer, li_chat, "洗澡和Grooming都可以, 10点见")
    return {"owner": owner, "groomer": groomer, "wang": wang, "li": li, "wang_chat": wang_chat}


async def test_chinese_words_are_found_inside_longer_text(api, shop):
    assert await found(api, shop["groomer"], "售后") == ["请问你们的售后服务怎么联系?"]
    assert await found(api, shop["groomer"], "洗澡") == [
        "洗澡和Grooming都可以, 10点见",
        "周六上午可以给金毛洗澡",
    ]


async def test_english_ignores_case_and_plurals(api, shop):
    both = ["洗澡和Grooming都可以, 10点见", "Grooming for my poodle, and two baths please"]
    assert await found(api, shop["owner"], "grooming") == both
    assert await found(api, shop["owner"], "BATH") == ["Grooming for my poodle, and two baths please"]
    assert await found(api, shop["owner"], "grooming 洗澡") == both[:1]


async def test_a_result_says_where_it_is_and_marks_the_words_found(api, shop):
    (result,) = (await search(api, shop["wang"], "售后"))["results"]
    assert result["conversation_id"] == shop["wang_chat"]
    assert result["seq"] == 1 and result["sender_role"] == "customer"
    assert [p["text"] for p in result["snippet"] if p["match"]] == ["售后"]
    assert "".join(p["text"] for p in result["snippet"]) == result["text"]


async def test_a_customer_finds_only_their_own_conversation(api, shop):
    assert await found(api, shop["wang"], "洗澡") == ["周六上午可以给金毛洗澡"]
    assert await found(api, shop["li"], "洗澡") == ["洗澡和Grooming都可以, 10点见"]
    assert await found(api, shop["wang"], "grooming") == []


async def test_another_shop_finds_nothing_of_this_one(api, shop):
    rival = await api.shop("Rival Pets")
    their_customer = await api.customer(rival.shop_id)
    conversation = await api.open_conversation(their_customer)
    await say(api, their_customer, conversation, "可以洗澡吗")
    assert await found(api, rival, "洗澡") == ["可以洗澡吗"]
    assert await found(api, rival, "售后") == []
    assert await found(api, rival, "grooming") == []
    assert await found(api, shop["groomer"], "洗澡") == [
        "洗澡和Grooming都可以, 10点见",
        "周六上午可以给金毛洗澡",
    ]


async def test_pages_go_back_in_time(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    for n in range(5):
        await say(api, customer, conversation, f"bath {n}")
    first = await search(api, owner, "bath", limit=2)
    second = await search(api, owner, "bath", limit=2, before=first["next_before"])
    third = await search(api, owner, "bath", limit=2, before=second["next_before"])
    pages = [[r["text"] for r in page["results"]] for page in (first, second, third)]
    assert pages == [["bath 4", "bath 3"], ["bath 2", "bath 1"], ["bath 0"]]
    assert third["next_before"] is None
    response = await api.http.get(
        "/v1/search", params={"q": "bath", "before": "yesterday"}, headers=owner.auth
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_cursor")


@pytest.mark.parametrize("q", ["?!。", "", "洗" * 101])
async def test_a_query_without_words_or_too_long_is_refused(api, q):
    owner = await api.shop()
    response = await api.http.get("/v1/search", params={"q": q}, headers=owner.auth)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_query"


async def test_searching_needs_a_token(api):
    response = await api.http.get("/v1/search", params={"q": "洗澡"})
    assert response.status_code == 401


async def test_a_lost_search_index_comes_back_the_same_from_rebuild(api, system, endpoints, shop):
    queries = ["售后", "洗澡", "grooming", "bath", "10点"]
    callers = [shop["owner"], shop["wang"], shop["li"]]
    before = [await search(api, c, q) for c in callers for q in queries]
    database = f"{system.database_prefix}_messaging"
    conn = await asyncpg.connect(
        host=endpoints.database_host,
        port=endpoints.database_port,
        user=endpoints.database_user,
        password=endpoints.database_password or None,
        database=database,
    )
    try:
        await conn.execute("DELETE FROM message_search")
    finally:
        await conn.close()
    assert await found(api, shop["owner"], "洗澡") == []

    env = {**system.env, "FRONTDESK_DATABASE_NAME": database}
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk_messaging", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Building prefix dict" not in result.stderr  # jieba loads quietly
    assert [await search(api, c, q) for c in callers for q in queries] == before
    assert sum(len(page["results"]) for page in before) >= 8
