"""FCM HTTP v1 against a fake FCM and a fake Google token endpoint."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from frontdesk_notify.adapters.providers import FcmSettings, Message
from frontdesk_notify.adapters.providers.fcm import Fcm

from .fakes.fcm import FakeFcm, fcm_error
from .fakes.server import serving

SERVICE_ACCOUNT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_PEM = SERVICE_ACCOUNT_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
CLIENT_EMAIL = "frontdesk-notify@pet-shop-1234.iam.gserviceaccount.com"
DEVICE = "dQw4w9WgXcQ:APA91bH" + "x" * 140


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fcm_server(clock: Clock) -> AsyncIterator[FakeFcm]:
    fake = FakeFcm("pet-shop-1234", CLIENT_EMAIL, SERVICE_ACCOUNT_KEY.public_key(), clock=clock)
    async with serving(fake.app) as url:
        fake.base_url = url
        yield fake


def settings_for(fake: FakeFcm) -> FcmSettings:
    key_file = {
        "type": "service_account",
        "project_id": "pet-shop-1234",
        "private_key": PRIVATE_PEM,
        "client_email": CLIENT_EMAIL,
        "token_uri": fake.token_uri,
    }
    return FcmSettings.from_service_account(key_file, base_url=fake.base_url)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


@pytest.fixture
def fcm(fcm_server: FakeFcm, http: httpx.AsyncClient, clock: Clock) -> Fcm:
    return Fcm(settings_for(fcm_server), http, clock=clock)


def reminder(**overrides: object) -> Message:
    fields: dict[str, object] = {
        "notification_id": "ntf-7",
        "platform": "fcm",
        "address": DEVICE,
        "title": "Your table is ready",
        "body": "Come to the front desk — Tisch für 2 ✓",
        "data": {"conversation_id": "cv-9"},
    }
    return Message(**{**fields, **overrides})  # type: ignore[arg-type]


async def test_the_device_gets_title_body_and_data(fcm_server: FakeFcm, fcm: Fcm) -> None:
    outcome = await fcm.send(reminder(critical=True, collapse_key="table"))

    assert outcome.status == "sent"
    assert outcome.provider_message_id and outcome.provider_message_id.startswith(
        "projects/pet-shop-1234/messages/"
    )
    [message] = fcm_server.received
    assert message["token"] == DEVICE
    assert message["notification"] == {
        "title": "Your table is ready",
        "body": "Come to the front desk — Tisch für 2 ✓",
    }
    assert message["data"] == {"conversation_id": "cv-9", "notification_id": "ntf-7"}
    assert message["android"] == {"priority": "high", "collapse_key": "table"}


async def test_an_ordinary_message_goes_at_normal_priority(fcm_server: FakeFcm, fcm: Fcm) -> None:
    await fcm.send(reminder())
    assert fcm_server.received[0]["android"] == {"priority": "normal"}


async def test_one_access_token_serves_many_sends(fcm_server: FakeFcm, fcm: Fcm) -> None:
    for _ in range(3):
        assert (await fcm.send(reminder())).status == "sent"
    assert len(fcm_server.assertions) == 1
    [claims] = fcm_server.assertions
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"


async def test_an_access_token_near_its_expiry_is_replaced_before_use(
    fcm_server: FakeFcm, fcm: Fcm, clock: Clock
) -> None:
    await fcm.send(reminder())
    clock.now += 3600 - 60  # a minute left: it could lapse in flight
    assert (await fcm.send(reminder())).status == "sent"
    assert len(fcm_server.assertions) == 2


async def test_an_expired_access_token_is_replaced(fcm_server: FakeFcm, fcm: Fcm, clock: Clock) -> None:
    await fcm.send(reminder())
    clock.now += 2 * 3600  # the fake now refuses the first token
    assert (await fcm.send(reminder())).status == "sent"
    assert len(fcm_server.assertions) == 2
    assert len(fcm_server.received) == 2


async def test_an_access_token_refused_before_its_time_is_refreshed_once(
    fcm_server: FakeFcm, fcm: Fcm
) -> None:
    await fcm.send(reminder())
    fcm_server.revoke_access_tokens()

    outcome = await fcm.send(reminder(notification_id="ntf-8"))

    assert outcome.status == "sent"
    assert len(fcm_server.assertions) == 2
    assert [m["data"]["notification_id"] for m in fcm_server.received] == ["ntf-7", "ntf-8"]


async def test_a_token_refused_even_when_fresh_is_a_retryable_failure(fcm_server: FakeFcm, fcm: Fcm) -> None:
    fcm_server.script.then(401, {"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "no"}})
    fcm_server.script.then(401, {"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "no"}})
    outcome = await fcm.send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)
    assert len(fcm_server.assertions) == 2  # refreshed once, not in a loop


async def test_a_wrong_service_account_key_is_a_retryable_failure(
    fcm_server: FakeFcm, http: httpx.AsyncClient
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings = FcmSettings.model_validate(
        {**settings_for(fcm_server).model_dump(), "private_key": other.decode()}
    )
    outcome = await Fcm(settings, http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)
    assert "invalid_grant" in (outcome.reason or "")
    assert fcm_server.received == []


async def test_an_unregistered_token_is_an_invalid_address(fcm_server: FakeFcm, fcm: Fcm) -> None:
    fcm_server.unregistered.add(DEVICE)
    assert (await fcm.send(reminder())).status == "invalid_address"


async def test_a_malformed_token_is_an_invalid_address(fcm: Fcm) -> None:
    assert (await fcm.send(reminder(address="not a token"))).status == "invalid_address"


async def test_a_bad_request_about_something_else_keeps_the_device(fcm_server: FakeFcm, fcm: Fcm) -> None:
    fcm_server.script.then(
        400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "Invalid JSON payload"}}
    )
    outcome = await fcm.send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", False)


async def test_a_404_that_is_not_unregistered_keeps_the_device(fcm_server: FakeFcm, fcm: Fcm) -> None:
    fcm_server.script.then(
        404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "Requested entity was not found."}}
    )
    assert (await fcm.send(reminder())).status == "failed"


async def test_quota_exceeded_is_rate_limited_with_retry_after(fcm_server: FakeFcm, fcm: Fcm) -> None:
    error = fcm_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "QUOTA_EXCEEDED")
    fcm_server.script.then(429, bytes(error.body), {"Retry-After": "45", "Content-Type": "application/json"})
    outcome = await fcm.send(reminder())
    assert (outcome.status, outcome.retry_after) == ("rate_limited", 45.0)


@pytest.mark.parametrize(("status", "grpc"), [(500, "INTERNAL"), (503, "UNAVAILABLE")])
async def test_fcm_trouble_is_retryable(fcm_server: FakeFcm, fcm: Fcm, status: int, grpc: str) -> None:
    fcm_server.script.then(
        status, {"error": {"code": status, "status": grpc, "message": "try later"}}, {"Retry-After": "10"}
    )
    outcome = await fcm.send(reminder())
    assert (outcome.status, outcome.retryable, outcome.retry_after) == ("failed", True, 10.0)


async def test_an_unreachable_fcm_is_retryable(http: httpx.AsyncClient, fcm_server: FakeFcm) -> None:
    settings = FcmSettings.model_validate(
        {**settings_for(fcm_server).model_dump(), "token_uri": "http://127.0.0.1:9/token"}
    )
    outcome = await Fcm(settings, http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_the_log_names_no_token_or_key(
    fcm_server: FakeFcm, fcm: Fcm, caplog: pytest.LogCaptureFixture
) -> None:
    fcm_server.unregistered.add(DEVICE)
    with caplog.at_level(logging.DEBUG):
        await fcm.send(reminder())
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdesk_notify"))
    assert "UNREGISTERED" in ours
    assert DEVICE not in ours
    assert "ya29." not in ours
