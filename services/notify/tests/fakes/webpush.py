"""A push service (RFC 8030) as a sender sees it, with the browser behind it: it holds each
subscription's private key and auth secret, checks the VAPID token (RFC 8292) against the
key the subscription was made with, and decrypts the payload (RFC 8291, with http_ece: an
implementation other than the adapter's) to record what the browser would show."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .server import Script


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One subscription: what PushManager.subscribe() keeps in the browser."""

    id: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str

    def subscription(self, base_url: str) -> str:
        p256dh = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64url(p256dh), "auth": b64url(self.auth)}
        return json.dumps({"endpoint": f"{base_url}/push/{self.id}", "expirationTime": None, "keys": keys})


@dataclass
class Pushed:
    subscription_id: str
    payload: dict[str, Any]
    ttl: int
    urgency: str
    topic: str | None
    vapid_claims: dict[str, Any]


@dataclass
class FakePushService:
    base_url: str = ""
    browsers: dict[str, Browser] = field(default_factory=dict)
    unsubscribed: set[str] = field(default_factory=set)
    received: list[Pushed] = field(default_factory=list)
    script: Script = field(default_factory=Script)

    def subscribe(self, application_server_key: str) -> str:
        """A browser subscribes with the sender's public key; returns its subscription JSON."""
        browser = Browser(
            uuid.uuid4().hex, ec.generate_private_key(ec.SECP256R1()), os.urandom(16), application_server_key
        )
        self.browsers[browser.id] = browser
        return browser.subscription(self.base_url)

    def unsubscribe(self, subscription: str) -> None:
        self.unsubscribed.add(json.loads(subscription)["endpoint"].rsplit("/", 1)[1])

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/push/{id}", self._push, methods=["POST"])])

    async def _push(self, request: Request) -> Response:
        browser = self.browsers.get(request.path_params["id"])
        if browser is None:
            return Response("no such subscription", status_code=404)
        if browser.id in self.unsubscribed:
            return Response("push subscription has unsubscribed or expired", status_code=410)
        claims = self._vapid_claims(request, browser)
        if isinstance(claims, Response):
            return claims
        if request.headers.get("content-encoding") != "aes128gcm":
            return Response("Content-Encoding must be aes128gcm", status_code=415)
        ttl = request.headers.get("ttl")
        if ttl is None or not ttl.isdigit():
            return Response("TTL header required", status_code=400)
        urgency = request.headers.get("urgency", "normal")
        if urgency not in ("very-low", "low", "normal", "high"):
            return Response("bad Urgency", status_code=400)
        body = await request.body()
        if len(body) > 4096:
            return Response("payload too large", status_code=413)
        try:
            plaintext = http_ece.decrypt(
                body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
            )
        except http_ece.ECEException as exc:
            return Response(f"cannot decrypt: {exc}", status_code=400)
        answer = self.script.take()
        if answer:
            return await answer.response()
        self.received.append(
            Pushed(browser.id, json.loads(plaintext), int(ttl), urgency, request.headers.get("topic"), claims)
        )
        return Response(status_code=201, headers={"Location": f"{self.base_url}/message/{uuid.uuid4().hex}"})

    def _vapid_claims(self, request: Request, browser: Browser) -> dict[str, Any] | Response:
        scheme, _, params = request.headers.get("authorization", "").partition(" ")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if scheme.lower() != "vapid" or "t" not in fields or "k" not in fields:
            return Response("missing VAPID authorization", status_code=401)
        if fields["k"] != browser.application_server_key:
            return Response("VAPID key does not match the subscription's", status_code=403)
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(fields["k"]))
        try:
            claims: dict[str, Any] = jwt.decode(
                fields["t"],
                public_key,
                algorithms=["ES256"],
                audience=self.base_url,
                options={"require": ["aud", "exp", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            return Response(f"bad VAPID token: {exc}", status_code=403)
        if claims["exp"] > time.time() + 24 * 3600 or not str(claims["sub"]).startswith(
            ("mailto:", "https:")
        ):
            return Response("VAPID exp beyond 24h or bad sub", status_code=403)
        return claims
