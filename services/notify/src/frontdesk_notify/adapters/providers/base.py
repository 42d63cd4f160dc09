"""What the delivery loop hands a provider, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Platform = Literal["webpush", "fcm", "apns", "sms", "sink"]
Status = Literal["sent", "invalid_address", "rate_limited", "failed"]


@dataclass(frozen=True)
class Message:
    """One notification to one address (a device's push token or subscription, a phone)."""

    notification_id: str  # deterministic; providers that accept one use it to drop repeats
    platform: Platform
    address: str  # FCM/APNs token, Web Push subscription JSON, or E.164 phone number
    title: str
    body: str
    language: str = "en"
    data: dict[str, str] = field(default_factory=dict)
    critical: bool = False
    collapse_key: str | None = None  # a newer message with the same key replaces an unseen older one


@dataclass(frozen=True)
class Outcome:
    """The provider's answer. `invalid_address` means drop the device; `rate_limited` means
    try again after `retry_after` seconds; `failed` with `retryable` means try again later."""

    status: Status
    provider_message_id: str | None = None
    retry_after: float | None = None
    reason: str | None = None
    retryable: bool = False

    @classmethod
    def sent(cls, provider_message_id: str | None = None) -> Outcome:
        return cls("sent", provider_message_id=provider_message_id)

    @classmethod
    def failed(cls, reason: str, *, retryable: bool) -> Outcome:
        return cls("failed", reason=reason, retryable=retryable)


class Provider(Protocol):
    platform: Platform

    async def send(self, message: Message) -> Outcome: ...
