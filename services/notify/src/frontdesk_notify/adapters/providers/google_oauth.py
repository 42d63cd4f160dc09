"""Google's OAuth 2.0 service-account flow: a JWT signed with the service account's key is
traded at the token URI for a bearer access token, kept until shortly before it expires."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import jwt

from .answers import json_object
from .settings import FcmSettings

log = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
ASSERTION_LIFETIME = 3600  # the most Google accepts
RENEW_BEFORE = 300  # seconds before expiry: a token about to lapse could expire in flight


class TokenRefused(Exception):
    """The token URI turned the assertion down (a revoked or wrong key, a clock far off)."""


class ServiceAccountToken:
    def __init__(self, settings: FcmSettings, http: httpx.AsyncClient, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._http = http
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def bearer(self) -> str:
        """A valid access token; fetches one when there is none or it is about to expire.
        Raises TokenRefused, or httpx.HTTPError when the token URI can't be reached."""
        async with self._lock:  # many sends at once wait for one fetch instead of each fetching
            if self._token is None or self._expires - self._clock() < RENEW_BEFORE:
                self._token, self._expires = await self._fetch()
            return self._token

    def forget(self, token: str) -> None:
        """The API refused `token` before its time (revoked): the next `bearer()` fetches anew."""
        if token == self._token:
            self._token = None

    async def _fetch(self) -> tuple[str, float]:
        now = int(self._clock())
        claims = {
            "iss": self._settings.client_email,
            "scope": SCOPE,
            "aud": self._settings.token_uri,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        assertion = jwt.encode(claims, self._settings.private_key.get_secret_value(), algorithm="RS256")
        response = await self._http.post(
            self._settings.token_uri,
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        )
        if response.status_code != 200:
            error = json_object(response).get("error", "")
            raise TokenRefused(f"token URI answered {response.status_code} {error}".strip())
        answer = json_object(response)
        if not isinstance(answer.get("access_token"), str):
            raise TokenRefused("token URI answered 200 without an access token")
        log.info("fetched an FCM access token for %s", self._settings.client_email)
        return answer["access_token"], now + float(answer.get("expires_in", 3600))
