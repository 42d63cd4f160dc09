"""APNs as Apple runs it: HTTP/2 only, over TLS. Checks the ES256 provider token (key id,
team id, signature, age), the apns-* headers and the device token, and records what the
device would show."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .server import Script

PUSH_TYPES = {
    "alert",
    "background",
    "voip",
    "complication",
    "fileprovider",
    "mdm",
    "liveactivity",
    "location",
}


def apns_error(status: int, reason: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"reason": reason, **extra}, status_code=status)


@dataclass
class Delivered:
    device: str
    payload: dict[str, Any]
    headers: dict[str, str]
    http_version: str


@dataclass
class FakeApns:
    team_id: str
    key_id: str
    public_key: ec.EllipticCurvePublicKey
    topic: str
    clock: Callable[[], float] = time.time
    unregistered: set[str] = field(default_factory=set)
    received: list[Delivered] = field(default_factory=list)
    provider_tokens: list[dict[str, Any]] = field(default_factory=list)
    script: Script = field(default_factory=Script)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/3/device/{device}", self._push, methods=["POST"])])

    async def _push(self, request: Request) -> Response:
        if request.scope.get("http_version") != "2":
            return apns_error(400, "HTTP/2 required")  # the real one never answers HTTP/1.1 at all
        refused = self._check_provider_token(request.headers.get("authorization", ""))
        if refused:
            return refused
        headers = request.headers
        if headers.get("apns-topic") != self.topic:
            return apns_error(400, "TopicDisallowed" if headers.get("apns-topic") else "MissingTopic")
        if headers.get("apns-push-type") not in PUSH_TYPES:
            return apns_error(400, "InvalidPushType")
        if headers.get("apns-priority", "10") not in ("5", "10", "1"):
            return apns_error(400, "BadPriority")
        try:
            apns_id = str(uuid.UUID(headers["apns-id"])) if "apns-id" in headers else str(uuid.uuid4())
        except ValueError:
            return apns_error(400, "BadMessageId")
        if len(headers.get("apns-collapse-id", "")) > 64:
            return apns_error(400, "BadCollapseId")
        device = request.path_params["device"]
        if len(device) != 64 or any(c not in "0123456789abcdefABCDEF" for c in device):
            return apns_error(400, "BadDeviceToken")
        if device in self.unregistered:
            return apns_error(410, "Unregistered", timestamp=int(self.clock() * 1000))
        body = await request.body()
        if len(body) > 4096:
            return apns_error(413, "PayloadTooLarge")
        try:
            payload = json.loads(body)
            assert isinstance(payload.get("aps"), dict)
        except (ValueError, AssertionError):
            return apns_error(400, "PayloadEmpty" if not body else "BadPayload")
        answer = self.script.take()
        if answer:
            return await answer.response()
        self.received.append(Delivered(device, payload, dict(headers), request.scope["http_version"]))
        return Response(status_code=200, headers={"apns-id": apns_id})

    def _check_provider_token(self, authorization: str) -> Response | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return apns_error(403, "MissingProviderToken")
        try:
            header = jwt.get_unverified_header(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                self.public_key,
                algorithms=["ES256"],
                issuer=self.team_id,
                options={"require": ["iss", "iat"], "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            return apns_error(403, "InvalidProviderToken")
        if header.get("kid") != self.key_id:
            return apns_error(403, "InvalidProviderToken")
        if self.clock() - claims["iat"] > 3600:
            return apns_error(403, "ExpiredProviderToken")
        if claims not in self.provider_tokens:
            self.provider_tokens.append(claims)
        return None
