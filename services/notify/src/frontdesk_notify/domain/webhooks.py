"""What a webhook endpoint must look like, which events it takes, and when a delivery
that failed is tried again.

An endpoint's URL is the shop's input and notify sends requests to it, so only https URLs
on public hosts are accepted: a URL naming an internal address (a literal one, or a name
that resolves to one; see adapters/webhook_hosts.py) would let a shop make notify call
inside the deployment. Test mode lets http://127.0.0.1 through and nothing else."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

# Standard Webhooks' recommended schedule, cut to one day: 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h and the rest of the day. The first attempt is at once and is not in the schedule.
RETRY_SCHEDULE_SECONDS: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 23395)
FILTER = re.compile(r"^[a-z_]+(\.[a-z_]+){0,3}(\.\*|\.v[0-9]+)?$|^\*$")


class InvalidEndpoint(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Target:
    host: str
    port: int


def target_of(url: str, allow_loopback: bool = False) -> Target:
    """The host and port a URL would reach, if it is one notify may call."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise InvalidEndpoint(
            "invalid_webhook_url", "A webhook URL is https://host/path, with no credentials."
        )
    host = parts.hostname.lower()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        public_address(literal, allow_loopback)
    elif "." not in host or host.endswith((".local", ".internal", ".localhost")) or host == "localhost":
        raise InvalidEndpoint("webhook_host_not_public", "A webhook URL must name a public host.")
    if parts.scheme == "http" and (literal is None or not literal.is_loopback):
        raise InvalidEndpoint("invalid_webhook_url", "A webhook URL is https://host/path.")
    return Target(host, parts.port or (443 if parts.scheme == "https" else 80))


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> None:
    if address.is_global or (allow_loopback and address.is_loopback):
        return
    raise InvalidEndpoint("webhook_host_not_public", "A webhook URL must reach a public address.")


def check_filters(event_types: list[str]) -> list[str]:
    """Event types as `booking.booking.confirmed` (any version), with `.v1` (that version),
    `booking.*` (a prefix), or `*` (everything)."""
    bad = [t for t in event_types if not FILTER.match(t)]
    if bad or not event_types:
        raise InvalidEndpoint(
            "invalid_event_types",
            "List event types like booking.booking.confirmed, messaging.*, or *"
            + (f"; not {bad[0]}" if bad else ""),
        )
    return sorted(set(event_types))


def wanted(filters: list[str], event_type: str) -> bool:
    unversioned = event_type.rsplit(".", 1)[0] if re.search(r"\.v[0-9]+$", event_type) else event_type
    for f in filters:
        if f in ("*", event_type, unversioned):
            return True
        if f.endswith(".*") and event_type.startswith(f[:-1]):
            return True
    return False


def next_attempt(attempts: int, now: datetime, schedule: tuple[float, ...]) -> datetime | None:
    """After `attempts` failed tries, when to try again; None once the schedule is spent."""
    if attempts > len(schedule):
        return None
    return now + timedelta(seconds=schedule[attempts - 1])
