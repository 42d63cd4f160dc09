"""Apple Push Notification service: token-based auth (an ES256 provider token from the
team's .p8 key) and one HTTP/2 POST per device. APNs speaks only HTTP/2, so the client
must be made with `http2=True` (see `factory.new_http_client`).

The app receives `{"aps": {"alert": {"title", "body"}, …}, "notification_id", "data"}`."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt

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
from .settings import ApnsSettings

log = logging.getLogger(__name__)

# APNs refuses a provider token older than an hour, and one renewed more than every 20 minutes.
TOKEN_RENEWAL = 50 * 60
TOKEN_MIN_AGE = 20 * 60
APNS_ID_NAMESPACE = uuid.UUID("6f1c1c52-9d43-4d7e-a3e5-2b0f3c6d8a41")
DROP_DEVICE = {"BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic"}


def apns_id(notification_id: str) -> str:
    """The same notification always gets the same apns-id, so a repeat shows up as one."""
    return str(uuid.uuid5(APNS_ID_NAMESPACE, notification_id))


class ProviderToken:
    def __init__(self, settings: ApnsSettings, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._token = ""
        self._issued = 0.0

    def current(self) -> str:
        if not self._token or self._clock() - self._issued >= TOKEN_RENEWAL:
            self.renew()
        return self._token

    def renew_refused(self) -> bool:
        """APNs said the token expired: renew it, unless that would renew too often."""
        if self._clock() - self._issued < TOKEN_MIN_AGE:
            return False
        self.renew()
        return True

    def renew(self) -> None:
        self._issued = self._clock()
        self._token = jwt.encode(
            {"iss": self._settings.team_id, "iat": int(self._issued)},
            self._settings.private_key.get_secret_value(),
            algorithm="ES256",
            headers={"kid": self._settings.key_id},
        )


class Apns:
    platform: Platform = "apns"

    def __init__(
        self, settings: ApnsSettings, http: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self._settings = settings
        self._http = http
        self._token = ProviderToken(settings, clock)

    async def send(self, message: Message) -> Outcome:
        if not message.address or not all(c in "0123456789abcdefABCDEF" for c in message.address):
            return invalid_address("an APNs device token is hexadecimal")
        url = f"{self._settings.base_url.rstrip('/')}/3/device/{message.address}"
        body = json.dumps(_payload(message), ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = await self._post(url, body, message)
            expired = response.status_code == 403 and _reason(response) == "ExpiredProviderToken"
            if expired and self._token.renew_refused():
                response = await self._post(url, body, message)
        except httpx.HTTPError as exc:
            return unreachable(exc)
        outcome = scrubbed(_outcome(response), message.address)
        if outcome.status != "sent":
            log.info("APNs to %s: %s", masked(message.address), outcome.reason)
        return outcome

    async def _post(self, url: str, body: bytes, message: Message) -> httpx.Response:
        headers = {
            "authorization": f"bearer {self._token.current()}",
            "apns-topic": self._settings.topic,
            "apns-push-type": "alert",
            "apns-priority": "10" if message.critical else "5",
            "apns-id": apns_id(message.notification_id),
            "content-type": "application/json",
        }
        if message.collapse_key:
            headers["apns-collapse-id"] = message.collapse_key[:64]
        return await self._http.post(url, content=body, headers=headers)


def _payload(message: Message) -> dict[str, Any]:
    return {
        "aps": {
            "alert": {"title": message.title, "body": message.body},
            "sound": "default",
            "interruption-level": "time-sensitive" if message.critical else "active",
        },
        "notification_id": message.notification_id,
        "data": message.data,
    }


def _reason(response: httpx.Response) -> str:
    return str(json_object(response).get("reason", ""))


def _outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    if status == 200:
        return Outcome.sent(response.headers.get("apns-id"))
    reason = _reason(response)
    if reason in DROP_DEVICE or status == 410:
        return invalid_address(f"{status} {reason}")
    if status == 429:
        return rate_limited(retry_after(response, default=60.0), f"429 {reason}")
    if status >= 500:
        return server_trouble(response, f"{status} {reason}".strip())
    if status == 403:  # the key or team is wrong: the operator's to fix, the message is fine
        return Outcome.failed(f"APNs credentials refused: {reason}", retryable=True)
    return Outcome.failed(f"{status} {reason}".strip(), retryable=False)
