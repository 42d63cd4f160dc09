"""When a booking's reminders are due: the day before and on the morning of the service,
at local wall-clock times each shop chooses, in the shop's timezone.

A reminder's id is deterministic (booking:{id}:v{version}:{kind}), so scheduling it twice
stores it once; a move schedules new ones under the new version. Whether a reminder
still applies is decided again when it fires (`still_applies`), never only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

Kind = Literal["day_before", "morning"]


@dataclass(frozen=True)
class ReminderTimes:
    day_before_at: time = time(18, 0)
    morning_at: time = time(8, 0)


@dataclass(frozen=True)
class Reminder:
    id: str
    booking_id: UUID
    kind: Kind
    starts_at: datetime
    due_at: datetime


def plan(
    booking_id: UUID, version: int, starts_at: datetime, timezone: str, times: ReminderTimes, now: datetime
) -> list[Reminder]:
    """The reminders still to come for a booking starting at `starts_at`. One whose time has
    passed, or that would come after the service starts, is not planned."""
    zone = ZoneInfo(timezone)
    day = starts_at.astimezone(zone).date()
    wanted: list[tuple[Kind, datetime]] = [
        ("day_before", _instant(day - timedelta(days=1), times.day_before_at, zone)),
        ("morning", _instant(day, times.morning_at, zone)),
    ]
    return [
        Reminder(f"booking:{booking_id}:v{version}:{kind}", booking_id, kind, starts_at, due)
        for kind, due in wanted
        if now < due < starts_at
    ]


def still_applies(reminder_starts_at: datetime, status: str, starts_at: datetime | None) -> bool:
    """A reminder fires only for a booking that is still confirmed for the time it was
    planned for: never for one cancelled, expired or moved since."""
    return status == "confirmed" and starts_at == reminder_starts_at


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall time skipped by a DST change (fold=0) lands an hour later on the real clock,
    # which is what a clock that jumped forward shows then.
    return datetime.combine(day, at, tzinfo=zone)
