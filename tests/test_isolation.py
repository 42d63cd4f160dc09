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


async def test_another_shop_naming_a_shops_ids_changes_nothing_of_it(api):
    shop_a, shop_b = await api.shop("Shop A"), await api.shop("Shop B")
    groomer = await api.staff(shop_a)
    template = "/v1/shop/templates/00000000-0000-4000-8000-00000000000a"
    mine = {"name": "Done", "text": "{pet_name} is ready"}
    assert (await api.http.put(template, json=mine, headers=shop_a.auth)).status_code == 200

    theirs = await api.http.put(template, json={"name": "Spam", "text": "spam"}, headers=shop_b.auth)
    assert theirs.status_code == 200, "shop B may name a template of its own with the same id"
    assert (await api.http.delete(template, headers=shop_b.auth)).status_code == 204
    capacity = await api.http.put(
        f"/v1/shop/staff/{groomer.user_id}/capacity", json={"capacity": 0}, headers=shop_b.auth
    )
    assert (capacity.status_code, capacity.json()["error"]["code"]) == (404, "staff_not_found")

    await asyncio.sleep(1)
    templates = (await api.http.get("/v1/shop/templates", headers=shop_a.auth)).json()
    assert [(t["name"], t["text"]) for t in templates] == [("Done", "{pet_name} is ready")]


async def test_deleting_someone_elses_device_is_not_found_and_keeps_it(api):
    shop = await api.shop()
    alice, mallory = await api.customer(shop.shop_id, "Alice"), await api.customer(shop.shop_id, "Mallory")
    device = await api.push_device(alice)

    refused = await api.http.delete(f"/v1/devices/{device}", headers=mallory.auth)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "device_not_found")
    assert [d["device_id"] for d in (await api.http.get("/v1/devices", headers=alice.auth)).json()] == [
        device
    ]
    assert (await api.http.delete(f"/v1/devices/{device}", headers=alice.auth)).status_code == 204
