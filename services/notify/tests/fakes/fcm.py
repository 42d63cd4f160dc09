"""FCM's HTTP v1 API and Google's OAuth token endpoint. The token endpoint checks the
service account's RS256 assertion against its public key and hands out access tokens;
messages:send checks the bearer token and records what the device would get."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .server import Script

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def fcm_error(
    status: int, grpc_status: str, message: str, error_code: str | None = None, **extra: Any
) -> JSONResponse:
    details: list[dict[str, Any]] = []
    if error_code:
        details.append({"@type": FCM_ERROR, "errorCode": error_code})
    if extra.get("field"):
        details.append(
            {"@type": BAD_REQUEST, "fieldViolations": [{"field": extra["field"], "description": message}]}
        )
    body = {"error": {"code": status, "message": message, "status": grpc_status, "details": details}}
    return JSONResponse(body, status_code=status)


@dataclass
class FakeFcm:
    project_id: str
    client_email: str
    public_key: rsa.RSAPublicKey
    token_lifetime: int = 3600
    clock: Callable[[], float] = time.time
    base_url: str = ""
    unregistered: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    script: Script = field(default_factory=Script)
    _access_tokens: dict[str, float] = field(default_factory=dict)

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    def revoke_access_tokens(self) -> None:
        """Every access token handed out so far stops working, before its time."""
        self._access_tokens.clear()

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/token", self._token, methods=["POST"]),
                Route("/v1/projects/{project}/messages:send", self._send, methods=["POST"]),
            ]
        )

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        try:
            claims: dict[str, Any] = jwt.decode(
                str(form.get("assertion", "")),
                self.public_key,
                algorithms=["RS256"],
                audience=self.token_uri,
                issuer=self.client_email,
                # times are checked below, on the fake's clock, which the test can move
                options={"require": ["iss", "aud", "iat", "exp"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError as exc:
            return JSONResponse({"error": "invalid_grant", "error_description": str(exc)}, status_code=400)
        now = self.clock()
        if not claims["iat"] - 60 <= now < claims["exp"]:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Invalid JWT: time"}, status_code=400
            )
        if claims["exp"] - claims["iat"] > 3600 or SCOPE not in str(claims.get("scope", "")).split():
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        self.assertions.append(claims)
        token = f"ya29.fake-{secrets.token_urlsafe(24)}"
        self._access_tokens[token] = now + self.token_lifetime
        return JSONResponse(
            {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        )

    async def _send(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or self._access_tokens.get(token, 0) <= self.clock():
            return fcm_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if request.path_params["project"] != self.project_id:
            return fcm_error(403, "PERMISSION_DENIED", "Permission denied on the project.")
        message = (await request.json()).get("message", {})
        device = message.get("token", "")
        if not device or len(device) < 20 or not all(c.isalnum() or c in "-_:" for c in device):
            return fcm_error(
                400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token",
                "INVALID_ARGUMENT", field="message.token",
            )  # fmt: skip
        if not all(isinstance(v, str) for v in message.get("data", {}).values()):
            return fcm_error(
                400,
                "INVALID_ARGUMENT",
                "data values must be strings",
                "INVALID_ARGUMENT",
                field="message.data",
            )
        if message.get("android", {}).get("priority", "normal") not in ("normal", "high"):
            return fcm_error(
                400,
                "INVALID_ARGUMENT",
                "bad android.priority",
                "INVALID_ARGUMENT",
                field="message.android.priority",
            )
        if device in self.unregistered:
            return fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
        answer = self.script.take()
        if answer:
            return await answer.response()
        self.received.append(message)
        return JSONResponse({"name": f"projects/{self.project_id}/messages/{uuid.uuid4().hex}"})
