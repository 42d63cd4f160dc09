"""The owner controls staff accounts, and ended sessions end at once: on both gateway
instances, for REST, refresh tokens and open sockets."""

import pytest

from .client import PASSWORD

pytestmark = pytest.mark.e2e


def error_code(response) -> str:
    return response.json()["error"]["code"]


async def refresh(api, account):
    return await api.http.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})


async def test_a_removed_staff_member_loses_access_everywhere_at_once(api, api2):
    owner = await api.shop()
    groomer = await api.staff(owner, "Leaving groomer")
    customer = await api.customer(owner.shop_id)
    await api.open_conversation(customer)
    phone = await api2.device(groomer)  # held by the other gateway instance
    assert (await api2.http.get("/v1/conversations", headers=groomer.auth)).status_code == 200

    removed = await api.http.delete(f"/v1/shop/staff/{groomer.user_id}", headers=owner.auth)
    assert removed.status_code == 204

    for gateway in (api, api2):
        refused = await gateway.http.get("/v1/conversations", headers=groomer.auth)
        assert (refused.status_code, error_code(refused)) == (401, "token_revoked")
    assert await phone.wait_closed(timeout=5) == (4401, "token_revoked")
    assert phone.of_type("error")[-1]["code"] == "token_revoked"
    assert (await refresh(api, groomer)).status_code == 401
    again = await api.http.post(
        "/v1/auth/token", json={"shop_id": owner.shop_id, "login": groomer.login, "password": PASSWORD}
    )
    assert (again.status_code, error_code(again)) == (401, "invalid_credentials")
    staff = (await api.http.get("/v1/shop/staff", headers=owner.auth)).json()
    assert [m["staff_id"] for m in staff] == [owner.user_id]


async def test_signing_out_everywhere_ends_every_device_of_mine(api, api2):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    laptop = await api.sign_in(owner.shop_id, customer.login)
    phone = await api2.device(customer)

    assert (await api.http.post("/v1/auth/sign-out-everywhere", headers=laptop.auth)).status_code == 204

    for device in (customer, laptop):
        refused = await api2.http.get("/v1/conversations", headers=device.auth)
        assert (refused.status_code, error_code(refused)) == (401, "token_revoked")
        assert (await refresh(api, device)).status_code == 401
    assert await phone.wait_closed(timeout=5) == (4401, "token_revoked")

    # Signing in again, even in the same second, gives a session that works.
    fresh = await api.sign_in(owner.shop_id, customer.login)
    assert (await api2.http.get("/v1/conversations", headers=fresh.auth)).status_code == 200
    await (await api2.device(fresh)).close()
    # Someone else's sessions were not touched.
    assert (await api.http.get("/v1/conversations", headers=owner.auth)).status_code == 200


async def test_the_owner_signs_a_staff_member_out_of_every_device(api, api2):
    owner = await api.shop()
    groomer = await api.staff(owner)
    phone = await api2.device(groomer)
    ended = await api.http.post(f"/v1/shop/staff/{groomer.user_id}/sign-out-everywhere", headers=owner.auth)
    assert ended.status_code == 204
    assert await phone.wait_closed(timeout=5) == (4401, "token_revoked")
    assert (await refresh(api, groomer)).status_code == 401
    # Not disabled: they may sign in again.
    assert (await api.sign_in(owner.shop_id, groomer.login)).role == "staff"


async def test_a_disabled_account_cannot_sign_in_until_enabled_again(api, api2):
    owner = await api.shop()
    groomer = await api.staff(owner)
    phone = await api2.device(groomer)

    disabled = await api.http.post(f"/v1/shop/staff/{groomer.user_id}/disable", headers=owner.auth)
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert await phone.wait_closed(timeout=5) == (4401, "token_revoked")
    assert (await api2.http.get("/v1/conversations", headers=groomer.auth)).status_code == 401
    body = {"shop_id": owner.shop_id, "login": groomer.login, "password": PASSWORD}
    refused = await api.http.post("/v1/auth/token", json=body)
    assert (refused.status_code, error_code(refused)) == (403, "account_disabled")

    enabled = await api.http.post(f"/v1/shop/staff/{groomer.user_id}/enable", headers=owner.auth)
    assert enabled.status_code == 200 and enabled.json()["status"] == "active"
    back = await api.sign_in(owner.shop_id, groomer.login)
    assert (await api2.http.get("/v1/conversations", headers=back.auth)).status_code == 200


async def test_roles_change_and_a_shop_always_keeps_an_owner(api):
    owner = await api.shop()
    groomer = await api.staff(owner)

    last = await api.http.put(
        f"/v1/shop/staff/{owner.user_id}/role", json={"role": "staff"}, headers=owner.auth
    )
    assert (last.status_code, error_code(last)) == (409, "last_owner")
    for action in ("disable", "remove"):
        path = f"/v1/shop/staff/{owner.user_id}" + ("/disable" if action == "disable" else "")
        kept = await (api.http.post if action == "disable" else api.http.delete)(path, headers=owner.auth)
        assert (kept.status_code, error_code(kept)) == (409, "last_owner"), action

    promoted = await api.http.put(
        f"/v1/shop/staff/{groomer.user_id}/role", json={"role": "owner"}, headers=owner.auth
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    # The old token said "staff": it ends, and the new session carries the new role.
    assert (await api.http.get("/v1/shop/staff", headers=groomer.auth)).status_code == 401
    co_owner = await api.sign_in(owner.shop_id, groomer.login)
    assert co_owner.role == "owner"
    # Now there is another owner, the first may step down.
    stepped = await api.http.put(
        f"/v1/shop/staff/{owner.user_id}/role", json={"role": "staff"}, headers=co_owner.auth
    )
    assert stepped.status_code == 200 and stepped.json()["role"] == "staff"
    roles = {
        m["staff_id"]: m["role"] for m in (await api.http.get("/v1/shop/staff", headers=co_owner.auth)).json()
    }
    assert roles == {owner.user_id: "staff", groomer.user_id: "owner"}


async def test_only_the_shops_owner_manages_its_staff(api):
    owner = await api.shop()
    groomer = await api.staff(owner)
    colleague = await api.staff(owner)
    other_owner = await api.shop("Another shop")
    customer = await api.customer(owner.shop_id)

    for caller, status in ((colleague, 403), (customer, 403), (other_owner, 404)):
        for method, path in (
            ("POST", f"/v1/shop/staff/{groomer.user_id}/disable"),
            ("DELETE", f"/v1/shop/staff/{groomer.user_id}"),
            ("PUT", f"/v1/shop/staff/{groomer.user_id}/role"),
            ("POST", f"/v1/shop/staff/{groomer.user_id}/sign-out-everywhere"),
        ):
            kwargs = {"json": {"role": "owner"}} if method == "PUT" else {}
            answer = await api.http.request(method, path, headers=caller.auth, **kwargs)
            assert answer.status_code == status, (caller.role, method, path, answer.text)
    for caller in (colleague, customer):
        assert (await api.http.get("/v1/shop/staff", headers=caller.auth)).status_code == 403
    # The groomer was never touched.
    assert (await api.http.get("/v1/conversations", headers=groomer.auth)).status_code == 200
    listed = (await api.http.get("/v1/shop/staff", headers=owner.auth)).json()
    assert {m["staff_id"]: m["status"] for m in listed}[groomer.user_id] == "active"
