"""SMS through Aliyun's Dysmsapi SendSms (RPC style): every parameter signed with
HMAC-SHA1 over the sorted, percent-encoded parameter list, key = AccessKeySecret + "&".

Aliyun sends only approved templates, so the rendered text (`sms_text(message)`) goes in
as the template's one variable, named by `AliyunSmsSettings.template_param`:
TemplateParam = {"content": "<title>\\n<body>"}. The notification id goes in as OutId,
so delivery receipts can be matched to it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from .answers import invalid_address, json_object, masked, rate_limited, scrubbed, server_trouble, unreachable
from .base import Message, Outcome, Platform
from .settings import AliyunSmsSettings
from .sms import is_e164, sms_text

log = logging.getLogger(__name__)

RATE_LIMITED = 60.0  # Aliyun names no wait; its per-number limit is one message a minute
CREDENTIAL_CODES = {
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
    "Forbidden.RAM",
    "isv.RAM_PERMISSION_DENY",
}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's signature method wants it (space %20, * %2A, ~ kept)."""
    return quote(value, safe="-_.~")


def signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_number(e164: str) -> str:
    """Mainland China numbers go without a prefix; others as country code + number, no '+'."""
    return e164[3:] if e164.startswith("+86") else e164[1:]


class AliyunSms:
    platform: Platform = "sms"

    def __init__(
        self, settings: AliyunSmsSettings, http: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self._settings = settings
        self._http = http
        self._clock = clock

    async def send(self, message: Message) -> Outcome:
        if not is_e164(message.address):
            return invalid_address("not an E.164 phone number")
        params = self._signed(
            {
                "Action": "SendSms",
                "Version": "2017-05-25",
                "PhoneNumbers": aliyun_number(message.address),
                "SignName": self._settings.sign_name,
                "TemplateCode": self._settings.template_code,
                "TemplateParam": json.dumps(
                    {self._settings.template_param: sms_text(message)}, ensure_ascii=False
                ),
                "OutId": message.notification_id,
            }
        )
        try:
            response = await self._http.post(f"{self._settings.base_url.rstrip('/')}/", data=params)
        except httpx.HTTPError as exc:
            return unreachable(exc)
        outcome = scrubbed(_outcome(response), message.address, aliyun_number(message.address))
        if outcome.status != "sent":
            log.info("Aliyun SMS to %s: %s", masked(message.address), outcome.reason)
        return outcome

    def _signed(self, business: dict[str, str]) -> dict[str, str]:
        params = {
            "Format": "JSON",
            "AccessKeyId": self._settings.access_key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.fromtimestamp(self._clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RegionId": self._settings.region_id,
            **business,
        }
        params["Signature"] = signature(params, self._settings.access_key_secret.get_secret_value())
        return params


def _outcome(response: httpx.Response) -> Outcome:
    answer = json_object(response)
    code = str(answer.get("Code", ""))
    if response.status_code == 200 and code == "OK":
        return Outcome.sent(answer.get("BizId"))
    reason = f"{response.status_code} {code}: {str(answer.get('Message', ''))[:200]}"
    if code == "isv.MOBILE_NUMBER_ILLEGAL":
        return invalid_address(reason)
    if code == "isv.BUSINESS_LIMIT_CONTROL" or code.startswith("Throttling"):
        return rate_limited(RATE_LIMITED, reason)
    if (
        response.status_code >= 500
        or code.startswith("isp.")
        or code in ("ServiceUnavailable", "InternalError")
    ):
        return server_trouble(response, reason)
    if code in CREDENTIAL_CODES:
        return Outcome.failed(f"Aliyun credentials refused: {reason}", retryable=True)
    return Outcome.failed(reason, retryable=False)
