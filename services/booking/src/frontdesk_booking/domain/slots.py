"""Slot search: when can a service be done, by whom, with which resource units.

Working hours and breaks are local wall-clock times in the shop's timezone; candidate
starts are laid on the wall clock every `slot_step_minutes` from the start of each
working period, then turned into UTC instants. A wall time that does not exist (the
hour skipped when clocks go forward) is never offered; one that happens twice (the
hour repeated when clocks go back) is offered twice, as two different instants.
Durations are real elapsed time, so a 60-minute bath is 60 minutes on a DST night too.
Everything returned is in UTC.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from uuid import UUID
from zoneinfo import ZoneInfo

from .shop import Service, Shop, StaffProfile, WeeklyPeriod

MAX_SEARCH_DAYS = 31


@dataclass(frozen=True)
class Placement:
    """A slot: when, who, and which resource units; it occupies [starts_at, occupied_until)."""

    starts_at: datetime
    ends_at: datetime
    occupied_until: datetime
    staff_id: UUID
    resource_units: tuple[UUID, ...] = ()

    @property
    def keys(self) -> tuple[UUID, ...]:
        """What this placement allocates: the staff member and every resource unit."""
        return (self.staff_id, *self.resource_units)


@dataclass(frozen=True)
class Busy:
    """A staff member or resource unit taken from starts_at to ends_at (a live booking)."""

    key: UUID
    starts_at: datetime
    ends_at: datetime


class Timeline:
    """Busy intervals per staff member or unit, merged and sorted for quick overlap checks."""

    def __init__(self, busy: Iterable[Busy] = ()) -> None:
        raw: dict[UUID, list[tuple[datetime, datetime]]] = defaultdict(list)
        for b in busy:
            raw[b.key].append((b.starts_at, b.ends_at))
        self._starts: dict[UUID, list[datetime]] = {}
        self._ends: dict[UUID, list[datetime]] = {}
        for key, intervals in raw.items():
            merged: list[tuple[datetime, datetime]] = []
            for start, end in sorted(intervals):
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
                else:
                    merged.append((start, end))
            self._starts[key] = [s for s, _ in merged]
            self._ends[key] = [e for _, e in merged]

    def is_free(self, key: UUID, start: datetime, end: datetime) -> bool:
        starts = self._starts.get(key)
        if not starts:
            return True
        before = bisect_left(starts, end)  # intervals starting before `end`
        return before == 0 or self._ends[key][before - 1] <= start


def search(
    shop: Shop,
    service: Service,
    first_day: date,
    last_day: date,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    staff_id: UUID | None = None,
    only_at: datetime | None = None,
) -> list[Placement]:
    """Every free placement of a service on the shop's local days first_day..last_day
    (only those starting at `only_at`, if given)."""
    zone = shop.zone
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    horizon = now + timedelta(days=shop.policy.max_days_ahead)
    step = timedelta(minutes=shop.policy.slot_step_minutes)
    duration, buffer = service.duration, service.buffer
    units_by_type = [shop.units_of_type(t) for t in service.resource_types]
    if any(not units for units in units_by_type):
        return []
    found: list[Placement] = []
    staff = shop.staff_for(service, staff_id)
    rank = {p.staff_id: n for n, p in enumerate(staff)}
    day = first_day
    while day <= last_day:
        for profile in staff:
            blocked = Timeline(_blocked(profile, day, zone))
            for period in (p for p in profile.hours if p.weekday == day.weekday()):
                close = _instant(day, period.end, zone, last=True)
                for start in _wall_clock_starts(day, period, step, zone):
                    if only_at is not None and start != only_at:
                        continue
                    end = start + duration
                    until = end + buffer
                    if start < now or start > horizon or end > close:
                        continue
                    if not blocked.is_free(profile.staff_id, start, until):
                        continue
                    if not timeline.is_free(profile.staff_id, start, until):
                        continue
                    units = _free_units(units_by_type, timeline, start, until)
                    if units is not None:
                        found.append(Placement(start, end, until, profile.staff_id, units))
        day += timedelta(days=1)
    found.sort(key=lambda p: (p.starts_at, rank[p.staff_id]))
    return found


def placements_at(
    shop: Shop,
    service: Service,
    start: datetime,
    busy: Iterable[Busy],
    now: datetime,
    staff_id: UUID | None = None,
) -> list[Placement]:
    """The free placements that start exactly at `start`, best first."""
    day = start.astimezone(shop.zone).date()
    return search(shop, service, day, day, busy, now, staff_id, only_at=start)


def nearest(
    shop: Shop,
    service: Service,
    around: datetime,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    staff_id: UUID | None = None,
    count: int = 3,
    max_days: int = 7,
) -> tuple[list[Placement], bool]:
    """Up to `count` free placements at different times, nearest to `around` first, and
    whether they are surely the nearest (False: days beyond `max_days` were not searched).

    Searches the day of `around` first and widens a day at a time on both sides, until
    nothing outside the searched days could be nearer than what was found."""
    zone = shop.zone
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    day = around.astimezone(zone).date()
    chosen: list[Placement] = []
    candidates: list[Placement] = []
    for radius in range(max_days + 1):
        first, last = day - timedelta(days=radius), day + timedelta(days=radius)
        for new_day in sorted({first, last}):
            candidates += search(shop, service, new_day, new_day, timeline, now, staff_id)
        candidates.sort(key=lambda p: (abs(p.starts_at - around), p.starts_at))
        chosen = []
        for placement in candidates:
            if all(c.starts_at != placement.starts_at for c in chosen):
                chosen.append(placement)
            if len(chosen) == count:
                break
        outside = min(
            around - datetime.combine(first, time(), zone).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC) - around,
        )
        if len(chosen) == count and abs(chosen[-1].starts_at - around) <= outside:
            return sorted(chosen, key=lambda p: p.starts_at), True
    return sorted(chosen, key=lambda p: p.starts_at), False


def _free_units(
    units_by_type: list[list[UUID]], timeline: Timeline, start: datetime, until: datetime
) -> tuple[UUID, ...] | None:
    chosen: list[UUID] = []
    for units in units_by_type:
        unit = next((u for u in units if u not in chosen and timeline.is_free(u, start, until)), None)
        if unit is None:
            return None
        chosen.append(unit)
    return tuple(chosen)


def _blocked(profile: StaffProfile, day: date, zone: ZoneInfo) -> Iterator[Busy]:
    for b in profile.breaks:
        if b.weekday == day.weekday():
            yield Busy(profile.staff_id, _instant(day, b.start, zone), _instant(day, b.end, zone, last=True))
    for off in profile.time_off:
        yield Busy(profile.staff_id, off.starts_at, off.ends_at)


def _wall_clock_starts(
    day: date, period: WeeklyPeriod, step: timedelta, zone: ZoneInfo
) -> tuple[datetime, ...]:
    return _starts(day, period.start, period.end, step, zone)


@lru_cache(maxsize=4096)
def _starts(day: date, start: time, end: time, step: timedelta, zone: ZoneInfo) -> tuple[datetime, ...]:
    """Every step of the wall clock from start to end, as UTC instants (cached: every
    staff member with the same hours shares them)."""
    wall = datetime.combine(day, start)
    stop = datetime.combine(day, end)
    found: list[datetime] = []
    while wall < stop:
        for fold in (0, 1):
            instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
            if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in found[-2:]:
                found.append(instant)
        wall += step
    return tuple(found)


def _instant(day: date, at: time, zone: ZoneInfo, last: bool = False) -> datetime:
    """A local wall time as a UTC instant; `last` picks the later one when it happens twice."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=1 if last else 0).astimezone(UTC)
