"""Delivers queued notifications: a batch is claimed with SKIP LOCKED, each notification
routed and sent (the batch's sends run concurrently), and all are settled with their
status — sent (and by which channel), skipped (opted out, or the booking changed),
queued again (quiet hours, a retry after the provider's wait), or failed with a reason.

Push goes to every device the person has; a device its push service calls invalid is
dropped. When push cannot get through, SMS is tried; a critical notification (a
reminder) sent by push and still unread after `fallback_after` goes by SMS as well.
A person with no device and no phone finds it in their in-app list (channel `inbox`).
A reminder is checked against its booking once more just before it goes out.
A one-time code goes by SMS to the person's phone and nowhere else, and not at all once
it has expired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row

from ..adapters.providers import Message, Outcome, Provider
from ..adapters.sink import Sink
from ..domain import reminders, routing
from ..projections import recipients, store
from ..projections.store import Settlement
from .deps import Dependencies
from .metrics import PROVIDER_ANSWERS, SETTLED

BACKOFF_SECONDS, MAX_BACKOFF_SECONDS = 5.0, 600.0


@dataclass(frozen=True)
class Delivery:
    providers: Mapping[str, Provider]  # by platform: webpush, fcm, apns, sms
    fallback_after: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    concurrency: int = 16

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(self.providers)


@dataclass
class Attempt:
    """One notification's delivery: how it ended, and the devices found dead on the way."""

    settlement: Settlement | None = None
    dead_devices: list[UUID] = field(default_factory=list)


async def deliver_due(deps: Dependencies, delivery: Delivery, batch: int = 200) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await store.due_notifications(uow.session, now, batch)
        unread = await store.due_fallbacks(uow.session, now, batch)
        gate = asyncio.Semaphore(delivery.concurrency)

        async def limited(row: Row[Any], fallback: bool) -> Attempt:
            async with gate:
                return await (_fall_back if fallback else _deliver)(delivery, row, now)

        attempts = await asyncio.gather(
            *(limited(row, False) for row in due), *(limited(row, True) for row in unread)
        )
        settled = [a.settlement for a in attempts if a.settlement]
        await store.settle(uow.session, settled, now)
        await recipients.remove_devices(uow.session, [d for a in attempts for d in a.dead_devices])
        await uow.commit()
    categories = {row.id: row.category for row in (*due, *unread)}
    for s in settled:
        SETTLED.labels(categories[s.id], s.status, s.channel or "").inc()
    return len(due) + len(unread)


def _preferences(row: Row[Any]) -> routing.Preferences:
    if row.channels is None:  # nothing set: the defaults
        return routing.Preferences()
    return routing.Preferences(
        row.p_language,
        row.phone,
        tuple(row.channels),
        frozenset(row.opted_out),
        row.quiet_start,
        row.quiet_end,
        row.p_timezone,
    )


async def _deliver(delivery: Delivery, row: Row[Any], now: datetime) -> Attempt:
    if routing.is_secret(row.category):
        return await _deliver_secret(delivery, row, now)
    if row.category.startswith("booking_reminder_"):
        planned = datetime.fromisoformat(row.data["starts_at"])
        if not reminders.still_applies(planned, row.booking_status, row.booking_starts_at):
            return Attempt(Settlement(row.id, "skipped", reason="booking_changed", attempted=False))
    if row.category == "booking_waitlist_offered" and row.booking_status not in (None, "held"):
        # held back by quiet hours until the offer was taken, declined or ran out: moot now
        return Attempt(Settlement(row.id, "skipped", reason="booking_changed", attempted=False))
    prefs = _preferences(row)
    if routing.opted_out(row.category, prefs):
        return Attempt(Settlement(row.id, "skipped", reason="opted_out", attempted=False))
    if not row.critical:
        until = routing.quiet_until(prefs, now, row.shop_timezone or "UTC")
        if until is not None:
            return Attempt(
                Settlement(row.id, "queued", reason="quiet_hours", retry_at=until, attempted=False)
            )
    devices = [routing.Device(UUID(d[0]), d[1], d[2]) for d in row.devices]
    channels = routing.channels_for(prefs, devices, delivery.platforms)
    if row.channel in channels:  # a retry goes on where the last attempt stopped
        channels = channels[channels.index(row.channel) :]
    attempt, reasons = Attempt(), list[str]()
    for channel in channels:
        if channel == "inbox":
            if not reasons:
                attempt.settlement = Settlement(row.id, "sent", channel="inbox")
            break
        sent, retry_after, reason = await _send(delivery, row, channel, devices, prefs, attempt.dead_devices)
        if sent:
            fallback = channel == "push" and row.critical and "sms" in channels
            fallback_at = now + delivery.fallback_after if fallback else None
            receipt = sent if isinstance(sent, str) else None
            attempt.settlement = Settlement(
                row.id, "sent", channel=channel, fallback_at=fallback_at, provider_message_id=receipt
            )
            return attempt
        if retry_after is not None and row.attempts + 1 < delivery.max_attempts:
            backoff = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**row.attempts)
            retry_at = now + timedelta(seconds=retry_after or backoff)
            attempt.settlement = Settlement(
                row.id, "queued", channel=channel, reason=reason, retry_at=retry_at
            )
            return attempt
        reasons.append(f"{channel}: {reason}")
    if attempt.settlement is None:
        attempt.settlement = Settlement(row.id, "failed", reason="; ".join(reasons) or "no_address")
    return attempt


async def _deliver_secret(delivery: Delivery, row: Row[Any], now: datetime) -> Attempt:
    """By SMS to the person's own phone only. The development sink records it even with no
    phone known, so a `make dev` user can read the code."""
    if now >= datetime.fromisoformat(row.data["expires_at"]):
        return Attempt(Settlement(row.id, "skipped", reason="expired", attempted=False))
    provider = delivery.providers.get("sms")
    phone = _preferences(row).phone or ("" if isinstance(provider, Sink) else None)
    if provider is None or phone is None:
        return Attempt(Settlement(row.id, "failed", reason="no phone"))
    outcome = await _answer(provider, _message(row, "sms", phone))
    if outcome.status == "sent":
        receipt = outcome.provider_message_id
        return Attempt(Settlement(row.id, "sent", channel="sms", provider_message_id=receipt))
    reason = outcome.reason or outcome.status
    if (outcome.status == "rate_limited" or outcome.retryable) and row.attempts + 1 < delivery.max_attempts:
        backoff = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**row.attempts)
        retry_at = now + timedelta(seconds=outcome.retry_after or backoff)
        return Attempt(Settlement(row.id, "queued", channel="sms", reason=reason, retry_at=retry_at))
    return Attempt(Settlement(row.id, "failed", channel="sms", reason=reason))


async def _fall_back(delivery: Delivery, row: Row[Any], now: datetime) -> Attempt:
    """A critical notification still unread: send it by SMS too, once."""
    sent, _, reason = await _send(delivery, row, "sms", [], _preferences(row), [])
    channel = "push+sms" if sent else row.channel
    receipt = sent if isinstance(sent, str) else None
    return Attempt(Settlement(row.id, "sent", channel=channel, reason=reason, provider_message_id=receipt))


async def _send(
    delivery: Delivery,
    row: Row[Any],
    channel: routing.Channel,
    devices: list[routing.Device],
    prefs: routing.Preferences,
    dead: list[UUID],
) -> tuple[bool | str, float | None, str | None]:
    """Send over one channel: (sent — for SMS the provider's message id, which its delivery
    reports name —, retry after seconds or None, reason)."""
    outcomes: list[Outcome] = []
    if channel == "sms":
        provider = delivery.providers.get("sms")
        if provider is None or not prefs.phone:
            return False, None, "no phone"
        outcomes.append(await _answer(provider, _message(row, "sms", prefs.phone)))
    for device in devices if channel == "push" else []:
        provider = delivery.providers.get(device.platform)
        if provider is None:
            continue
        outcome = await _answer(provider, _message(row, device.platform, device.address))
        if outcome.status == "invalid_address":
            dead.append(device.device_id)
        outcomes.append(outcome)
    accepted = [o for o in outcomes if o.status == "sent"]
    if accepted:
        return (accepted[0].provider_message_id or True) if channel == "sms" else True, None, None
    reason = "; ".join(o.reason or o.status for o in outcomes) or "no address"
    retryable = [o for o in outcomes if o.status == "rate_limited" or o.retryable]
    if retryable:  # 0: no wait named, back off
        return False, max(o.retry_after or 0.0 for o in retryable), reason
    return False, None, reason


async def _answer(provider: Provider, message: Message) -> Outcome:
    outcome = await provider.send(message)
    PROVIDER_ANSWERS.labels(provider.platform, outcome.status).inc()
    return outcome


def _message(row: Row[Any], platform: Any, address: str) -> Message:
    data = {k: str(v) for k, v in row.data.items()}
    data.update(
        notification_id=row.id, category=row.category, shop_id=str(row.shop_id), user_id=str(row.user_id)
    )
    return Message(
        notification_id=row.id,
        platform=platform,
        address=address,
        title=row.title,
        body=row.body,
        language=row.language,
        data=data,
        critical=row.critical,
    )
