"""The shop's side of a conversation: recall/edit, notes, assignment, labels, status, CSAT."""

import asyncio

import pytest

pytestmark = pytest.mark.e2e


async def chat(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    return owner, customer, conversation


async def test_a_recalled_message_is_gone_for_everyone_and_an_edit_shows_everywhere(api):
    owner, customer, conversation = await chat(api)
    counter = await api.device(owner)
    sent = (await api.send(customer, conversation, "my card number is 1234")).json()
    kept = (await api.send(customer, conversation, "bath on Saturdy")).json()

    url = f"/v1/conversations/{conversation}/messages"
    assert (await api.http.post(f"{url}/{sent['message_id']}/recall", headers=owner.auth)).status_code == 403
    assert (
        await api.http.post(f"{url}/{sent['message_id']}/recall", headers=customer.auth)
    ).status_code == 200
    assert (await counter.next("message.recalled"))["message_id"] == sent["message_id"]
    edit = await api.http.patch(
        f"{url}/{kept['message_id']}", json={"text": "bath on Saturday"}, headers=customer.auth
    )
    assert edit.status_code == 200
    assert (await counter.next("message.edited"))["text"] == "bath on Saturday"

    for reader in (customer, owner):
        messages = (await api.history(reader, conversation))["messages"]
        assert [(m["recalled"], m["text"]) for m in messages] == [(True, ""), (False, "bath on Saturday")]
    again = await api.http.post(f"{url}/{sent['message_id']}/recall", headers=customer.auth)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "message_not_found")

    async def found(q):
        results = (await api.http.get("/v1/search", params={"q": q}, headers=owner.auth)).json()["results"]
        return [r["text"] for r in results]

    assert await found("card number") == [], "a recalled message is gone from search"
    assert await found("Saturday") == ["bath on Saturday"]
    assert await found("Saturdy") == [], "an edited message is found by its new words only"


async def test_internal_notes_never_reach_a_customer_device(api):
    owner, customer, conversation = await chat(api)
    phone, pc, counter = await api.device(customer), await api.device(customer), await api.device(owner)
    note = await api.http.post(
        f"/v1/conversations/{conversation}/notes",
        json={"text": "VIP, allergic to lavender shampoo"},
        headers=owner.auth,
    )
    assert note.status_code == 201
    assert (await counter.next("note.new"))["text"] == "VIP, allergic to lavender shampoo"
    assert (await api.send(owner, conversation, "see you Saturday")).status_code == 201
    await phone.next("message.new")
    await pc.next("message.new")
    await asyncio.sleep(0.5)
    for device in (phone, pc):
        assert "lavender" not in str(device.frames)
        assert device.of_type("note.new") == []
    forbidden = await api.http.get(f"/v1/conversations/{conversation}/notes", headers=customer.auth)
    assert forbidden.status_code == 403
    notes = (await api.http.get(f"/v1/conversations/{conversation}/notes", headers=owner.auth)).json()
    assert [n["text"] for n in notes] == ["VIP, allergic to lavender shampoo"]


async def test_a_transfer_carries_the_handoff_note_to_the_next_staff_member_only(api):
    owner, customer, conversation = await chat(api)
    amy, bob = await api.staff(owner, "Amy"), await api.staff(owner, "Bob")
    bob_phone, customer_phone = await api.device(bob), await api.device(customer)
    url = f"/v1/conversations/{conversation}/assignment"

    assert (await api.http.put(url, json={"assignee_id": amy.user_id}, headers=owner.auth)).status_code == 200
    transfer = await api.http.put(
        url,
        json={"assignee_id": bob.user_id, "handoff_note": "Wants Saturday 10am, golden retriever, 30kg"},
        headers=amy.auth,
    )
    assert transfer.status_code == 200
    assigned = await bob_phone.next("conversation.assigned", assignee_id=bob.user_id)
    assert (assigned["reason"], assigned["previous_assignee_id"]) == ("transfer", amy.user_id)
    as_bob = (await api.http.get(f"/v1/conversations/{conversation}", headers=bob.auth)).json()
    assert as_bob["assignee_id"] == bob.user_id
    assert as_bob["handoff_note"] == "Wants Saturday 10am, golden retriever, 30kg"
    as_customer = (await api.http.get(f"/v1/conversations/{conversation}", headers=customer.auth)).json()
    assert as_customer.get("handoff_note") is None and as_customer.get("assignee_id") is None
    assert as_customer.get("labels") is None
    await asyncio.sleep(0.3)
    assert customer_phone.of_type("conversation.assigned") == []

    other_shop_staff = await api.staff(await api.shop("Elsewhere"))
    refused = await api.http.put(url, json={"assignee_id": other_shop_staff.user_id}, headers=owner.auth)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_allowed")
    by_customer = await api.http.put(url, json={"assignee_id": amy.user_id}, headers=customer.auth)
    assert by_customer.status_code == 403


async def test_resolving_asks_for_a_rating_that_the_customer_gives_once(api):
    owner, customer, conversation = await chat(api)
    phone = await api.device(customer)
    labels = await api.http.put(
        f"/v1/conversations/{conversation}/labels",
        json={"labels": ["grooming", "vip", "grooming"]},
        headers=owner.auth,
    )
    assert labels.status_code == 200
    resolved = await api.http.put(
        f"/v1/conversations/{conversation}/status", json={"status": "resolved"}, headers=owner.auth
    )
    assert resolved.status_code == 200
    survey = await phone.next("survey.requested")
    answer = {"survey_id": survey["survey_id"], "rating": 5, "comment": "金毛洗得很干净"}
    rated = await api.http.post(
        f"/v1/conversations/{conversation}/survey", json=answer, headers=customer.auth
    )
    assert rated.status_code == 200
    twice = await api.http.post(
        f"/v1/conversations/{conversation}/survey", json=answer, headers=customer.auth
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (403, "not_allowed")
    out_of_range = await api.http.post(
        f"/v1/conversations/{conversation}/survey", json={**answer, "rating": 6}, headers=customer.auth
    )
    assert out_of_range.status_code == 422

    as_staff = (await api.http.get(f"/v1/conversations/{conversation}", headers=owner.auth)).json()
    assert (as_staff["status"], as_staff["labels"]) == ("resolved", ["grooming", "vip"])
    await api.send(customer, conversation, "one more question")
    reopened = (await api.http.get(f"/v1/conversations/{conversation}", headers=owner.auth)).json()
    assert reopened["status"] == "open", "a customer's message reopens a resolved conversation"


async def test_a_message_can_no_longer_be_recalled_once_its_window_has_passed(api):
    owner, customer, conversation = await chat(api)
    sent = (await api.send(customer, conversation, "please ignore")).json()
    await asyncio.sleep(6)  # the test system's recall window is 5 s (production default: 2 minutes)
    late = await api.http.post(
        f"/v1/conversations/{conversation}/messages/{sent['message_id']}/recall", headers=customer.auth
    )
    assert (late.status_code, late.json()["error"]["code"]) == (409, "window_closed")
    assert [m["text"] for m in (await api.history(owner, conversation))["messages"]] == ["please ignore"]
