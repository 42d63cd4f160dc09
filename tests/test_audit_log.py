"""The audit log through the gateway: the owner reads who did what to what; nobody else can."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.e2e


async def test_the_owner_sees_what_a_staff_member_changed_and_nobody_else_can_look(api):
    owner = await api.shop()
    amy = await api.staff(owner, "Amy")
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    template = str(uuid.uuid4())

    assigned = await api.http.put(
        f"/v1/conversations/{conversation}/assignment", json={"assignee_id": amy.user_id}, headers=amy.auth
    )
    assert assigned.status_code == 200, assigned.text
    saved = await api.http.put(
        f"/v1/shops/{owner.shop_id}/templates/{template}",
        json={"name": "Ready", "text": "Your secret-ish template text"},
        headers=amy.auth,
    )
    assert saved.status_code == 200, saved.text

    url = f"/v1/shops/{owner.shop_id}/audit"
    found = await api.http.get(url, params={"actor_id": amy.user_id}, headers=owner.auth)
    assert found.status_code == 200, found.text
    entries = found.json()["entries"]
    assert [(e["operation"], e["target"]) for e in entries[:2]] == [
        ("save_template", {"shop_id": owner.shop_id, "template_id": template}),
        ("assign", {"conversation_id": conversation}),
    ]  # newest first
    assert entries[0]["action"] == "PUT /v1/shops/{shop_id}/templates/{template_id}"
    assert {(e["actor_id"], e["actor_role"]) for e in entries} == {(amy.user_id, "staff")}
    assert "sign_in" in [e["operation"] for e in entries]
    assert "secret-ish" not in found.text  # never a body

    by_action = await api.http.get(url, params={"action": "assign"}, headers=owner.auth)
    assert [e["target"] for e in by_action.json()["entries"]] == [{"conversation_id": conversation}]
    everyone = (await api.http.get(url, params={"limit": 200}, headers=owner.auth)).json()["entries"]
    assert customer.user_id not in {e["actor_id"] for e in everyone}  # customers' doings are not audited
    first = (await api.http.get(url, params={"limit": 1}, headers=owner.auth)).json()
    older = (
        await api.http.get(url, params={"limit": 1, "before": first["next_before"]}, headers=owner.auth)
    ).json()
    assert older["entries"][0]["id"] < first["entries"][0]["id"]

    other_owner = await api.shop("Elsewhere")
    as_staff = await api.http.get(url, headers=amy.auth)
    as_stranger = await api.http.get(url, headers=other_owner.auth)
    assert (as_staff.status_code, as_stranger.status_code) == (403, 404)
