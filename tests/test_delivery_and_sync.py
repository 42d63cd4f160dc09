"""Receipts, unread counts, multi-device, resume and incremental list sync."""

import asyncio

import pytest

pytestmark = pytest.mark.e2e


async def chat(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    return owner, customer, conversation


async def unread(api, caller, conversation):
    found = (await api.http.get(f"/v1/conversations/{conversation}", headers=caller.auth)).json()
    total = (await api.http.get("/v1/unread", headers=caller.auth)).json()["total"]
    return found["unread_count"], total


async def test_reading_on_the_phone_clears_unread_on_the_pc_and_tells_the_sender(api):
    owner, customer, conversation = await chat(api)
    for text in ("hello", "do you groom cats?", "a persian"):
        assert (await api.send(customer, conversation, text)).status_code == 201
    assert (await api.send(owner, conversation, "yes we do")).status_code == 201

    assert await unread(api, owner, conversation) == (3, 3)
    assert await unread(api, customer, conversation) == (1, 1), "own messages are never unread"

    phone, pc = await api.device(owner), await api.device(owner)
    customer_phone = await api.device(customer)
    await phone.send({"type": "read", "conversation_id": conversation, "up_to_seq": 4})
    for device in (phone, pc, customer_phone):
        receipt = await device.next("receipt.read")
        assert (receipt["reader_id"], receipt["up_to_seq"]) == (owner.user_id, 4)
    assert await unread(api, owner, conversation) == (0, 0)

    back = await api.http.post(
        f"/v1/conversations/{conversation}/read", json={"up_to_seq": 1}, headers=owner.auth
    )
    assert back.status_code == 200 and back.json()["details"]["value"] == 4, "a read mark never moves back"
    await api.send(customer, conversation, "one more")
    assert await unread(api, owner, conversation) == (1, 1)

    delivered = await api.http.post(
        f"/v1/conversations/{conversation}/delivered", json={"up_to_seq": 5}, headers=customer.auth
    )
    assert delivered.status_code == 200
    assert (await phone.next("receipt.delivered", reader_id=customer.user_id))["up_to_seq"] == 5


async def test_a_reconnecting_device_gets_exactly_what_it_missed_in_order(api):
    owner, customer, conversation = await chat(api)
    for i in range(1, 6):
        await api.send(customer, conversation, f"before {i}")
    device = await api.device(owner)

    async def keep_talking():
        for i in range(6, 31):
            await api.send(customer, conversation, f"live {i}")

    # The device has 1-3; while it catches up, new messages keep arriving live.
    await device.send({"type": "sync", "id": "s1", "conversations": {conversation: 3}})
    talking = asyncio.create_task(keep_talking())
    await device.next("sync.done", timeout=20)
    await talking
    await device.next("message.new", seq=30, timeout=20)
    await asyncio.sleep(0.5)
    assert device.of_type("error") == []
    seqs = [f["message"]["seq"] for f in device.of_type("message.new")]
    assert seqs == list(range(4, 31)), "nothing lost, nothing twice, in order"


async def test_a_staff_device_pages_the_conversation_list_then_only_gets_changes(api):
    owner = await api.shop()
    conversations = []
    for n in range(7):
        customer = await api.customer(owner.shop_id, f"c{n}")
        conversations.append(await api.open_conversation(customer))

    seen, cursor = [], 0
    while True:
        page = (
            await api.http.get(
                "/v1/conversations/sync", params={"cursor": cursor, "limit": 3}, headers=owner.auth
            )
        ).json()
        seen += [c["id"] for c in page["conversations"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(conversations)

    assert (await api.send(owner, conversations[2], "your bath is done")).status_code == 201
    changed = (
        await api.http.get("/v1/conversations/sync", params={"cursor": cursor}, headers=owner.auth)
    ).json()
    assert [c["id"] for c in changed["conversations"]] == [conversations[2]]
    assert changed["conversations"][0]["last_message_preview"] == "your bath is done"
    nothing = (
        await api.http.get(
            "/v1/conversations/sync", params={"cursor": changed["next_cursor"]}, headers=owner.auth
        )
    ).json()
    assert nothing == {"conversations": [], "next_cursor": changed["next_cursor"], "has_more": False}


async def test_typing_reaches_the_other_side_but_not_the_typists_own_devices(api):
    owner, customer, conversation = await chat(api)
    phone, tablet = await api.device(customer), await api.device(customer)
    counter = await api.device(owner)
    await phone.send({"type": "typing", "conversation_id": conversation})
    typing = await counter.next("typing")
    assert (typing["conversation_id"], typing["user_id"]) == (conversation, customer.user_id)
    await asyncio.sleep(0.5)
    assert phone.of_type("typing") == [] and tablet.of_type("typing") == []


async def test_staff_presence_follows_sockets_and_chosen_status(api):
    owner = await api.shop()
    groomer = await api.staff(owner)
    customer = await api.customer(owner.shop_id)

    async def status_of(user):
        staff = (await api.http.get("/v1/presence", headers=owner.auth)).json()["staff"]
        return {s["user_id"]: s["status"] for s in staff}.get(user.user_id, "offline")

    counter = await api.device(owner)
    groomer_phone = await api.device(groomer)
    assert (await counter.next("presence", user_id=groomer.user_id))["status"] == "online"
    assert await status_of(groomer) == "online"

    await groomer_phone.send({"type": "presence.set", "status": "busy"})
    assert (await counter.next("presence", user_id=groomer.user_id))["status"] == "busy"
    assert (await api.http.get("/v1/presence", headers=customer.auth)).json() == {"staff_online": 1}

    await groomer_phone.close()
    assert (await counter.next("presence", user_id=groomer.user_id))["status"] == "offline"
    assert await status_of(groomer) == "offline"
