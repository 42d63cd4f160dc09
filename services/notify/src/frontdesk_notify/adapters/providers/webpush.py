"""Web Push to browsers: the payload encrypted for the subscription (RFC 8291), the sender
identified by a VAPID token (RFC 8292), POSTed to the subscription's endpoint (RFC 8030).

The browser's service worker receives this JSON:
`{"notification_id", "title", "body", "language", "data", "collapse_key"}`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from .answers import invalid_address, masked, rate_limited, retry_after, scrubbed, server_trouble, unreachable
from .base import Message, Outcome, Platform
from .settings import WebPushSettings
from .webpush_encryption import PayloadTooLarge, b64url, b64url_decode, encrypt, load_vapid_key, public_bytes

log = logging.getLogger(__name__)

VAPID_LIFETIME = 12 * 3600  # RFC 8292 allows at most 24 hours
VAPID_REUSE_MARGIN = 3600


@dataclass(frozen=True)
class Subscription:
    """What a browser's PushManager.subscribe() returned, as its toJSON() spells it."""

    endpoint: str
    p256dh: bytes
    auth: bytes

    @classmethod
    def parse(cls, address: str) -> Subscription:
        try:
            raw = json.loads(address)
            endpoint, keys = raw["endpoint"], raw["keys"]
            subscription = cls(endpoint, b64url_decode(keys["p256dh"]), b64url_decode(keys["auth"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a push subscription ({type(exc).__name__})") from None
        if not isinstance(endpoint, str) or len(subscription.p256dh) != 65 or len(subscription.auth) != 16:
            raise ValueError("not a push subscription (bad endpoint or key sizes)")
        return subscription


class Vapid:
    """Signs the `Authorization: vapid t=…,k=…` header; one token per push service, reused
    until an hour before it expires."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, subject: str, clock: Callable[[], float]) -> None:
        self._key = key
        self._subject = subject
        self._clock = clock
        self.public_key = b64url(public_bytes(key.public_key()))
        self._tokens: dict[str, tuple[str, float]] = {}

    def authorization(self, endpoint: str) -> str:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = self._clock()
        token, expires = self._tokens.get(audience, ("", 0.0))
        if expires - now < VAPID_REUSE_MARGIN:
            expires = now + VAPID_LIFETIME
            claims = {"aud": audience, "exp": int(expires), "sub": self._subject}
            token = jwt.encode(claims, self._key, algorithm="ES256")
            if len(self._tokens) > 64:  # endpoints are few push services; never let the cache grow
                self._tokens.clear()
            self._tokens[audience] = (token, expires)
        return f"vapid t={token},k={self.public_key}"


def application_server_key(settings: WebPushSettings) -> str:
    """The public key browsers pass to PushManager.subscribe() as applicationServerKey."""
    return b64url(public_bytes(load_vapid_key(settings.vapid_private_key.get_secret_value()).public_key()))


class WebPush:
    platform: Platform = "webpush"

    def __init__(
        self, settings: WebPushSettings, http: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self._settings = settings
        self._http = http
        self._vapid = Vapid(
            load_vapid_key(settings.vapid_private_key.get_secret_value()), settings.vapid_subject, clock
        )

    async def send(self, message: Message) -> Outcome:
        try:
            subscription = Subscription.parse(message.address)
            self._check_endpoint(subscription.endpoint)
            body = encrypt(_payload(message), subscription.p256dh, subscription.auth)
        except PayloadTooLarge as exc:
            return Outcome.failed(f"payload too large: {exc}", retryable=False)
        except ValueError as exc:
            return invalid_address(str(exc))
        headers = {
            "Authorization": self._vapid.authorization(subscription.endpoint),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(self._settings.ttl_seconds),
            "Urgency": "high" if message.critical else "normal",
        }
        if message.collapse_key:
            headers["Topic"] = _topic(message.collapse_key)
        try:
            response = await self._http.post(subscription.endpoint, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return unreachable(exc)
        outcome = scrubbed(_outcome(response), subscription.endpoint)
        if outcome.status != "sent":
            log.info("web push to %s: %s", masked(subscription.endpoint), outcome.reason)
        return outcome

    def _check_endpoint(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        schemes = ("https", "http") if self._settings.allow_plain_http else ("https",)
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError("push endpoint must be an https URL")


def _payload(message: Message) -> bytes:
    payload = {
        "notification_id": message.notification_id,
        "title": message.title,
        "body": message.body,
        "language": message.language,
        "data": message.data,
        "collapse_key": message.collapse_key,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _topic(collapse_key: str) -> str:
    # RFC 8030 §5.4: at most 32 characters of the base64url alphabet, whatever the key is.
    return b64url(hashlib.sha256(collapse_key.encode()).digest())[:32]


def _outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome.sent(response.headers.get("location"))
    reason = f"{status} {response.text[:200]}".strip()
    if status in (404, 410):
        return invalid_address(f"{status}: subscription expired or gone")
    if status == 429:
        return rate_limited(retry_after(response, default=60.0), "push service rate limit")
    if status >= 500:
        return server_trouble(response, reason)
    return Outcome.failed(reason, retryable=False)
