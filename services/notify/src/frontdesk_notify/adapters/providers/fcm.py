"""Firebase Cloud Messaging, HTTP v1 API: one POST per device token, authorised by a
service account's OAuth access token. The app receives `notification` (title, body) and
`data` (the message's data plus `notification_id`, so the app can drop a repeat)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

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
from .google_oauth import ServiceAccountToken, TokenRefused
from .settings import FcmSettings

log = logging.getLogger(__name__)


class Fcm:
    platform: Platform = "fcm"

    def __init__(
        self, settings: FcmSettings, http: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self._http = http
        self._url = f"{settings.base_url.rstrip('/')}/v1/projects/{settings.project_id}/messages:send"
        self._token = ServiceAccountToken(settings, http, clock)

    async def send(self, message: Message) -> Outcome:
        body = {"message": _fcm_message(message)}
        try:
            response = await self._post(body)
            if response.status_code == 401:  # revoked before its time: one fresh token, one more try
                response = await self._post(body)
        except TokenRefused as exc:
            return Outcome.failed(f"FCM credentials refused: {exc}", retryable=True)
        except httpx.HTTPError as exc:
            return unreachable(exc)
        outcome = scrubbed(_outcome(response), message.address)
        if outcome.status != "sent":
            log.info("FCM to %s: %s", masked(message.address), outcome.reason)
        return outcome

    async def _post(self, body: dict[str, Any]) -> httpx.Response:
        token = await self._token.bearer()
        response = await self._http.post(self._url, json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 401:
            self._token.forget(token)
        return response


def _fcm_message(message: Message) -> dict[str, Any]:
    android: dict[str, Any] = {"priority": "high" if message.critical else "normal"}
    if message.collapse_key:
        android["collapse_key"] = message.collapse_key
    return {
        "token": message.address,
        "notification": {"title": message.title, "body": message.body},
        "data": {**message.data, "notification_id": message.notification_id},
        "android": android,
    }


def _outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    if status == 200:
        return Outcome.sent(json_object(response).get("name"))
    error = _error(response)
    text = str(error.get("message", ""))[:200]
    code = _fcm_error_code(error) or str(error.get("status", ""))
    reason = f"{status} {code}: {text}"
    # A 404 or 400 without the token named as the cause is our mistake (a wrong project, a
    # bad field): dropping the device for it would drop every device.
    if code == "UNREGISTERED" or code == "SENDER_ID_MISMATCH":
        return invalid_address(reason)
    if status == 400 and _token_is_the_problem(error, text):
        return invalid_address(reason)
    if status == 429 or code == "QUOTA_EXCEEDED":
        return rate_limited(retry_after(response, default=60.0), reason)
    if status >= 500:
        return server_trouble(response, reason)
    if status in (401, 403):
        return Outcome.failed(f"FCM credentials refused: {reason}", retryable=True)
    return Outcome.failed(reason, retryable=False)


def _error(response: httpx.Response) -> dict[str, Any]:
    error = json_object(response).get("error")
    return error if isinstance(error, dict) else {}


def _details(error: dict[str, Any]) -> list[dict[str, Any]]:
    details = error.get("details")
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _fcm_error_code(error: dict[str, Any]) -> str | None:
    for detail in _details(error):
        if str(detail.get("@type", "")).endswith("google.firebase.fcm.v1.FcmError"):
            return str(detail.get("errorCode"))
    return None


def _token_is_the_problem(error: dict[str, Any], text: str) -> bool:
    for detail in _details(error):
        violations = detail.get("fieldViolations")
        if isinstance(violations, list) and any(
            isinstance(v, dict) and v.get("field") == "message.token" for v in violations
        ):
            return True
    return "registration token" in text.lower()
