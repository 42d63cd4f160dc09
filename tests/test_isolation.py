"""No shop, staff member or customer can see or touch another's conversations."""

import asyncio

import pytest

pytestmark = pytest.mark.e2e


async def test_other_customers_and_other_shops_staff_can_neither_read_nor_write(api):
    shop_a = await api.shop("Shop A")
    alice = await api.customer(shop_a.shop_id, "Alice")
    mallory = await api.customer(shop_a.shop_id, "Mallory")  # same shop, different customer
    shop_b = await api.shop("Shop B")
    b_staff = await api.staff(shop_b)
    conversation = await api.open_conversation(alice)
    assert (await api.send(alice, conversation, "my dog's allergy list")).status_code == 201
    mallory_phone, b_counter = await api.device(mallory), await api.device(b_staff)

    for intruder in (mallory, b_staff):
        responses = [
            await api.http.get(f"/v1/conversations/{conversation}", headers=intruder.auth),
            await api.http.get(f"/v1/conversations/{conversation}/messages", headers=intruder.auth),
            await api.send(intruder, conversation, "let me in"),
        ]
        assert [r.status_code for r in responses] == [404, 404, 404]
        assert {r.json()["error"]["code"] for r in responses} == {"conversation_not_found"}
        assert (await api.http.get("/v1/conversations", headers=intruder.auth)).json() == []

    for device in (mallory_phone, b_counter):
        await device.send_message(conversation, "over the socket", client_msg_id="sneak")
        assert (await device.next("error", ref="sneak"))["code"] == "conversation_not_found"

    opened_by_b = await api.http.post(
        "/v1/conversations", json={"customer_id": alice.user_id}, headers=b_staff.auth
    )
    assert opened_by_b.status_code == 404
    assert opened_by_b.json()["error"]["code"] == "customer_not_found"

    await api.send(alice, conversation, "second message, private too")
    await asyncio.sleep(1)
    for device in (mallory_phone, b_counter):
        assert device.of_type("message.new") == []
    history = await api.history(alice, conversation)
    assert [m["text"] for m in history["messages"]] == [
        "my dog's allergy list",
        "second message, private too",
    ]


async def test_only_the_owner_of_a_shop_adds_its_staff(api):
    shop_a = await api.shop("Shop A")
    shop_b = await api.shop("Shop B")
    customer = await api.customer(shop_a.shop_id)
    staff = await api.staff(shop_a)
    body = {"login": "new@shop.test", "name": "New", "password": "long enough password"}
    for caller in (customer, staff, shop_b):
        response = await api.http.post(f"/v1/shops/{shop_a.shop_id}/staff", json=body, headers=caller.auth)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


async def test_a_customer_signs_in_only_to_their_own_shop(api):
    shop_a = await api.shop("Shop A")
    shop_b = await api.shop("Shop B")
    customer = await api.customer(shop_a.shop_id)
    wrong_shop = await api.http.post(
        "/v1/auth/token",
        json={"shop_id": shop_b.shop_id, "login": customer.login, "password": "correct horse battery"},
    )
    assert wrong_shop.status_code == 401
    assert wrong_shop.json()["error"]["code"] == "invalid_credentials"
