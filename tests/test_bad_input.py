"""Bad input gets a clear error code, the socket stays usable, and nothing is half-written."""

import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .conftest import SIGNING_KEY, sign_token

pytestmark = pytest.mark.e2e


@pytest.fixture
async def chat(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    return owner, customer, conversation


def token(key: Ed25519PrivateKey, expires_in: int, **claims: str) -> str:
    now = int(time.time())
    return sign_token(
        {
            "sub": str(uuid.uuid4()),
            "shop": str(uuid.uuid4()),
            "role": "staff",
            "aud": "frontdesk",
            "iat": now,
            "exp": now + expires_in,
            **claims,
        },
        key,
    )


def error_code(response) -> str:
    return response.json()["error"]["code"]


async def test_rest_rejects_bad_input_with_clear_codes_and_stores_nothing(api, chat):
    owner, customer, conversation = chat
    url = f"/v1/conversations/{conversation}/messages"
    cases = {
        "malformed json": (
            await api.http.post(
                url, content=b"{oops", headers={**customer.auth, "content-type": "application/json"}
            ),
            400,
            "invalid_json",
        ),
        "missing field": (
            await api.http.post(url, json={"text": "hi"}, headers=customer.auth),
            422,
            "invalid_request",
        ),
        "oversized text": (await api.send(customer, conversation, "汪" * 4001), 413, "message_too_large"),
        "blank text": (await api.send(customer, conversation, "   "), 422, "invalid_message"),
        "unknown conversation": (
            await api.send(customer, str(uuid.uuid4()), "hi"),
            404,
            "conversation_not_found",
        ),
        "not a uuid": (
            await api.http.get("/v1/conversations/nope", headers=customer.auth),
            422,
            "invalid_request",
        ),
        "no token": (await api.http.get("/v1/conversations"), 401, "unauthorized"),
        "forged token": (
            await api.http.get(
                "/v1/conversations",
                headers={"authorization": f"Bearer {token(Ed25519PrivateKey.generate(), 600)}"},
            ),
            401,
            "invalid_token",
        ),
        "expired token": (
            await api.http.get(
                "/v1/conversations", headers={"authorization": f"Bearer {token(SIGNING_KEY, -5)}"}
            ),
            401,
            "token_expired",
        ),
        "wrong password": (
            await api.http.post(
                "/v1/auth/token",
                json={"shop_id": owner.shop_id, "login": owner.login, "password": "wrong password"},
            ),
            401,
            "invalid_credentials",
        ),
        "unknown route": (await api.http.get("/v1/nowhere"), 404, "not_found"),
    }
    for name, (response, status, code) in cases.items():
        assert (response.status_code, error_code(response)) == (status, code), name
        assert response.json()["error"]["message"], name
    assert (await api.history(customer, conversation))["messages"] == []


async def test_a_socket_answers_bad_frames_with_errors_and_keeps_working(api, chat):
    _, customer, conversation = chat
    phone = await api.device(customer)

    await phone.send("{this is not json")
    assert (await phone.next("error"))["code"] == "invalid_json"
    await phone.send({"type": "teleport", "id": "f1"})
    assert (await phone.next("error", ref="f1"))["code"] == "unknown_frame_type"
    await phone.send("[1, 2, 3]")
    assert (await phone.next("error"))["code"] == "invalid_frame"
    await phone.send({"type": "message.send", "conversation_id": conversation, "client_msg_id": "no-text"})
    assert (await phone.next("error", ref="no-text"))["code"] == "invalid_frame"
    await phone.send(
        {
            "type": "message.send",
            "conversation_id": conversation,
            "client_msg_id": "huge-frame",
            "text": "x" * 70_000,
        }
    )
    assert (await phone.next("error"))["code"] == "frame_too_large"
    await phone.send_message(conversation, "猫" * 4001, client_msg_id="long")
    assert (await phone.next("error", ref="long"))["code"] == "message_too_large"
    await phone.send_message(str(uuid.uuid4()), "hello?", client_msg_id="lost")
    assert (await phone.next("error", ref="lost"))["code"] == "conversation_not_found"
    await phone.send({"type": "ping", "id": "p1"})
    assert (await phone.next("pong"))["ref"] == "p1"

    await phone.send_message(conversation, "still here", client_msg_id="good")
    assert (await phone.next("ack", client_msg_id="good"))["seq"] == 1
    assert [m["text"] for m in (await api.history(customer, conversation))["messages"]] == ["still here"]


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda: token(Ed25519PrivateKey.generate(), 600), "invalid_token"),
        (lambda: token(SIGNING_KEY, -5), "token_expired"),
        (lambda: "garbage", "invalid_token"),
    ],
    ids=["forged", "expired", "garbage"],
)
async def test_a_socket_with_a_bad_token_is_told_why_and_closed(api, make_token, code):
    import websockets

    url = api.base_url.replace("http://", "ws://") + f"/v1/ws?access_token={make_token()}"
    async with websockets.connect(url) as socket:
        frame = await socket.recv()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert f'"code":"{code}"' in frame.replace(" ", "")
    assert closed.value.rcvd.code == 4401


async def test_a_socket_is_closed_when_its_token_expires(api, system):
    owner = await api.shop()
    short_lived = sign_token(
        {
            "sub": owner.user_id,
            "shop": owner.shop_id,
            "role": "owner",
            "aud": "frontdesk",
            "iat": int(time.time()),
            "exp": int(time.time()) + 2,
        }
    )
    owner.token = short_lived
    device = await api.device(owner)
    code, reason = await device.wait_closed(timeout=10)
    assert (code, reason) == (4401, "token_expired")
    assert device.of_type("error")[-1]["code"] == "token_expired"
