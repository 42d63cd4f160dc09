"""Sending one webhook as Standard Webhooks says (the `standardwebhooks` package signs it),
after checking once more that its host resolves to public addresses only: a name that was
public when the endpoint was registered may point inside the deployment by now."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime

import httpx
from standardwebhooks import Webhook

from ..domain.webhooks import InvalidEndpoint, Target, public_address, target_of

TIMEOUT_SECONDS = 10.0


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def check_reachable(url: str, allow_loopback: bool) -> Target:
    target = target_of(url, allow_loopback)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise InvalidEndpoint("webhook_host_unknown", f"{target.host} does not resolve.") from exc
    for *_, address in found:
        public_address(ipaddress.ip_address(address[0]), allow_loopback)
    return target


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def send(
    http: httpx.AsyncClient,
    url: str,
    secret: str,
    message_id: str,
    body: str,
    now: datetime,
    allow_loopback: bool,
) -> Answer:
    try:
        await check_reachable(url, allow_loopback)
    except InvalidEndpoint as exc:
        return Answer(None, exc.message)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
        "user-agent": "Frontdesk-Webhooks/1",
    }
    try:
        response = await http.post(url, content=body.encode(), headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
    # Redirects are not followed (httpx's default): a 3xx could point anywhere.
    return Answer(response.status_code, "" if response.is_success else response.text[:300])
