"""Access tokens: kept out of the logs whichever way a socket signs in, published public keys
that verify them, and a gateway that will not run in production on a guessable key."""

import asyncio
import json
import re

import jwt
import pytest
import websockets

from .conftest import KID

pytestmark = pytest.mark.e2e

ANY_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
PUBLISHED_DEV_SECRET = "frontdesk-dev-secret-change-me-in-production-0123456789"


def gateway_logs(system) -> str:
    return "".join(
        r.log.read_text(errors="replace") for k, r in system.running.items() if k.startswith("gateway")
    )


async def test_no_access_token_reaches_the_gateway_logs_whichever_way_a_socket_signs_in(api, api2, system):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    staff = await api.staff(owner)
    conversation = await api.open_conversation(customer)
    devices = [
        await api.device(customer, auth="query"),
        await api2.device(owner, auth="query"),
        await api.device(owner, auth="frame"),
        await api2.device(staff, auth="protocol"),
    ]
    assert devices[3].socket.subprotocol == "frontdesk.v1"
    await devices[2].send_message(conversation, "hello")
    assert (await devices[2].next("ack"))["seq"] == 1
    for device in devices:
        await device.close()
    tokens = [owner.token, customer.token, staff.token]
    # uvicorn logs every socket's URL: the query form is there, with its token cut out.
    for _ in range(50):
        logs = gateway_logs(system)
        if logs.count("/v1/ws?access_token=[redacted]") >= 2:
            break
        await asyncio.sleep(0.1)
    assert logs.count("/v1/ws?access_token=[redacted]") >= 2
    assert not [t for t in tokens if t in logs]
    assert not ANY_JWT.findall(logs)


async def test_a_socket_that_does_not_sign_in_first_is_told_how_and_closed(api, system):
    url = api.base_url.replace("http://", "ws://") + "/v1/ws"
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"type": "ping", "id": "p1"}))
        refusal = json.loads(await socket.recv())
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert refusal["code"] == "unauthorized" and '"type": "auth"' in refusal["message"]
    assert closed.value.rcvd.code == 4401
    async with websockets.connect(url) as silent:  # nothing at all: refused at the deadline
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(15):
                while True:
                    await silent.recv()
    assert closed.value.rcvd.code == 4401


async def test_other_services_verify_gateway_tokens_with_the_published_public_keys(api):
    owner = await api.shop()
    published = (await api.http.get("/v1/.well-known/jwks.json")).json()
    assert [k["kid"] for k in published["keys"]] == [KID]
    assert all("d" not in k for k in published["keys"])
    key = jwt.PyJWKSet.from_dict(published)[jwt.get_unverified_header(owner.token)["kid"]]
    claims = jwt.decode(owner.token, key, algorithms=["EdDSA"], audience="frontdesk")
    assert (claims["sub"], claims["shop"], claims["role"]) == (owner.user_id, owner.shop_id, "owner")


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        ({"FRONTDESK_JWT_SECRET": PUBLISHED_DEV_SECRET}, "FRONTDESK_JWT_SECRET"),
        ({"FRONTDESK_JWT_SECRET": "short"}, "FRONTDESK_JWT_SECRET"),
        ({}, "FRONTDESK_JWT_KEYS"),
    ],
    ids=["published dev secret", "weak secret", "no key"],
)
def test_the_gateway_refuses_to_start_in_production_without_a_strong_key(system, keys, named):
    env = {"FRONTDESK_ENVIRONMENT": "production", "FRONTDESK_JWT_KEYS": "", **keys}
    with pytest.raises(RuntimeError) as refused:
        system.start("gateway", instance="refused", extra_env=env, wait=30)
    system.running.pop("gateway-refused")
    assert "gateway refuses to start" in str(refused.value) and named in str(refused.value)
