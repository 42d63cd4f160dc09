"""A real conversation through every hop: socket → gateway → Kafka → messaging →
PostgreSQL → outbox → Kafka → gateway → every device of every participant."""

import asyncio

import pytest

pytestmark = pytest.mark.e2e


async def test_a_message_reaches_every_device_of_both_sides_and_the_sender_gets_its_seq(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone, pc, counter = await api.device(customer), await api.device(customer), await api.device(owner)

    client_msg_id = await phone.send_message(conversation, "我想预约周六上午10点给金毛洗澡")
    ack = await phone.next("ack", client_msg_id=client_msg_id)
    assert ack["seq"] == 1 and ack["duplicate"] is False
    for device in (phone, pc, counter):
        new = await device.next("message.new", client_msg_id=client_msg_id)
        assert new["message"]["text"] == "我想预约周六上午10点给金毛洗澡"
        assert new["message"]["seq"] == 1
        assert new["message"]["sender_id"] == customer.user_id

    reply = await api.send(owner, conversation, "好的,周六上午10点可以")
    assert reply.status_code == 201 and reply.json()["seq"] == 2
    for device in (phone, pc, counter):
        assert (await device.next("message.new", seq=2))["message"]["sender_role"] == "owner"


async def test_concurrent_senders_get_one_gapless_order_that_every_device_sees(api):
    owner = await api.shop()
    staff = await api.staff(owner)
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone, groomer_phone = await api.device(customer), await api.device(staff)

    async def customer_types() -> None:
        for i in range(25):
            await phone.send_message(conversation, f"customer {i}")

    async def staff_answers() -> None:
        for i in range(25):
            assert (await api.send(staff, conversation, f"staff {i}")).status_code == 201

    await asyncio.gather(customer_types(), staff_answers())
    for device in (phone, groomer_phone):
        await device.next("message.new", seq=50, timeout=20)
        seqs = [f["message"]["seq"] for f in device.of_type("message.new")]
        assert seqs == list(range(1, 51)), "each device sees every seq once, in order"
    history = await api.history(customer, conversation, limit=200)
    assert [m["seq"] for m in history["messages"]] == list(range(1, 51))
    customer_texts = [m["text"] for m in history["messages"] if m["sender_role"] == "customer"]
    assert customer_texts == [f"customer {i}" for i in range(25)], "one sender's order is kept"


async def test_the_same_client_message_id_sent_again_is_stored_once(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone, counter = await api.device(customer), await api.device(owner)

    await phone.send_message(conversation, "two baths please", client_msg_id="retry-1")
    first = await phone.next("ack", client_msg_id="retry-1")
    await phone.send_message(conversation, "two baths please", client_msg_id="retry-1")
    second = await phone.next("ack", client_msg_id="retry-1")
    over_rest = await api.send(customer, conversation, "two baths please", client_msg_id="retry-1")

    assert (first["seq"], first["duplicate"]) == (1, False)
    assert (second["seq"], second["duplicate"]) == (1, True)
    assert over_rest.json()["seq"] == 1 and over_rest.json()["duplicate"] is True
    assert first["message_id"] == second["message_id"] == over_rest.json()["message_id"]
    await api.send(customer, conversation, "and a nail trim")
    await counter.next("message.new", seq=2)
    assert [f["message"]["seq"] for f in counter.of_type("message.new")] == [1, 2]
    assert [m["seq"] for m in (await api.history(owner, conversation))["messages"]] == [1, 2]


async def test_history_pages_forward_and_backward_by_seq(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    for i in range(1, 8):
        assert (await api.send(customer, conversation, f"m{i}")).status_code == 201

    def seqs(page):
        return [m["seq"] for m in page["messages"]]

    assert seqs(await api.history(customer, conversation, after_seq=0, limit=3)) == [1, 2, 3]
    assert seqs(await api.history(customer, conversation, after_seq=3, limit=3)) == [4, 5, 6]
    assert seqs(await api.history(customer, conversation, after_seq=6, limit=3)) == [7]
    newest = await api.history(owner, conversation, before_seq=8, limit=3)
    assert seqs(newest) == [5, 6, 7] and newest["last_seq"] == 7
    assert seqs(await api.history(owner, conversation, before_seq=5, limit=3)) == [2, 3, 4]


async def test_opening_is_idempotent_and_staff_can_open_with_their_customer(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    counter = await api.device(owner)
    first = await api.http.post("/v1/conversations", json={}, headers=customer.auth)
    again = await api.http.post("/v1/conversations", json={}, headers=customer.auth)
    by_staff = await api.http.post(
        "/v1/conversations", json={"customer_id": customer.user_id}, headers=owner.auth
    )
    assert (first.status_code, again.status_code, by_staff.status_code) == (201, 200, 200)
    assert first.json()["id"] == again.json()["id"] == by_staff.json()["id"]
    opened = await counter.next("conversation.opened")
    assert opened["conversation"]["customer_id"] == customer.user_id
    listed = (await api.http.get("/v1/conversations", headers=owner.auth)).json()
    assert [c["id"] for c in listed] == [first.json()["id"]]
