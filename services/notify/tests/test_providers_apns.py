"""APNs over HTTP/2 and TLS against a fake APNs (hypercorn, a certificate made for the test).

Why TLS rather than h2c: APNs is reached over TLS with ALPN "h2", which is how httpx with
`http2=True` picks HTTP/2; over plain TCP it would need `http1=False` (prior knowledge), a
client configured unlike the one production uses. So the fake serves TLS and the test's
client differs from production only in trusting the fake's certificate."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from frontdesk_notify.adapters.providers import ApnsSettings, Message
from frontdesk_notify.adapters.providers.apns import Apns, apns_id

from .fakes.apns import FakeApns
from .fakes.server import serving
from .fakes.tls import Certificate, self_signed

SIGNING_KEY = ec.generate_private_key(ec.SECP256R1())
P8 = SIGNING_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
DEVICE = "a1b2c3d4" * 8


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(Path(tmp_path_factory.mktemp("apns-tls")))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def apns_server(certificate: Certificate, clock: Clock) -> AsyncIterator[tuple[FakeApns, str]]:
    fake = FakeApns(
        "TEAM123456", "KEY1234567", SIGNING_KEY.public_key(), "com.frontdesk.petshop", clock=clock
    )
    async with serving(fake.app, tls=certificate) as url:
        yield fake, url


@pytest.fixture
async def http(certificate: Certificate) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(http2=True, verify=certificate.client_context(), timeout=2.0) as client:
        yield client


@pytest.fixture
def fake(apns_server: tuple[FakeApns, str]) -> FakeApns:
    return apns_server[0]


@pytest.fixture
def apns(apns_server: tuple[FakeApns, str], http: httpx.AsyncClient, clock: Clock) -> Apns:
    settings = ApnsSettings(
        team_id="TEAM123456",
        key_id="KEY1234567",
        private_key=P8,
        topic="com.frontdesk.petshop",
        base_url=apns_server[1],
    )
    return Apns(settings, http, clock=clock)


def reminder(**overrides: object) -> Message:
    fields: dict[str, object] = {
        "notification_id": "ntf-apns-1",
        "platform": "apns",
        "address": DEVICE,
        "title": "Vaccination due",
        "body": "Mochi's rabies booster is due on 3 April. 予約はこちら",
        "data": {"pet_id": "pet-5"},
    }
    return Message(**{**fields, **overrides})  # type: ignore[arg-type]


async def test_the_device_gets_the_alert_over_http2(fake: FakeApns, apns: Apns) -> None:
    outcome = await apns.send(reminder(critical=True, collapse_key="vaccination:pet-5"))

    assert outcome == outcome.sent(apns_id("ntf-apns-1"))
    [delivered] = fake.received
    assert delivered.http_version == "2"
    assert delivered.device == DEVICE
    assert delivered.payload["aps"]["alert"] == {
        "title": "Vaccination due",
        "body": "Mochi's rabies booster is due on 3 April. 予約はこちら",
    }
    assert delivered.payload["data"] == {"pet_id": "pet-5"}
    assert delivered.payload["notification_id"] == "ntf-apns-1"
    assert delivered.headers["apns-priority"] == "10"
    assert delivered.headers["apns-push-type"] == "alert"
    assert delivered.headers["apns-topic"] == "com.frontdesk.petshop"
    assert delivered.headers["apns-collapse-id"] == "vaccination:pet-5"


async def test_an_ordinary_message_goes_at_priority_5(fake: FakeApns, apns: Apns) -> None:
    await apns.send(reminder())
    assert fake.received[0].headers["apns-priority"] == "5"
    assert "apns-collapse-id" not in fake.received[0].headers


async def test_a_repeat_carries_the_same_apns_id(fake: FakeApns, apns: Apns) -> None:
    await apns.send(reminder())
    await apns.send(reminder())
    await apns.send(reminder(notification_id="ntf-apns-2"))
    ids = [d.headers["apns-id"] for d in fake.received]
    assert ids[0] == ids[1] != ids[2]


async def test_the_provider_token_is_reused_then_renewed_within_the_hour(
    fake: FakeApns, apns: Apns, clock: Clock
) -> None:
    await apns.send(reminder())
    clock.now += 30 * 60
    await apns.send(reminder())
    assert len(fake.provider_tokens) == 1
    clock.now += 25 * 60  # 55 minutes: past the 50-minute renewal, before Apple's hour
    assert (await apns.send(reminder())).status == "sent"
    assert len(fake.provider_tokens) == 2


async def test_a_provider_token_apple_calls_expired_is_renewed_once(
    fake: FakeApns, apns: Apns, clock: Clock
) -> None:
    await apns.send(reminder())
    clock.now += 21 * 60
    fake.script.then(403, {"reason": "ExpiredProviderToken"})
    assert (await apns.send(reminder())).status == "sent"
    assert len(fake.provider_tokens) == 2


@pytest.mark.parametrize(("status", "reason"), [(410, "Unregistered"), (400, "BadDeviceToken")])
async def test_a_dead_device_token_is_an_invalid_address(
    fake: FakeApns, apns: Apns, status: int, reason: str
) -> None:
    if reason == "Unregistered":
        fake.unregistered.add(DEVICE)
        outcome = await apns.send(reminder())
    else:
        outcome = await apns.send(reminder(address="ab" * 20))
    assert outcome.status == "invalid_address"
    assert reason in (outcome.reason or "")


async def test_a_token_that_is_not_hex_never_leaves(fake: FakeApns, apns: Apns) -> None:
    assert (await apns.send(reminder(address="../../etc"))).status == "invalid_address"
    assert fake.received == []


async def test_too_many_requests_is_rate_limited(fake: FakeApns, apns: Apns) -> None:
    fake.script.then(429, {"reason": "TooManyRequests"}, {"Retry-After": "30"})
    outcome = await apns.send(reminder())
    assert (outcome.status, outcome.retry_after) == ("rate_limited", 30.0)


async def test_too_many_requests_without_retry_after_still_waits(fake: FakeApns, apns: Apns) -> None:
    fake.script.then(429, {"reason": "TooManyRequests"})
    outcome = await apns.send(reminder())
    assert outcome.status == "rate_limited"
    assert outcome.retry_after and outcome.retry_after > 0


@pytest.mark.parametrize(("status", "reason"), [(500, "InternalServerError"), (503, "ServiceUnavailable")])
async def test_apple_trouble_is_retryable(fake: FakeApns, apns: Apns, status: int, reason: str) -> None:
    fake.script.then(status, {"reason": reason})
    outcome = await apns.send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_a_wrong_signing_key_is_refused_by_apple(
    apns_server: tuple[FakeApns, str], http: httpx.AsyncClient
) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings = ApnsSettings(
        team_id="TEAM123456", key_id="KEY1234567", private_key=other.decode(),
        topic="com.frontdesk.petshop", base_url=apns_server[1],
    )  # fmt: skip
    outcome = await Apns(settings, http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)
    assert "InvalidProviderToken" in (outcome.reason or "")


async def test_an_http1_only_client_is_turned_away(
    apns_server: tuple[FakeApns, str], certificate: Certificate
) -> None:
    settings = ApnsSettings(
        team_id="TEAM123456", key_id="KEY1234567", private_key=P8,
        topic="com.frontdesk.petshop", base_url=apns_server[1],
    )  # fmt: skip
    async with httpx.AsyncClient(verify=certificate.client_context()) as http1:
        outcome = await Apns(settings, http1).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", False)
    assert apns_server[0].received == []


async def test_the_log_names_no_device_token(
    fake: FakeApns, apns: Apns, caplog: pytest.LogCaptureFixture
) -> None:
    fake.unregistered.add(DEVICE)
    with caplog.at_level(logging.DEBUG):
        await apns.send(reminder())
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdesk_notify"))
    assert "Unregistered" in ours
    assert DEVICE not in ours
