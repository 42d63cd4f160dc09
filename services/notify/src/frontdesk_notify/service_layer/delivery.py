"""Delivers queued notifications: claimed with SKIP LOCKED, routed, sent, and settled
with their status — sent (and by which channel), skipped (opted out, or the booking
changed), queued again (quiet hours, a retry after a backoff), or failed with a reason.

Push goes to every device the person has; a device its push service calls invalid is
dropped. When push cannot get through, SMS is tried; a critical notification (a
reminder) sent by push and still unread after `fallback_after` goes by SMS as well.
A person with no device and no phone finds it in their in-app list (channel `inbox`).
A reminder is checked against its booking once more just before it goes out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.providers import Message, Outcome, Provider
from ..domain import reminders, routing
from ..projections import recipients, store
from .deps import Dependencies


@dataclass(frozen=True)
class Delivery:
    providers: Mapping[str, Provider]  # by platform: webpush, fcm, apns, sms
    fallback_after: timedelta = timedelta(minutes=10)
    max_attempts: int = 5

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(self.providers)


@dataclass(frozen=True)
class Attempt:
    sent: bool = False
    retry_after: float | None = None
    reason: str | None = None


async def deliver_due(deps: Dependencies, delivery: Delivery, batch: int = 200) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await store.due_notifications(uow.session, now, batch)
        for row in due:
            await _deliver(uow.session, delivery, row, now)
        unread = await store.due_fallbacks(uow.session, now, batch)
        for row in unread:
            await _fall_back(uow.session, delivery, row, now)
        await uow.commit()
    return len(due) + len(unread)


async def _deliver(session: AsyncSession, delivery: Delivery, row: Row[Any], now: datetime) -> None:
    if row.category.startswith("booking_reminder_"):
        planned = datetime.fromisoformat(row.data["starts_at"])
        if not reminders.still_applies(planned, row.booking_status, row.booking_starts_at):
            await store.settle(
                session, row.id, status="skipped", reason="booking_changed", now=now, attempted=False
            )
            return
    prefs = await recipients.preferences(session, row.user_id)
    if routing.opted_out(row.category, prefs):
        await store.settle(session, row.id, status="skipped", reason="opted_out", now=now, attempted=False)
        return
    if not row.critical:
        timezone, _ = await store.shop(session, row.shop_id)
        until = routing.quiet_until(prefs, now, timezone or "UTC")
        if until is not None:
            await store.settle(
                session,
                row.id,
                status="queued",
                reason="quiet_hours",
                retry_at=until,
                now=now,
                attempted=False,
            )
            return
    devices = await recipients.devices(session, row.user_id)
    channels = routing.channels_for(prefs, devices, delivery.platforms)
    if row.channel in channels:  # a retry goes on where the last attempt stopped
        channels = channels[channels.index(row.channel) :]
    reasons: list[str] = []
    for channel in channels:
        if channel == "inbox":
            if reasons:
                break  # it was meant to reach them, and could not
            await store.settle(session, row.id, status="sent", channel="inbox", now=now)
            return
        attempt = await _send(session, delivery, row, channel, devices, prefs)
        if attempt.sent:
            fallback = channel == "push" and row.critical and "sms" in channels
            fallback_at = now + delivery.fallback_after if fallback else None
            await store.settle(
                session, row.id, status="sent", channel=channel, now=now, fallback_at=fallback_at
            )
            return
        if attempt.retry_after is not None and row.attempts + 1 < delivery.max_attempts:
            retry_at = now + timedelta(seconds=attempt.retry_after)
            await store.settle(
                session,
                row.id,
                status="queued",
                channel=channel,
                reason=attempt.reason,
                retry_at=retry_at,
                now=now,
            )
            return
        reasons.append(f"{channel}: {attempt.reason}")
    await store.settle(session, row.id, status="failed", reason="; ".join(reasons) or "no_address", now=now)


async def _fall_back(session: AsyncSession, delivery: Delivery, row: Row[Any], now: datetime) -> None:
    """A critical notification still unread: send it by SMS too, once."""
    prefs = await recipients.preferences(session, row.user_id)
    attempt = await _send(session, delivery, row, "sms", [], prefs)
    channel = "push+sms" if attempt.sent else row.channel
    await store.settle(session, row.id, status="sent", channel=channel, reason=attempt.reason, now=now)


async def _send(
    session: AsyncSession,
    delivery: Delivery,
    row: Row[Any],
    channel: routing.Channel,
    devices: list[routing.Device],
    prefs: routing.Preferences,
) -> Attempt:
    if channel == "sms":
        provider = delivery.providers.get("sms")
        if provider is None or not prefs.phone:
            return Attempt(reason="no phone")
        return _attempt([await provider.send(_message(row, "sms", prefs.phone))])
    outcomes: list[Outcome] = []
    for device in devices:
        provider = delivery.providers.get(device.platform)
        if provider is None:
            continue
        outcome = await provider.send(_message(row, device.platform, device.address))
        if outcome.status == "invalid_address":
            await recipients.remove_device(session, device.device_id)
        outcomes.append(outcome)
    return _attempt(outcomes)


def _attempt(outcomes: list[Outcome]) -> Attempt:
    """One attempt over a channel: sent if any address took it; retried if any may later."""
    if any(o.status == "sent" for o in outcomes):
        return Attempt(sent=True)
    retryable = [o for o in outcomes if o.status == "rate_limited" or o.retryable]
    reason = "; ".join(o.reason or o.status for o in outcomes) or "no address"
    if retryable:
        return Attempt(retry_after=max(o.retry_after or 5.0 for o in retryable), reason=reason)
    return Attempt(reason=reason)


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
