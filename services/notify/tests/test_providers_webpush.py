"""Web Push against a fake push service that decrypts what it gets, as the browser would."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from frontdesk_notify.adapters.providers import Message, WebPushSettings
from frontdesk_notify.adapters.providers.webpush import WebPush, application_server_key

from .fakes.server import serving
from .fakes.webpush import FakePushService

VAPID_PEM = (
    ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)
SETTINGS = WebPushSettings(
    vapid_private_key=VAPID_PEM, vapid_subject="mailto:ops@frontdesk.example", allow_plain_http=True
)


def settings_with(**changes: object) -> WebPushSettings:
    return WebPushSettings.model_validate({**SETTINGS.model_dump(), **changes})


@pytest.fixture
async def push_service() -> AsyncIterator[FakePushService]:
    fake = FakePushService()
    async with serving(fake.app) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
async def webpush() -> AsyncIterator[WebPush]:
    async with httpx.AsyncClient(timeout=2.0) as http:
        yield WebPush(SETTINGS, http)


def reminder(address: str, **overrides: object) -> Message:
    fields: dict[str, object] = {
        "notification_id": "ntf-1",
        "platform": "webpush",
        "address": address,
        "title": "Grooming tomorrow",
        "body": "Biscuit's wash & trim at 10:30 — reply to move it 🐶",
        "language": "en",
        "data": {"booking_id": "bk-42"},
    }
    return Message(**{**fields, **overrides})  # type: ignore[arg-type]


async def test_the_browser_decrypts_exactly_what_was_sent(
    push_service: FakePushService, webpush: WebPush
) -> None:
    subscription = push_service.subscribe(application_server_key(SETTINGS))
    outcome = await webpush.send(reminder(subscription, critical=True, collapse_key="booking:bk-42"))

    assert outcome.status == "sent"
    assert outcome.provider_message_id and "/message/" in outcome.provider_message_id
    [pushed] = push_service.received
    assert pushed.payload == {
        "notification_id": "ntf-1",
        "title": "Grooming tomorrow",
        "body": "Biscuit's wash & trim at 10:30 — reply to move it 🐶",
        "language": "en",
        "data": {"booking_id": "bk-42"},
        "collapse_key": "booking:bk-42",
    }
    assert pushed.urgency == "high"
    assert pushed.ttl == SETTINGS.ttl_seconds
    assert pushed.topic and len(pushed.topic) <= 32
    assert pushed.vapid_claims["sub"] == "mailto:ops@frontdesk.example"


async def test_an_ordinary_message_goes_at_normal_urgency(
    push_service: FakePushService, webpush: WebPush
) -> None:
    await webpush.send(reminder(push_service.subscribe(application_server_key(SETTINGS))))
    assert push_service.received[0].urgency == "normal"
    assert push_service.received[0].topic is None


async def test_a_raw_base64url_vapid_key_works_like_its_pem(push_service: FakePushService) -> None:
    key = serialization.load_pem_private_key(VAPID_PEM.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    settings = settings_with(vapid_private_key=base64.urlsafe_b64encode(raw).rstrip(b"=").decode())
    assert application_server_key(settings) == application_server_key(SETTINGS)
    async with httpx.AsyncClient() as http:
        outcome = await WebPush(settings, http).send(
            reminder(push_service.subscribe(application_server_key(SETTINGS)))
        )
    assert outcome.status == "sent"


async def test_a_subscription_made_for_another_sender_key_is_refused(
    push_service: FakePushService, webpush: WebPush
) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    other_key = other.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    subscription = push_service.subscribe(base64.urlsafe_b64encode(other_key).rstrip(b"=").decode())
    outcome = await webpush.send(reminder(subscription))
    assert (outcome.status, outcome.retryable) == ("failed", False)
    assert push_service.received == []


@pytest.mark.parametrize("gone", ["unsubscribed", "unknown"])
async def test_an_expired_subscription_is_an_invalid_address(
    push_service: FakePushService, webpush: WebPush, gone: str
) -> None:
    subscription = push_service.subscribe(application_server_key(SETTINGS))
    if gone == "unsubscribed":
        push_service.unsubscribe(subscription)
    else:
        push_service.browsers.clear()
    outcome = await webpush.send(reminder(subscription))
    assert outcome.status == "invalid_address"


@pytest.mark.parametrize(
    "address",
    [
        "not json",
        json.dumps({"endpoint": "https://push.example/x"}),
        json.dumps({"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}),
    ],
)
async def test_a_malformed_subscription_is_an_invalid_address(webpush: WebPush, address: str) -> None:
    assert (await webpush.send(reminder(address))).status == "invalid_address"


async def test_plain_http_endpoints_are_refused_unless_allowed(push_service: FakePushService) -> None:
    subscription = push_service.subscribe(application_server_key(SETTINGS))
    strict = settings_with(allow_plain_http=False)
    async with httpx.AsyncClient() as http:
        outcome = await WebPush(strict, http).send(reminder(subscription))
    assert outcome.status == "invalid_address"
    assert push_service.received == []


async def test_rate_limited_with_the_push_services_retry_after(
    push_service: FakePushService, webpush: WebPush
) -> None:
    push_service.script.then(429, "slow down", {"Retry-After": "120"})
    outcome = await webpush.send(reminder(push_service.subscribe(application_server_key(SETTINGS))))
    assert (outcome.status, outcome.retry_after) == ("rate_limited", 120.0)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_push_service_error_is_retryable(
    push_service: FakePushService, webpush: WebPush, status: int
) -> None:
    push_service.script.then(status, "overloaded")
    outcome = await webpush.send(reminder(push_service.subscribe(application_server_key(SETTINGS))))
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_another_client_error_is_not_retried(push_service: FakePushService, webpush: WebPush) -> None:
    push_service.script.then(400, "bad request")
    outcome = await webpush.send(reminder(push_service.subscribe(application_server_key(SETTINGS))))
    assert (outcome.status, outcome.retryable) == ("failed", False)


async def test_a_payload_too_big_for_a_push_message_fails_without_sending(
    push_service: FakePushService, webpush: WebPush
) -> None:
    outcome = await webpush.send(
        reminder(push_service.subscribe(application_server_key(SETTINGS)), body="x" * 5000)
    )
    assert (outcome.status, outcome.retryable) == ("failed", False)
    assert push_service.received == []


async def test_a_timeout_is_retryable(push_service: FakePushService) -> None:
    push_service.script.then(201, delay=1.0)
    async with httpx.AsyncClient(timeout=0.2) as http:
        outcome = await WebPush(SETTINGS, http).send(
            reminder(push_service.subscribe(application_server_key(SETTINGS)))
        )
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_nothing_secret_reaches_the_log(
    push_service: FakePushService, webpush: WebPush, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = push_service.subscribe(application_server_key(SETTINGS))
    push_service.unsubscribe(subscription)
    with caplog.at_level(logging.DEBUG):
        await webpush.send(reminder(subscription))
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdesk_notify"))
    assert "410" in ours
    assert json.loads(subscription)["endpoint"] not in ours
    assert json.loads(subscription)["keys"]["auth"] not in ours
