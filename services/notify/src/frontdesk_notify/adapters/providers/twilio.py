"""SMS through Twilio's Messages API: a form POST with HTTP basic auth (the account SID
and auth token). The phone shows `sms_text(message)`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import httpx

from .answers import (
    invalid_address,
    json_object,
    masked,
    rate_limited,
    retry_after,
    scrubbed,
    server_trouble,
    unreachable,
)
from .base import Message, Outcome, Platform
from .settings import TwilioSettings
from .sms import is_e164, sms_text

log = logging.getLogger(__name__)

NOT_A_PHONE = {21211, 21614}  # not a valid number; not a mobile number
TOO_MANY_REQUESTS = 20429


class TwilioSms:
    platform: Platform = "sms"

    def __init__(self, settings: TwilioSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._url = (
            f"{settings.base_url.rstrip('/')}/2010-04-01/Accounts/{settings.account_sid}/Messages.json"
        )

    async def send(self, message: Message) -> Outcome:
        if not is_e164(message.address):
            return invalid_address("not an E.164 phone number")
        form = {"To": message.address, "Body": sms_text(message)}
        if self._settings.status_callback_url:
            form["StatusCallback"] = self._settings.status_callback_url
        if self._settings.messaging_service_sid:
            form["MessagingServiceSid"] = self._settings.messaging_service_sid
        else:
            form["From"] = self._settings.from_number or ""
        auth = (self._settings.account_sid, self._settings.auth_token.get_secret_value())
        try:
            response = await self._http.post(self._url, data=form, auth=auth)
        except httpx.HTTPError as exc:
            return unreachable(exc)
        outcome = scrubbed(_outcome(response), message.address)
        if outcome.status != "sent":
            log.info("Twilio SMS to %s: %s", masked(message.address), outcome.reason)
        return outcome


def _outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    answer = json_object(response)
    if status in (200, 201):
        return Outcome.sent(answer.get("sid"))
    code = answer.get("code")
    reason = f"{status} {code}: {str(answer.get('message', ''))[:200]}"
    if code in NOT_A_PHONE:
        return invalid_address(reason)
    if status == 429 or code == TOO_MANY_REQUESTS:
        return rate_limited(retry_after(response, default=5.0), reason)
    if status >= 500:
        return server_trouble(response, reason)
    if status in (401, 403):  # the operator's credentials, not the message: worth trying again later
        return Outcome.failed(f"Twilio credentials refused: {reason}", retryable=True)
    return Outcome.failed(reason, retryable=False)


def signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by every form
    field's name and value, sorted by name, keyed with the auth token."""
    payload = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
