"""Short-lived TURN credentials, by the TURN REST API scheme coturn checks with
`use-auth-secret`: username "<expiry unix time>:<user>", password
base64(HMAC-SHA1(shared secret, username)). Nothing is stored: coturn recomputes the
password from the username and refuses it after the expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any
from uuid import UUID


def ice_servers(
    urls: list[str], secret: str, user_id: UUID, now: datetime, ttl_seconds: int
) -> list[dict[str, Any]]:
    """The iceServers of an RTCPeerConnection (their `ttl` says for how many seconds)."""
    if not urls or not secret:
        return []
    username = f"{int(now.timestamp()) + ttl_seconds}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return [
        {
            "urls": list(urls),
            "username": username,
            "credential": base64.b64encode(digest).decode(),
            "ttl": ttl_seconds,
        }
    ]
