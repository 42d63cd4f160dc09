"""What a device registration must look like before notify will push to it.

A Web Push subscription comes from a browser, so its endpoint is someone else's input:
only https endpoints of known push services are accepted, or notify could be made to
send requests to any host (an internal one included)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

PUSH_SERVICES = (
    "fcm.googleapis.com",  # Chrome, Edge, most Android browsers
    "updates.push.services.mozilla.com",  # Firefox
    "push.services.mozilla.com",
    "notify.windows.com",  # Edge (legacy) on Windows
    "push.apple.com",  # Safari
)
APNS_TOKEN = re.compile(r"^[0-9a-fA-F]{64,200}$")


class InvalidDevice(ValueError):
    pass


def check(platform: str, address: str, push_services: tuple[str, ...] = PUSH_SERVICES) -> None:
    if platform == "webpush":
        _check_subscription(address, push_services)
    elif platform == "apns" and not APNS_TOKEN.match(address):
        raise InvalidDevice("an APNs device token is 64 or more hexadecimal characters")
    elif platform == "fcm" and (not address or any(c.isspace() for c in address)):
        raise InvalidDevice("an FCM registration token has no spaces")


def _check_subscription(address: str, push_services: tuple[str, ...]) -> None:
    try:
        subscription = json.loads(address)
        endpoint, keys = subscription["endpoint"], subscription["keys"]
        assert isinstance(endpoint, str) and keys["p256dh"] and keys["auth"]
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        raise InvalidDevice(
            "a Web Push subscription is the browser's JSON: endpoint and keys.p256dh/auth"
        ) from exc
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    if url.scheme != "https" or not any(host == s or host.endswith("." + s) for s in push_services):
        raise InvalidDevice(
            f"push endpoints must be https on a known push service ({', '.join(push_services)})"
        )
