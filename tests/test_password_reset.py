"""Password reset by a one-time code, through the gateway like a client: the code arrives
in the development sink (notify's delivery with no provider configured), works once,
signs every device out, and asking tells nobody whether an account exists."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from .client import PASSWORD, Account, Api

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "a much longer new passphrase"


async def _ask(api: Api, shop_id: str, login: str):
    return await api.http.post("/v1/auth/password-reset", json={"shop_id": shop_id, "login": login})


async def _confirm(api: Api, who: Account, code: str, password: str = NEW_PASSWORD):
    body = {"shop_id": who.shop_id, "login": who.login, "code": code, "new_password": password}
    return await api.http.post("/v1/auth/password-reset/confirm", json=body)


async def _sign_in(api: Api, who: Account, password: str):
    body = {"shop_id": who.shop_id, "login": who.login, "password": password}
    return await api.http.post("/v1/auth/token", json=body)


async def _code(api: Api, owner: Account, who: Account, known: set[str] | None = None) -> str:
    """The newest code the development sink recorded for `who` (not one of `known`)."""
    async with asyncio.timeout(30):
        while True:
            sink = await api.http.get(
                f"/v1/shops/{owner.shop_id}/dev-sink", params={"user_id": who.user_id}, headers=owner.auth
            )
            codes = [
                found.group(0)
                for record in sink.json()
                if record["notification_id"].startswith("password_reset:")
                and (found := re.search(r"(?<!\d)\d{6}(?!\d)", record["body"]))
            ]
            fresh = [c for c in codes if c not in (known or set())]
            if fresh:
                return fresh[-1]
            await asyncio.sleep(0.25)


async def test_a_code_from_the_sink_resets_the_password_once_and_signs_every_device_out(api):
    owner = await api.shop()
    amy = await api.staff(owner, "Amy")
    old_session = (await _sign_in(api, amy, PASSWORD)).json()

    asked = await _ask(api, amy.shop_id, amy.login)
    unknown = await _ask(api, amy.shop_id, f"nobody-{uuid.uuid4().hex[:8]}@shop.test")
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()  # nobody learns which logins exist
    code = await _code(api, owner, amy)

    wrong = await _confirm(api, amy, "000000" if code != "000000" else "111111")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "invalid_code")
    assert (await _confirm(api, amy, code)).status_code == 204

    old_access = {"authorization": f"Bearer {old_session['access_token']}"}
    refused = await api.http.get("/v1/conversations", headers=old_access)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "token_revoked")
    assert (await _sign_in(api, amy, PASSWORD)).status_code == 401
    assert (await _sign_in(api, amy, NEW_PASSWORD)).status_code == 200
    refreshed = await api.http.post("/v1/auth/refresh", json={"refresh_token": old_session["refresh_token"]})
    assert refreshed.status_code == 401
    reused = await _confirm(api, amy, code, "yet another new passphrase")
    assert (reused.status_code, reused.json()["error"]["code"]) == (400, "invalid_code")
    assert (await _sign_in(api, amy, NEW_PASSWORD)).status_code == 200

    # The owner sees both steps in the audit log; the code itself is nowhere in it.
    audit = await api.http.get(
        f"/v1/shops/{owner.shop_id}/audit", params={"actor_id": amy.user_id}, headers=owner.auth
    )
    operations = [e["operation"] for e in audit.json()["entries"]]
    assert {"request_code", "confirm"} <= set(operations)
    assert code not in audit.text


async def test_wrong_guesses_burn_a_code_and_an_unknown_login_is_refused_alike(api):
    owner = await api.shop()
    bob = await api.staff(owner, "Bob")
    assert (await _ask(api, bob.shop_id, bob.login)).status_code == 202
    code = await _code(api, owner, bob)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(5):
        assert (await _confirm(api, bob, wrong)).status_code == 400
    burned = await _confirm(api, bob, code)
    assert (burned.status_code, burned.json()["error"]["code"]) == (400, "invalid_code")
    assert (await _sign_in(api, bob, PASSWORD)).status_code == 200

    nobody = Account(bob.user_id, bob.shop_id, "staff", "", f"nobody-{uuid.uuid4().hex[:8]}@shop.test")
    unknown = await _confirm(api, nobody, code)
    assert (unknown.status_code, unknown.json()) == (burned.status_code, burned.json())

    # A new code works, and only the newest one.
    assert (await _ask(api, bob.shop_id, bob.login)).status_code == 202
    fresh = await _code(api, owner, bob, known={code})
    assert (await _confirm(api, bob, fresh)).status_code == 204


async def test_asking_too_often_for_one_login_is_refused_whether_or_not_it_exists(api):
    owner = await api.shop()
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@shop.test"
    for login in (owner.login, nobody):
        answers = [(await _ask(api, owner.shop_id, login)).status_code for _ in range(6)]
        assert answers == [202] * 5 + [429]
