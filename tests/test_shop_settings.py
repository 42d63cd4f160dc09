"""Business hours with the automatic answer, quick replies, round-robin and reports."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e


def closed_now(timezone: str = "Asia/Shanghai") -> dict:
    """Hours that do not include this moment: one hour, three days from now."""
    other_day = (datetime.now(ZoneInfo(timezone)).weekday() + 3) % 7
    return {str(other_day): [["09:00", "10:00"]]}


async def history(api, caller, conversation):
    return (await api.history(caller, conversation, limit=200))["messages"]


async def test_outside_business_hours_the_shop_answers_once_a_day(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    hours = {
        "timezone": "Asia/Shanghai",
        "weekly": closed_now(),
        "auto_reply_text": "我们已下班,明早9点回复您",
    }
    assert (await api.http.put("/v1/shop/hours", json=hours, headers=owner.auth)).status_code == 200
    staff = await api.staff(owner)
    refused = await api.http.put("/v1/shop/hours", json=hours, headers=staff.auth)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_allowed")

    phone = await api.device(customer)
    await api.send(customer, conversation, "还营业吗?")
    auto = await phone.next("message.new", sender_kind="auto_reply")
    assert auto["message"]["text"] == "我们已下班,明早9点回复您"
    await api.send(customer, conversation, "好的明天见")
    messages = await history(api, customer, conversation)
    assert [m["sender_kind"] for m in messages] == ["person", "auto_reply", "person"]

    always_open = {
        "timezone": "Asia/Shanghai",
        "weekly": {str(d): [["00:00", "23:59:59"]] for d in range(7)},
        "auto_reply_text": "closed",
    }
    assert (await api.http.put("/v1/shop/hours", json=always_open, headers=owner.auth)).status_code == 200
    other = await api.customer(owner.shop_id)
    other_conversation = await api.open_conversation(other)
    await api.send(other, other_conversation, "hello?")
    assert [m["sender_kind"] for m in await history(api, other, other_conversation)] == ["person"]


async def test_quick_reply_templates_fill_in_the_customers_name(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id, "王女士")
    conversation = await api.open_conversation(customer)
    template = str(uuid.uuid4())
    body = {"name": "bath done", "text": "{customer_name}您好,{pet_name}已经洗好了,可以来接啦"}
    assert (
        await api.http.put(f"/v1/shop/templates/{template}", json=body, headers=owner.auth)
    ).status_code == 200
    listed = (await api.http.get("/v1/shop/templates", headers=owner.auth)).json()
    assert [t["name"] for t in listed] == ["bath done"]
    rendered = await api.http.get(
        f"/v1/shop/templates/{template}/render",
        params={"conversation_id": conversation, "pet_name": "金毛"},
        headers=owner.auth,
    )
    assert rendered.json() == {"text": "王女士您好,金毛已经洗好了,可以来接啦"}
    assert (await api.http.get("/v1/shop/templates", headers=customer.auth)).status_code == 403
    assert (await api.http.delete(f"/v1/shop/templates/{template}", headers=owner.auth)).status_code == 204
    assert (await api.http.get("/v1/shop/templates", headers=owner.auth)).json() == []


async def test_new_conversations_go_round_robin_to_online_staff_with_room(api):
    owner = await api.shop()
    amy, bob, carl = (
        await api.staff(owner, "Amy"),
        await api.staff(owner, "Bob"),
        await api.staff(owner, "Carl"),
    )
    capacity = await api.http.put(
        f"/v1/shop/staff/{amy.user_id}/capacity", json={"capacity": 1}, headers=owner.auth
    )
    assert capacity.status_code == 200
    await api.device(amy)
    await api.device(bob)  # Carl stays offline
    await asyncio.sleep(3)  # presence reaches messaging through Kafka

    assignees = []
    for n in range(4):
        customer = await api.customer(owner.shop_id, f"c{n}")
        conversation = await api.open_conversation(customer)
        assert (await api.send(customer, conversation, "hi")).status_code == 201
        found = (await api.http.get(f"/v1/conversations/{conversation}", headers=owner.auth)).json()
        assignees.append(found["assignee_id"])
    assert assignees.count(amy.user_id) == 1, "Amy takes one at a time"
    assert assignees.count(bob.user_id) == 3
    assert carl.user_id not in assignees and None not in assignees
    assert assignees[0] != assignees[1], "round-robin: the first two go to different people"


async def test_reports_count_first_response_in_opening_hours_resolution_and_csat(api):
    owner = await api.shop()
    hours = {"timezone": "Asia/Shanghai", "weekly": closed_now(), "auto_reply_text": None}
    assert (await api.http.put("/v1/shop/hours", json=hours, headers=owner.auth)).status_code == 200
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone = await api.device(customer)
    await api.send(customer, conversation, "can I book a bath?")
    await asyncio.sleep(1.5)
    await api.send(owner, conversation, "yes, Saturday 10am")
    await api.http.put(
        f"/v1/conversations/{conversation}/status", json={"status": "resolved"}, headers=owner.auth
    )
    survey = await phone.next("survey.requested")
    await api.http.post(
        f"/v1/conversations/{conversation}/survey",
        json={"survey_id": survey["survey_id"], "rating": 4},
        headers=customer.auth,
    )

    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    rows = (
        await api.http.get("/v1/shop/reports", params={"by": "staff", "since": since}, headers=owner.auth)
    ).json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["staff_id"], row["conversations"], row["answered"], row["resolved"]) == (
        owner.user_id,
        1,
        1,
        1,
    )
    assert row["first_response_avg_seconds"] == 0, "the shop was closed: no opening time went by"
    assert row["resolution_avg_seconds"] >= 1.5
    assert (row["csat_avg"], row["csat_responses"]) == (4.0, 1)
    assert (await api.http.get("/v1/shop/reports", headers=customer.auth)).status_code == 403
