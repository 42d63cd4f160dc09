"""How a notification reaches a person: whether they want it now (opt-outs, quiet
hours), and through which channel — push to their devices first, then SMS, then only
their in-app list (`inbox`). Pure rules; delivery carries them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

Channel = Literal["push", "sms", "inbox"]
CHANNELS: tuple[Channel, ...] = ("push", "sms", "inbox")


@dataclass(frozen=True)
class Device:
    device_id: UUID
    platform: str  # webpush, fcm, apns
    address: str


@dataclass(frozen=True)
class Preferences:
    language: str | None = None
    phone: str | None = None
    channels: tuple[str, ...] = ("push", "sms")
    opted_out: frozenset[str] = field(default_factory=frozenset)
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str | None = None


# Carry a secret (a one-time code): only to the person's own phone, never by push (a
# device may be left signed in elsewhere) nor in a listing; nobody can opt out of them.
SECRET: frozenset[str] = frozenset({"password_reset_code"})


def is_secret(category: str) -> bool:
    return category in SECRET


def topic_of(category: str) -> str:
    """The name a person opts out by: booking, reminders, chat or marketing."""
    if category.startswith("booking_reminder_"):
        return "reminders"
    if category.startswith("booking_"):
        return "booking"
    if category.startswith("chat_"):
        return "chat"
    return "marketing"


def opted_out(category: str, prefs: Preferences) -> bool:
    # a care notice (bath due, birthday) is marketing, and can also be stopped on its own as `care`
    names = {category, topic_of(category), *(("care",) if category.startswith("care_") else ())}
    return not names.isdisjoint(prefs.opted_out)


def quiet_until(prefs: Preferences, now: datetime, shop_timezone: str) -> datetime | None:
    """The end of the quiet hours `now` falls in (local wall clock; a window may span
    midnight, e.g. 22:00–08:00), or None when it is not quiet."""
    if prefs.quiet_start is None or prefs.quiet_end is None or prefs.quiet_start == prefs.quiet_end:
        return None
    zone = ZoneInfo(prefs.timezone or shop_timezone)
    local = now.astimezone(zone)
    start, end, clock = prefs.quiet_start, prefs.quiet_end, local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def channels_for(prefs: Preferences, devices: list[Device], platforms: frozenset[str]) -> list[Channel]:
    """The channels to try, in order: push if a device can be reached, SMS if there is a
    phone and a provider, and the in-app list always last."""
    usable: list[Channel] = []
    if "push" in prefs.channels and any(d.platform in platforms for d in devices):
        usable.append("push")
    if "sms" in prefs.channels and prefs.phone and "sms" in platforms:
        usable.append("sms")
    usable.append("inbox")
    return usable
