"""Input PostgreSQL could never store is refused at the gateway at once, with a code and the
field's name: text with U+0000 or a lone surrogate, integers past their column, dates past
what a search can reach and times without a zone. Nothing of it reaches Kafka, so it never
holds up anyone else's conversation."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka.partitioner import murmur2

from .client import PASSWORD, Account, Api

pytestmark = pytest.mark.e2e

NUL = "\x00"
SURROGATE = "\ud800"
PARTITIONS = 6  # FRONTDESK_KAFKA_PARTITIONS' default: the commands topic's partitions


async def call(api: Api, method: str, path: str, caller: Account | None, body: Any = None) -> httpx.Response:
    """Send a body as a client could: JSON escapes (\\u0000, \\ud800) that decode to what
    PostgreSQL refuses."""
    headers = {"content-type": "application/json", **(caller.auth if caller else {})}
    content = None if body is None else json.dumps(body)
    return await api.http.request(method, path, content=content, headers=headers)


def refusal(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


@pytest.fixture
async def chat(api: Api) -> tuple[Account, Account, str]:
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    return owner, customer, await api.open_conversation(customer)


async def test_text_postgresql_refuses_is_a_422_naming_the_field_on_every_kind_of_write(api, chat):
    owner, customer, conversation = chat
    shop = owner.shop_id
    some_id = str(uuid.uuid4())
    cases: list[tuple[str, str, Account | None, dict[str, Any], str]] = [
        ("POST", f"/v1/conversations/{conversation}/messages", customer,
         {"client_msg_id": "m1", "text": f"hi{NUL}"}, "text"),
        ("POST", f"/v1/conversations/{conversation}/messages", customer,
         {"client_msg_id": "m2", "text": f"hi{SURROGATE}"}, "text"),
        ("POST", f"/v1/conversations/{conversation}/notes", owner, {"text": f"note{NUL}"}, "text"),
        ("PUT", f"/v1/conversations/{conversation}/labels", owner, {"labels": ["vip", SURROGATE]}, "labels[1]"),
        ("PUT", f"/v1/shop/templates/{some_id}", owner, {"name": "done", "text": f"ready{NUL}"}, "text"),
        ("POST", "/v1/pets", customer, {"name": f"Mimi{NUL}"}, "name"),
        ("PUT", f"/v1/shops/{shop}/services/{some_id}", owner,
         {"name": f"Bath{SURROGATE}", "duration_minutes": 60}, "name"),
        ("POST", f"/v1/shops/{shop}/faq", owner, {"question": f"open?{NUL}", "answer": "9-18"}, "question"),
        ("POST", f"/v1/shops/{shop}/campaigns", owner,
         {"name": "spring", "segment": {"kind": "label", "label": f"vip{NUL}"}, "title": "t", "body": "b"},
         "segment.label"),
        ("POST", f"/v1/shops/{shop}/campaigns", owner,
         {"name": "spring", "segment": {"kind": "new", "odd": [NUL]}, "title": "t", "body": "b"},
         "segment.odd[0]"),
        ("POST", "/v1/devices", customer, {"platform": "fcm", "address": f"token{NUL}"}, "address"),
        ("POST", f"/v1/shops/{shop}/customers", None,
         {"login": f"139{uuid.uuid4().int % 10**8:08d}", "name": f"Wang{NUL}", "password": PASSWORD}, "name"),
        ("POST", "/v1/shops", None,
         {"name": f"Paws{SURROGATE}", "owner": {"login": "o@shop.test", "name": "O", "password": PASSWORD}},
         "name"),
    ]  # fmt: skip
    started = time.monotonic()
    for method, path, caller, body, field in cases:
        status, code, message = refusal(await call(api, method, path, caller, body))
        assert (status, code) == (422, "invalid_text"), (path, message)
        assert message.startswith(f"{field}: "), (path, message)
    assert time.monotonic() - started < 5, "each refusal comes at once, not after a command's timeout"

    search = await api.http.get("/v1/search", params={"q": f"bath{NUL}"}, headers=owner.auth)
    assert refusal(search)[:2] == (422, "invalid_text")
    bookings = await api.http.get("/v1/bookings", params={"status": NUL}, headers=owner.auth)
    assert refusal(bookings)[:2] == (422, "invalid_text")
    assert (await api.history(customer, conversation))["messages"] == []


async def test_integers_past_their_column_are_out_of_range_not_a_server_error(api, chat):
    owner, customer, conversation = chat
    history = f"/v1/conversations/{conversation}/messages"
    queries = [
        (history, {"after_seq": 2**31}, "after_seq"),
        (history, {"before_seq": 2**63}, "before_seq"),
        ("/v1/conversations/sync", {"cursor": 2**63}, "cursor"),
        (f"/v1/shops/{owner.shop_id}/audit", {"before": 2**64}, "before"),
    ]
    for path, params, field in queries:
        status, code, message = refusal(await api.http.get(path, params=params, headers=owner.auth))
        assert (status, code) == (422, "out_of_range"), params
        assert message.startswith(f"{field}: "), message
    bodies = [
        ("POST", f"/v1/conversations/{conversation}/read", {"up_to_seq": 2**31}, "up_to_seq"),
        ("PUT", f"/v1/shops/{owner.shop_id}/services/{uuid.uuid4()}",
         {"name": "Bath", "duration_minutes": 60, "price_cents": 2**40}, "price_cents"),
        ("POST", f"/v1/shops/{owner.shop_id}/segments/preview",
         {"segment": {"kind": "new", "days": 10**30}}, "segment.days"),
        ("POST", "/v1/bookings", {"service_id": str(uuid.uuid4()), "starts_at": "2030-05-01T09:00:00Z",
                                  "nights": 2**40}, "nights"),
    ]  # fmt: skip
    for method, path, body, field in bodies:
        status, code, message = refusal(await call(api, method, path, owner, body))
        assert (status, code) == (422, "out_of_range"), body
        assert message.startswith(f"{field}: "), message
    # still usable: a real read mark works
    await api.send(customer, conversation, "hello")
    ok = await call(api, "POST", f"/v1/conversations/{conversation}/read", owner, {"up_to_seq": 1})
    assert ok.status_code == 200, ok.text


async def test_dates_past_reach_and_times_without_a_zone_are_refused_with_a_code(api, chat):
    owner, _, _ = chat
    service = str(uuid.uuid4())
    slots = await api.http.get(
        f"/v1/shops/{owner.shop_id}/slots",
        params={"service_id": service, "from_date": "9999-12-31"},
        headers=owner.auth,
    )
    assert refusal(slots)[:2] == (422, "out_of_range")
    assert refusal(slots)[2].startswith("from_date: ")
    hold = await call(
        api, "POST", "/v1/bookings", owner, {"service_id": service, "starts_at": "2030-05-01T09:00:00"}
    )
    assert refusal(hold)[:2] == (422, "invalid_time")
    assert refusal(hold)[2].startswith("starts_at: ")
    listed = await api.http.get(
        "/v1/bookings", params={"starts_from": "2030-05-01T09:00:00"}, headers=owner.auth
    )
    assert refusal(listed)[:2] == (422, "invalid_time")
    time_off = await call(
        api,
        "POST",
        f"/v1/shops/{owner.shop_id}/staff/{owner.user_id}/time-off",
        owner,
        {"starts_at": "9999-12-31T00:00:00Z", "ends_at": "9999-12-31T23:00:00Z"},
    )
    assert refusal(time_off)[:2] == (422, "out_of_range")


async def test_a_socket_refuses_such_frames_with_the_code_and_keeps_working(api, chat):
    _, customer, conversation = chat
    phone = await api.device(customer)

    await phone.send_message(conversation, f"bad{NUL}", client_msg_id="nul")
    error = await phone.next("error", ref="nul")
    assert (error["code"], error["message"]) == (
        "invalid_text",
        "message.send: text: contains U+0000 (NUL), which cannot be stored",
    )
    await phone.send_message(conversation, f"bad{SURROGATE}", client_msg_id="lone")
    assert (await phone.next("error", ref="lone"))["code"] == "invalid_text"
    await phone.send({"type": "read", "id": "r1", "conversation_id": conversation, "up_to_seq": 2**31})
    assert (await phone.next("error", ref="r1"))["code"] == "out_of_range"
    await phone.send({"type": "sync", "id": "s1", "conversations": {conversation: 2**40}})
    assert (await phone.next("error", ref="s1"))["code"] == "out_of_range"

    await phone.send_message(conversation, "fine", client_msg_id="good")
    assert (await phone.next("ack", client_msg_id="good"))["seq"] == 1
    assert [m["text"] for m in (await api.history(customer, conversation))["messages"]] == ["fine"]


def partition(conversation_id: str) -> int:
    return (murmur2(conversation_id.encode()) & 0x7FFFFFFF) % PARTITIONS


async def test_a_nul_message_does_not_slow_a_send_in_another_conversation_of_its_partition(api):
    owner = await api.shop()
    sender = await api.customer(owner.shop_id)
    poisoned = await api.open_conversation(sender)
    # Another customer whose conversation's commands share the poisoned one's partition.
    for _ in range(60):
        neighbour = await api.customer(owner.shop_id)
        conversation = await api.open_conversation(neighbour)
        if partition(conversation) == partition(poisoned):
            break
    else:
        pytest.fail("no conversation on the same partition")
    baseline = await api.send(neighbour, conversation, "before")
    assert baseline.status_code == 201

    poison = asyncio.create_task(api.send(sender, poisoned, f"NUL{NUL}"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    sent = await api.send(neighbour, conversation, "after")
    took = time.monotonic() - started
    refused = await poison

    assert (sent.status_code, sent.json()["seq"]) == (201, 2)
    assert took < 2, f"the neighbour's send took {took:.1f}s"
    assert refusal(refused)[:2] == (422, "invalid_text")
