"""SMS through Aliyun Dysmsapi against a fake that recomputes the RPC signature."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from frontdesk_notify.adapters.providers import AliyunSmsSettings, Message
from frontdesk_notify.adapters.providers.aliyun_sms import AliyunSms, signature

from .fakes.aliyun_sms import FakeAliyunSms, aliyun_answer
from .fakes.server import serving

KEY_ID = "LTAI5tFakeKeyId0001"
SECRET = "fake-aliyun-access-key-secret"
PHONE = "+8613800138000"


@pytest.fixture
async def aliyun_server() -> AsyncIterator[tuple[FakeAliyunSms, str]]:
    fake = FakeAliyunSms(KEY_ID, SECRET, "宠物店", {"SMS_465000001": "${content}"})
    async with serving(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake(aliyun_server: tuple[FakeAliyunSms, str]) -> FakeAliyunSms:
    return aliyun_server[0]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


def settings(url: str, **changes: object) -> AliyunSmsSettings:
    fields: dict[str, object] = {
        "access_key_id": KEY_ID,
        "access_key_secret": SECRET,
        "sign_name": "宠物店",
        "template_code": "SMS_465000001",
        "base_url": url,
    }
    return AliyunSmsSettings.model_validate({**fields, **changes})


@pytest.fixture
def aliyun(aliyun_server: tuple[FakeAliyunSms, str], http: httpx.AsyncClient) -> AliyunSms:
    return AliyunSms(settings(aliyun_server[1]), http)


def reminder(**overrides: object) -> Message:
    fields: dict[str, object] = {
        "notification_id": "ntf-cn-1",
        "platform": "sms",
        "address": PHONE,
        "title": "预约提醒",
        "body": "您的狗狗豆豆明天10:00洗澡美容 (wash & trim *50% off*)",
        "language": "zh",
    }
    return Message(**{**fields, **overrides})  # type: ignore[arg-type]


def test_the_signature_matches_aliyuns_documented_example() -> None:
    # The worked example in Aliyun's RPC signature documentation (key "testsecret").
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


async def test_the_phone_gets_the_text_in_the_template(fake: FakeAliyunSms, aliyun: AliyunSms) -> None:
    outcome = await aliyun.send(reminder())

    assert outcome.status == "sent"
    assert outcome.provider_message_id and outcome.provider_message_id.endswith("^0")
    [texted] = fake.received
    assert texted.phone == "13800138000"
    assert texted.text == "【宠物店】预约提醒\n您的狗狗豆豆明天10:00洗澡美容 (wash & trim *50% off*)"
    assert texted.out_id == "ntf-cn-1"


async def test_an_international_number_keeps_its_country_code(fake: FakeAliyunSms, aliyun: AliyunSms) -> None:
    assert (await aliyun.send(reminder(address="+85291234567"))).status == "sent"
    assert fake.received[0].phone == "85291234567"


async def test_a_wrong_secret_is_refused_by_the_signature_check(
    aliyun_server: tuple[FakeAliyunSms, str], http: httpx.AsyncClient
) -> None:
    outcome = await AliyunSms(settings(aliyun_server[1], access_key_secret="wrong"), http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)
    assert "SignatureDoesNotMatch" in (outcome.reason or "")


async def test_a_clock_far_off_is_refused(
    aliyun_server: tuple[FakeAliyunSms, str], http: httpx.AsyncClient
) -> None:
    outcome = await AliyunSms(settings(aliyun_server[1]), http, clock=lambda: time.time() - 3600).send(
        reminder()
    )
    assert outcome.status == "failed"
    assert "InvalidTimeStamp.Expired" in (outcome.reason or "")


async def test_an_illegal_number_is_an_invalid_address(fake: FakeAliyunSms, aliyun: AliyunSms) -> None:
    outcome = await aliyun.send(reminder(address="+8612345"))
    assert outcome.status == "invalid_address"
    assert "isv.MOBILE_NUMBER_ILLEGAL" in (outcome.reason or "")


async def test_a_number_that_is_not_e164_never_leaves(fake: FakeAliyunSms, aliyun: AliyunSms) -> None:
    assert (await aliyun.send(reminder(address="138 0013 8000"))).status == "invalid_address"
    assert fake.received == []


@pytest.mark.parametrize(
    ("code", "status"), [("isv.BUSINESS_LIMIT_CONTROL", 200), ("Throttling.User", 400), ("Throttling", 400)]
)
async def test_flow_control_is_rate_limited(
    fake: FakeAliyunSms, aliyun: AliyunSms, code: str, status: int
) -> None:
    fake.script.then(
        status, bytes(aliyun_answer(code, "触发流控", status).body), {"Content-Type": "application/json"}
    )
    outcome = await aliyun.send(reminder())
    assert outcome.status == "rate_limited"
    assert outcome.retry_after and outcome.retry_after >= 60


@pytest.mark.parametrize(
    ("code", "status"), [("ServiceUnavailable", 503), ("isp.SYSTEM_ERROR", 200), ("InternalError", 500)]
)
async def test_aliyun_trouble_is_retryable(
    fake: FakeAliyunSms, aliyun: AliyunSms, code: str, status: int
) -> None:
    fake.script.then(
        status, bytes(aliyun_answer(code, "系统错误", status).body), {"Content-Type": "application/json"}
    )
    outcome = await aliyun.send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_another_error_fails_with_aliyuns_message(
    aliyun_server: tuple[FakeAliyunSms, str], http: httpx.AsyncClient
) -> None:
    outcome = await AliyunSms(settings(aliyun_server[1], template_code="SMS_0"), http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", False)
    assert "isv.SMS_TEMPLATE_ILLEGAL" in (outcome.reason or "")
    assert "找不到对应模板" in (outcome.reason or "")


async def test_a_missing_template_variable_is_reported(
    aliyun_server: tuple[FakeAliyunSms, str], http: httpx.AsyncClient
) -> None:
    outcome = await AliyunSms(settings(aliyun_server[1], template_param="text"), http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", False)
    assert "isv.TEMPLATE_MISSING_PARAMETERS" in (outcome.reason or "")


async def test_an_unreachable_aliyun_is_retryable(http: httpx.AsyncClient) -> None:
    outcome = await AliyunSms(settings("http://127.0.0.1:9"), http).send(reminder())
    assert (outcome.status, outcome.retryable) == ("failed", True)


async def test_the_log_names_neither_the_number_nor_the_secret(
    fake: FakeAliyunSms, aliyun: AliyunSms, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script.then(
        200,
        bytes(aliyun_answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号 13800138000").body),
        {"Content-Type": "application/json"},
    )
    with caplog.at_level(logging.DEBUG):
        outcome = await aliyun.send(reminder())
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdesk_notify"))
    assert "MOBILE_NUMBER_ILLEGAL" in ours
    assert "13800138000" not in ours and "13800138000" not in (outcome.reason or "")
    assert SECRET not in ours
