"""How the HTTP answers every provider shares become `Outcome`s, and how addresses are
shown in logs (never in full: a push token or a phone number is a credential of sorts)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, overload

import httpx

from .base import Outcome


def invalid_address(reason: str) -> Outcome:
    return Outcome("invalid_address", reason=reason)


def rate_limited(retry_after: float, reason: str) -> Outcome:
    return Outcome("rate_limited", retry_after=retry_after, reason=reason)


def unreachable(exc: httpx.HTTPError) -> Outcome:
    # Only the exception's type: its text can carry the URL, and APNs puts the device token there.
    return Outcome.failed(f"provider unreachable: {type(exc).__name__}", retryable=True)


def server_trouble(response: httpx.Response, reason: str) -> Outcome:
    """A 5xx: the provider's own trouble, so try again (after its Retry-After, if it sent one)."""
    return Outcome(
        "failed",
        reason=reason,
        retryable=True,
        retry_after=retry_after(response, default=None),
    )


@overload
def retry_after(response: httpx.Response, default: float) -> float: ...
@overload
def retry_after(response: httpx.Response, default: None) -> float | None: ...
def retry_after(response: httpx.Response, default: float | None) -> float | None:
    """Retry-After as seconds: it may be a number of seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else default
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object, or {} when it is not one (a proxy's HTML error page, say)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def masked(address: str) -> str:
    """Enough of an address to tell two apart in a log line, never enough to use it."""
    if len(address) <= 8:
        return "…"
    return f"{address[:4]}…{address[-4:]}"


def scrubbed(outcome: Outcome, *addresses: str) -> Outcome:
    """The outcome with the address masked in its reason: providers' error texts quote the
    number or token they refused, and reasons end up in logs and the database."""
    reason = outcome.reason
    if not reason:
        return outcome
    for address in addresses:
        if address:
            reason = reason.replace(address, masked(address))
    return replace(outcome, reason=reason)
