"""build_providers makes exactly the providers that have settings."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from frontdesk_notify.adapters.providers import (
    FcmSettings,
    ProviderSettings,
    build_providers,
    new_http_client,
)
from frontdesk_notify.adapters.providers.aliyun_sms import AliyunSms
from frontdesk_notify.adapters.providers.apns import Apns
from frontdesk_notify.adapters.providers.fcm import Fcm
from frontdesk_notify.adapters.providers.twilio import TwilioSms
from frontdesk_notify.adapters.providers.webpush import WebPush
from pydantic import ValidationError


def pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


EC_KEY = pem(ec.generate_private_key(ec.SECP256R1()))
RSA_KEY = pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
EVERYTHING = {
    "webpush": {"vapid_private_key": EC_KEY, "vapid_subject": "mailto:ops@frontdesk.example"},
    "fcm": {"project_id": "p", "client_email": "n@p.iam.gserviceaccount.com", "private_key": RSA_KEY},
    "apns": {"team_id": "T", "key_id": "K", "private_key": EC_KEY, "topic": "com.frontdesk.app"},
    "twilio": {"account_sid": "AC1", "auth_token": "twilio-secret", "from_number": "+15005550006"},
}
ALIYUN = {
    "access_key_id": "LTAI",
    "access_key_secret": "aliyun-secret",
    "sign_name": "宠物店",
    "template_code": "SMS_1",
}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with new_http_client() as client:
        yield client


def test_nothing_is_on_by_default(http: httpx.AsyncClient) -> None:
    assert build_providers(ProviderSettings(), http) == {}


def test_each_configured_provider_is_built_under_its_platform(http: httpx.AsyncClient) -> None:
    providers = build_providers(ProviderSettings.model_validate(EVERYTHING), http)
    assert {platform: type(p) for platform, p in providers.items()} == {
        "webpush": WebPush,
        "fcm": Fcm,
        "apns": Apns,
        "sms": TwilioSms,
    }
    assert all(p.platform == platform for platform, p in providers.items())


def test_aliyun_can_be_the_sms_provider(http: httpx.AsyncClient) -> None:
    providers = build_providers(ProviderSettings.model_validate({"aliyun_sms": ALIYUN}), http)
    assert list(providers) == ["sms"]
    assert isinstance(providers["sms"], AliyunSms)


def test_two_sms_providers_are_refused() -> None:
    with pytest.raises(ValidationError, match="one SMS provider"):
        ProviderSettings.model_validate({"twilio": EVERYTHING["twilio"], "aliyun_sms": ALIYUN})


def test_secrets_stay_out_of_the_settings_repr() -> None:
    settings = ProviderSettings.model_validate({**EVERYTHING, "twilio": None, "aliyun_sms": ALIYUN})
    shown = repr(settings) + str(settings.model_dump())
    assert "PRIVATE KEY" not in shown
    assert "aliyun-secret" not in shown


def test_a_vapid_subject_must_be_mailto_or_https() -> None:
    with pytest.raises(ValidationError):
        ProviderSettings.model_validate({"webpush": {"vapid_private_key": EC_KEY, "vapid_subject": "ops@x"}})


def test_an_fcm_service_account_key_file_is_read_as_google_hands_it_out() -> None:
    key_file = json.dumps(
        {
            "type": "service_account",
            "project_id": "pet-shop-1234",
            "private_key_id": "abc",
            "private_key": RSA_KEY,
            "client_email": "notify@pet-shop-1234.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )
    settings = FcmSettings.from_service_account(key_file)
    assert (settings.project_id, settings.client_email) == (
        "pet-shop-1234",
        "notify@pet-shop-1234.iam.gserviceaccount.com",
    )
    assert settings.private_key.get_secret_value() == RSA_KEY
