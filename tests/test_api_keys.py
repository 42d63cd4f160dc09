"""API keys for integrations, through the gateway: the owner makes a key and sees it once;
an integration calls the REST API with it as the shop's staff; a read-only key cannot
write; a key never reaches another shop or the owner's own routes; a revoked key stops."""

from __future__ import annotations

import uuid

import pytest

from .client import Account, Api

pytestmark = pytest.mark.e2e


async def _key(api: Api, owner: Account, scopes: list[str]) -> dict[str, str]:
    body = {"name": "CRM sync", "scopes": scopes}
    response = await api.http.post(f"/v1/shops/{owner.shop_id}/api-keys", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["key"].startswith("fdk_")
    return {"id": made["id"], "auth": f"Bearer {made['key']}"}


async def test_an_integration_calls_the_api_until_its_key_is_revoked(api: Api) -> None:
    owner, other = await api.shop(), await api.shop("Rival")
    shop = f"/v1/shops/{owner.shop_id}"
    writer = await _key(api, owner, ["read", "write"])
    reader = await _key(api, owner, ["read"])
    as_writer, as_reader = {"authorization": writer["auth"]}, {"authorization": reader["auth"]}

    template = {"name": "Done", "text": "Your pet is ready to pick up"}
    saved = await api.http.put(f"{shop}/templates/{uuid.uuid4()}", json=template, headers=as_writer)
    assert saved.status_code == 200, saved.text
    assert (await api.http.get(f"{shop}/templates", headers=as_reader)).status_code == 200
    assert (await api.http.get("/v1/bookings", headers=as_reader)).status_code == 200

    refused = await api.http.put(f"{shop}/templates/{uuid.uuid4()}", json=template, headers=as_reader)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "api_key_scope"
    # A key acts as staff, never as the owner, and only in its own shop.
    assert (await api.http.get(f"{shop}/api-keys", headers=as_writer)).status_code == 403
    assert (await api.http.get(f"/v1/shops/{other.shop_id}/templates", headers=as_writer)).status_code == 404

    listed = (await api.http.get(f"{shop}/api-keys", headers=owner.auth)).json()
    assert {k["id"] for k in listed} == {writer["id"], reader["id"]}
    assert all("key" not in k for k in listed)  # shown once, kept only as a digest

    assert (
        await api.http.delete(f"/v1/shops/{other.shop_id}/api-keys/{reader['id']}", headers=other.auth)
    ).status_code == 404
    revoked = await api.http.delete(f"{shop}/api-keys/{reader['id']}", headers=owner.auth)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    stopped = await api.http.get(f"{shop}/templates", headers=as_reader)
    assert stopped.status_code == 401 and stopped.json()["error"]["code"] == "invalid_api_key"
    assert (await api.http.get(f"{shop}/templates", headers=as_writer)).status_code == 200

    forged = writer["auth"][:-4] + "AAAA"
    assert (await api.http.get(f"{shop}/templates", headers={"authorization": forged})).status_code == 401
