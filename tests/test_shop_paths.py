"""Everything a shop sets up lives under /v1/shops/{shop_id}/…; the old /v1/shop/… paths
still work as deprecated aliases, and neither reaches another shop's. The shop's timezone
is given once, at registration."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from .client import PASSWORD, Account, Api

pytestmark = pytest.mark.e2e

WEEKDAYS = {"0": [["09:00", "18:00"]], "5": [["10:00", "16:00"]]}


async def berlin_shop(api: Api) -> Account:
    login = f"owner-{uuid.uuid4().hex[:8]}@shop.test"
    body = {
        "name": "Pfoten",
        "timezone": "Europe/Berlin",
        "owner": {"login": login, "name": "Jo", "password": PASSWORD},
    }
    registered = await api.http.post("/v1/shops", json=body)
    assert registered.status_code == 201, registered.text
    return await api.sign_in(registered.json()["shop_id"], login)


async def read_until(api: Api, path: str, caller: Account, wanted: dict[str, Any]) -> dict[str, Any]:
    """A read once the command's event has reached the read model."""
    async with asyncio.timeout(10):
        while True:
            found = (await api.http.get(path, headers=caller.auth)).json()
            if all(found.get(k) == v for k, v in wanted.items()):
                return found
            await asyncio.sleep(0.2)


async def test_hours_under_the_shops_path_default_to_its_registered_timezone_and_the_old_path_still_works(
    api,
):
    owner = await berlin_shop(api)
    hours = f"/v1/shops/{owner.shop_id}/hours"
    assert (await api.http.get(hours, headers=owner.auth)).json()["timezone"] == "Europe/Berlin"

    body = {"weekly": WEEKDAYS, "auto_reply_text": "Wir sind gleich zurück"}
    saved = await api.http.put(hours, json=body, headers=owner.auth)
    assert saved.status_code == 200, saved.text
    assert saved.json()["timezone"] == "Europe/Berlin"
    await read_until(api, hours, owner, {"weekly": WEEKDAYS, "timezone": "Europe/Berlin"})

    old = await api.http.get("/v1/shop/hours", headers=owner.auth)
    assert (old.status_code, old.json()["auto_reply_text"]) == (200, "Wir sind gleich zurück")
    changed = {"timezone": "Europe/Berlin", "weekly": WEEKDAYS, "auto_reply_text": "Bis morgen"}
    assert (await api.http.put("/v1/shop/hours", json=changed, headers=owner.auth)).status_code == 200
    await read_until(api, hours, owner, {"auto_reply_text": "Bis morgen"})


async def test_booking_policy_without_a_timezone_takes_the_registered_one(api):
    owner = await berlin_shop(api)
    response = await api.http.put(f"/v1/shops/{owner.shop_id}/booking-policy", json={}, headers=owner.auth)
    assert response.status_code == 200, response.text
    assert response.json()["timezone"] == "Europe/Berlin"


async def test_another_shop_reaches_no_shops_settings_through_the_new_path_or_the_old_one(api):
    victim = await api.shop("Victim")
    groomer = await api.staff(victim)
    secret = f"secret-{uuid.uuid4().hex[:8]}"
    template = str(uuid.uuid4())
    base = f"/v1/shops/{victim.shop_id}"
    hours = {"weekly": WEEKDAYS, "auto_reply_text": secret}
    assert (await api.http.put(base + "/hours", json=hours, headers=victim.auth)).status_code == 200
    saved = await api.http.put(
        f"{base}/templates/{template}", json={"name": "n", "text": secret}, headers=victim.auth
    )
    assert saved.status_code == 200
    await read_until(api, base + "/hours", victim, {"auto_reply_text": secret})

    intruder = await api.shop("Intruder")
    for method, path, body in [
        ("GET", base + "/hours", None),
        ("PUT", base + "/hours", {"weekly": {}, "auto_reply_text": "pwned"}),
        ("GET", base + "/templates", None),
        ("DELETE", f"{base}/templates/{template}", None),
        ("GET", base + "/staff", None),
        ("POST", f"{base}/staff/{groomer.user_id}/disable", None),
        ("PUT", f"{base}/staff/{groomer.user_id}/capacity", {"capacity": 0}),
        ("GET", base + "/reports", None),
    ]:
        refused = await api.http.request(method, path, json=body, headers=intruder.auth)
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "shop_not_found"), path
    # The old paths name no shop: they are the caller's own.
    for path in ("/v1/shop/hours", "/v1/shop/templates", "/v1/shop/staff"):
        own = await api.http.get(path, headers=intruder.auth)
        assert own.status_code == 200 and secret not in own.text and groomer.user_id not in own.text
    disabled = await api.http.post(f"/v1/shop/staff/{groomer.user_id}/disable", headers=intruder.auth)
    assert disabled.status_code == 404

    await asyncio.sleep(0.5)
    assert (await api.http.get(base + "/hours", headers=victim.auth)).json()["auto_reply_text"] == secret
    assert [t["text"] for t in (await api.http.get(base + "/templates", headers=victim.auth)).json()] == [
        secret
    ]
    assert (await api.sign_in(victim.shop_id, groomer.login)).role == "staff"


async def test_openapi_marks_the_old_paths_deprecated_and_the_audit_log_names_one_action(api, system):
    async with httpx.AsyncClient() as ops:
        document = (await ops.get(f"{system.ops_url('gateway')}/openapi.json")).json()
    paths = document["paths"]
    old = {p for p in paths if p.startswith("/v1/shop/")}
    assert old == {
        "/v1/shop/hours",
        "/v1/shop/templates",
        "/v1/shop/templates/{template_id}",
        "/v1/shop/templates/{template_id}/render",
        "/v1/shop/staff",
        "/v1/shop/staff/{staff_id}",
        "/v1/shop/staff/{staff_id}/role",
        "/v1/shop/staff/{staff_id}/disable",
        "/v1/shop/staff/{staff_id}/enable",
        "/v1/shop/staff/{staff_id}/sign-out-everywhere",
        "/v1/shop/staff/{staff_id}/capacity",
        "/v1/shop/reports",
    }
    for path in old:
        new = path.replace("/v1/shop/", "/v1/shops/{shop_id}/")
        assert set(paths[path]) <= set(paths[new]), path
        for method, operation in paths[path].items():
            assert operation["deprecated"] is True and new in operation["description"]
            assert not paths[new][method].get("deprecated")

    owner = await api.shop()
    for path in (f"/v1/shops/{owner.shop_id}/templates/{uuid.uuid4()}", f"/v1/shop/templates/{uuid.uuid4()}"):
        saved = await api.http.put(path, json={"name": "n", "text": "t"}, headers=owner.auth)
        assert saved.status_code == 200, saved.text
    audit = f"/v1/shops/{owner.shop_id}/audit"
    entries = (await api.http.get(audit, params={"action": "save_template"}, headers=owner.auth)).json()[
        "entries"
    ]
    assert [e["action"] for e in entries] == ["PUT /v1/shops/{shop_id}/templates/{template_id}"] * 2
    assert {e["target"]["shop_id"] for e in entries} == {owner.shop_id}


async def test_a_new_staff_member_is_told_what_to_sign_in_with(api):
    owner = await api.shop()
    body = {"login": f"amy-{uuid.uuid4().hex[:6]}@shop.test", "name": "Amy", "password": PASSWORD}
    added = await api.http.post(f"/v1/shops/{owner.shop_id}/staff", json=body, headers=owner.auth)
    assert added.status_code == 201, added.text
    created = added.json()
    assert {k: created[k] for k in ("shop_id", "login", "name", "role", "status")} == {
        "shop_id": owner.shop_id,
        "login": body["login"],
        "name": "Amy",
        "role": "staff",
        "status": "active",
    }
    signed_in = await api.http.post(
        "/v1/auth/token",
        json={"shop_id": created["shop_id"], "login": created["login"], "password": PASSWORD},
    )
    assert signed_in.status_code == 200
    assert signed_in.json()["user_id"] == created["staff_id"]
