"""Business hours in the shop's own timezone: is the shop open, and how much open time
lies between two instants (so a reply at 9:05 to a message sent at 22:00 took 5 minutes)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# weekday (0 = Monday) -> list of (start, end) local times, end exclusive
Weekly = dict[int, list[tuple[time, time]]]


def parse_weekly(raw: dict[str, list[list[str]]]) -> Weekly:
    """{"0": [["09:00", "18:00"]], ...} → Weekly; raises ValueError on nonsense."""
    weekly: Weekly = {}
    for day, spans in raw.items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
        parsed = [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans]
        if any(start >= end for start, end in parsed):
            raise ValueError("each span must end after it starts")
        weekly[weekday] = sorted(parsed)
    return weekly


def is_open(weekly: Weekly, timezone: str, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(timezone))
    return any(start <= local.time() < end for start, end in weekly.get(local.weekday(), []))


def local_day(timezone: str, at: datetime) -> str:
    return at.astimezone(ZoneInfo(timezone)).date().isoformat()


def open_seconds_between(weekly: Weekly, timezone: str, start: datetime, end: datetime) -> float:
    """Seconds of opening time in [start, end); the whole span if no hours are set."""
    if not weekly:
        return max((end - start).total_seconds(), 0.0)
    zone = ZoneInfo(timezone)
    total = 0.0
    day: date = start.astimezone(zone).date()
    last: date = end.astimezone(zone).date()
    while day <= last:
        for span_start, span_end in weekly.get(day.weekday(), []):
            opens = datetime.combine(day, span_start, zone)
            closes = datetime.combine(day, span_end, zone)
            overlap = (min(closes, end) - max(opens, start)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total
