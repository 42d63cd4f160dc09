"""SMS through Twilio against a fake Messages API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from frontdesk_notify.adapters.providers import Message, TwilioSettings
from frontdesk_notify.adapters.providers.twilio import TwilioSms

from .fakes.server import serving
from .fakes.twilio import FakeTwilio, twilio_error

SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-auth-token-for-tests"
PHONE = "+447700900123"


@pytest.fixture
async def twilio_server() -> AsyncIterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio(SID, AUTH_TOKEN)
    async with serving(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake(twilio_server: tuple[FakeTwilio, str]) -> FakeTwilio:
    return twilio_server[0]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


def settings(url: str, **changes: object) -> TwilioSettings:
    fields: dict[str, object] = {
        "account_sid": SID,
        "auth_token": AUTH_TOKEN,
        "from_number": "+15005550006",
        "base_url": url,
    }
    return TwilioSettings.model_validate({**fields, **changes})


@pytest.fixture
def twilio(twilio_server: tuple[FakeTwilio, str], http: httpx.AsyncClient) -> TwilioSms:
    return TwilioSms(settings(twilio_server[1]), http)


def reminder(**overrides: object) -> Message:
    fields: dict[str, object] = {
        "notification_id": "ntf-sms-1",
        "platform": "sms",
        "address": PHONE,
        "title": "Paws & Co",
        "body": "Reminder: Rex's grooming, Fri 9:00. Reply C to cancel. Größe: L",
    }
    return Message(**{**fields, **overrides})  # type: ignore[arg-type]


async def test_the_phone_gets_the_text(fake: FakeTwilio, twilio: TwilioSms) -> None:
    outcome = await twilio.send(reminder())
    assert outcome.status == "sent"
    assert outcome.provider_message_id and outcome.provider_message_id.startswith("SM")
    [texted] = fake.received
    assert texted.to == PHONE
    assert texted.body == "Paws & Co\nReminder: Rex's grooming, Fri 9:00. Reply C to cancel. Größe: L"
    assert texted.sender == {"From": "+15005550006"}


async def test_a_messaging_service_picks_the_sender(
    twilio_server: tuple[FakeTwilio, str], http: httpx.AsyncClient
) -> None:
    fake, url = twilio_server
    sms = TwilioSms(settings(url, from_number=None, messaging_service_sid="MG" + "1" * 32), http)
    assert (await sms.send(reminder(title=""))).status == "sent"
    assert fake.received[0].sender == {"MessagingServiceSid": "MG" + "1" * 32}
    assert fake.received[0].body.startswith("Reminder:")


def test_a_sender_is_required() -> None:
    with pytest.raises(ValueError, match="from_number or messaging_service_sid"):
        settings("http://127.0.0.1", from_number=None)


async def test_a_wrong_auth_token_is_a_retryable_failure(
    twilio_server: tuple[FakeTwilio, str], http: httpx.AsyncClient
) -> None:
    outcome = await TwilioSms(settings(twilio_server[1], auth_token="wrong"), http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)
    assert twilio_server[0].received == []


@pytest.mark.parametrize("number", ["+1555", "not-a-number"])
async def test_an_invalid_number_is_an_invalid_address(
    fake: FakeTwilio, twilio: TwilioSms, number: str
) -> None:
    assert (await twilio.send(reminder(address=number))).status == "invalid_address"


async def test_twilio_calling_a_number_invalid_is_an_invalid_address(
    fake: FakeTwilio, twilio: TwilioSms
) -> None:
    fake.script.then(
        400,
        bytes(twilio_error(400, 21211, "The 'To' number is not a valid phone number.").body),
        {"Content-Type": "application/json"},
    )
    outcome = await twilio.send(reminder())
    assert outcome.status == "invalid_address"
    assert "21211" in (outcome.reason or "")


async def test_a_landline_is_an_invalid_address(fake: FakeTwilio, twilio: TwilioSms) -> None:
    fake.landlines.add(PHONE)
    outcome = await twilio.send(reminder())
    assert outcome.status == "invalid_address"
    assert "21614" in (outcome.reason or "")


async def test_too_many_requests_is_rate_limited(fake: FakeTwilio, twilio: TwilioSms) -> None:
    fake.script.then(
        429, {"code": 20429, "message": "Too Many Requests", "status": 429}, {"Retry-After": "3"}
    )
    outcome = await twilio.send(reminder())
    assert (outcome.status, outcome.retry_after) == ("rate_limited", 3.0)


@pytest.mark.parametrize("status", [500, 503])
async def test_twilio_trouble_is_retryable(fake: FakeTwilio, twilio: TwilioSms, status: int) -> None:
    fake.script.then(status, {"code": 20500, "message": "Internal Server Error", "status": status})
    outcome = await twilio.send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_another_twilio_error_is_final(fake: FakeTwilio, twilio: TwilioSms) -> None:
    fake.script.then(
        400,
        {
            "code": 21408,
            "message": "Permission to send an SMS has not been enabled for the region",
            "status": 400,
        },
    )
    outcome = await twilio.send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", False)
    assert "21408" in (outcome.reason or "")


async def test_a_timeout_is_retryable(fake: FakeTwilio, twilio_server: tuple[FakeTwilio, str]) -> None:
    fake.script.then(201, {"sid": "SMlate"}, delay=1.0)
    async with httpx.AsyncClient(timeout=0.2) as http:
        outcome = await TwilioSms(settings(twilio_server[1]), http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_the_log_names_neither_the_number_nor_the_token(
    fake: FakeTwilio, twilio: TwilioSms, caplog: pytest.LogCaptureFixture
) -> None:
    fake.landlines.add(PHONE)
    with caplog.at_level(logging.DEBUG):
        await twilio.send(reminder())
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdesk_notify"))
    assert "21614" in ours
    assert PHONE not in ours
    assert AUTH_TOKEN not in ours
