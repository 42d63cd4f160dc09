"""Care cycles: a pet's bath every 4 weeks, deworming every 3 months, a vaccine every
year from a date, its birthday. Each cycle has due dates (`since` plus whole cycles), and
a friendly notice goes to the customer `notice_days_before` a due date, at 10:00 in the
shop's timezone, with a link that books it in one tap.

A due date is noticed at most once: its notice id is care:{pet}:{kind}:{due date}, and
the cycle remembers the last due date it noticed, so setting the cycle again, a restart
or a redelivered command never repeats one. Like campaigns, a notice respects the
customer's opt-out and the shop's frequency cap (it waits for the cap to pass, but not
beyond the due date).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

CATEGORY = "care_reminder"
# Any of these in a customer's opted-out list stops care notices to them.
OPT_OUT_NAMES = frozenset({"marketing", "care", CATEGORY})
NOTICE_AT = time(10, 0)  # local: a friendly hour, inside any shop's day

Kind = Literal["bath", "deworming", "vaccine", "birthday"]
Unit = Literal["day", "week", "month", "year"]
Verdict = Literal["queued", "skipped_opted_out", "skipped_frequency_cap", "deferred"]


@dataclass(frozen=True)
class Cycle:
    kind: Kind
    every: int
    unit: Unit
    since: date
    notice_days_before: int = 7

    def due_dates_after(self, day: date) -> date:
        """The first due date strictly after `day`."""
        count = 1
        while (due := self._nth(count)) <= day:
            count += 1
        return due

    def _nth(self, count: int) -> date:
        step = self.every * count
        if self.unit == "day":
            return self.since + timedelta(days=step)
        if self.unit == "week":
            return self.since + timedelta(weeks=step)
        return _add_months(self.since, step * (12 if self.unit == "year" else 1))


@dataclass(frozen=True)
class Next:
    due_on: date
    notice_at: datetime


def next_notice(cycle: Cycle, noticed_through: date | None, now: datetime, timezone: str) -> Next:
    """The next due date to give notice of: not one already noticed, nor one already past
    (a cycle set today does not announce last month's bath). A notice whose time has come
    goes at once."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    after = today - timedelta(days=1)
    if noticed_through is not None and noticed_through > after:
        after = noticed_through
    due_on = cycle.due_dates_after(after)
    notice_at = datetime.combine(due_on - timedelta(days=cycle.notice_days_before), NOTICE_AT, tzinfo=zone)
    return Next(due_on, max(notice_at, now))


def verdict(
    opted_out: frozenset[str] | set[str] | tuple[str, ...],
    last_reached_at: datetime | None,
    cap: timedelta,
    now: datetime,
    due_end: datetime,
) -> tuple[Verdict, datetime | None]:
    """Whether the notice goes now; `deferred` names when the cap lets it go, which is
    skipped instead when that would be after the due date has passed (`due_end`)."""
    if OPT_OUT_NAMES & set(opted_out):
        return "skipped_opted_out", None
    if last_reached_at is not None and last_reached_at > now - cap:
        allowed = last_reached_at + cap
        return ("deferred", allowed) if allowed < due_end else ("skipped_frequency_cap", None)
    return "queued", None


def day_end(day: date, timezone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))


def notice_id(pet_id: UUID, kind: str, due_on: date) -> str:
    return f"care:{pet_id}:{kind}:{due_on.isoformat()}"


def booking_link(base: str, shop_id: UUID, pet_id: UUID, service_id: UUID | None) -> str:
    """Opens the booking screen with the shop, the pet and (if the cycle names one) the
    service filled in: one tap to a slot."""
    query = {"shop_id": str(shop_id), "pet_id": str(pet_id)}
    if service_id is not None:
        query["service_id"] = str(service_id)
    return f"{base}?{urlencode(query)}"


def _add_months(day: date, months: int) -> date:
    # The 31st of a month without one falls on its last day (Feb 29 → Feb 28).
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
