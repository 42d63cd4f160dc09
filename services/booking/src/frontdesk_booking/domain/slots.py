"""Slot search: when can a service be done, by whom, with which resource units.

Working hours and breaks (a staff member's, or the service's own hours when it needs no
staff member) are local wall-clock times in the shop's timezone; candidate starts are
laid on the wall clock every `slot_step_minutes` from the start of each working period,
then turned into UTC instants. A wall time that does not exist (the hour skipped when
clocks go forward) is never offered; one that happens twice (the hour repeated when
clocks go back) is offered twice, as two different instants. Durations are real elapsed
time, so a 60-minute bath is 60 minutes on a DST night too. Everything returned is in
UTC. Nightly services (boarding) are searched by `stays`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from uuid import UUID
from zoneinfo import ZoneInfo

from . import stays
from .placement import Busy, Placement, Timeline, free_units, local_instant
from .services import Service, WeeklyPeriod
from .shop import Shop, StaffProfile

MAX_SEARCH_DAYS = 31


def search(
    shop: Shop,
    service: Service,
    first_day: date,
    last_day: date,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    staff_id: UUID | None = None,
    only_at: datetime | None = None,
    nights: int | None = None,
) -> list[Placement]:
    """Every free placement of a service on the shop's local days first_day..last_day
    (only those starting at `only_at`, if given); for a nightly service, the stays of
    `nights` nights that check in on those days."""
    service.check_booking(staff_id, nights)
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    if service.per_night:
        assert nights is not None
        return stays.search(shop, service, first_day, last_day, nights, timeline, now, only_at)
    zone = shop.zone
    horizon = now + timedelta(days=shop.policy.max_days_ahead)
    step = timedelta(minutes=shop.policy.slot_step_minutes)
    duration, buffer = service.duration, service.buffer
    units_by_type = [shop.units_of_type(t) for t in service.resource_types]
    if any(not units for units in units_by_type):
        return []
    found: list[Placement] = []
    workers = _workers(shop, service, staff_id)
    rank = {key: n for n, (key, _, _) in enumerate(workers)}
    # The units free at a start are the same whoever does the service: found once per start.
    units_at: dict[datetime, tuple[UUID, ...] | None] = {}
    day = first_day
    while day <= last_day:
        for key, hours, profile in workers:
            blocked = Timeline(_blocked(profile, day, zone))
            for period in (p for p in hours if p.weekday == day.weekday()):
                close = local_instant(day, period.end, zone, last=True)
                for start in _wall_clock_starts(day, period, step, zone):
                    if only_at is not None and start != only_at:
                        continue
                    end = start + duration
                    until = end + buffer
                    if start < now or start > horizon or end > close:
                        continue
                    if key is not None and not (
                        blocked.is_free(key, start, until) and timeline.is_free(key, start, until)
                    ):
                        continue
                    if start in units_at:
                        units = units_at[start]
                    else:
                        units = units_at[start] = free_units(units_by_type, timeline, start, until)
                    if units is not None:
                        found.append(Placement(start, end, until, key, units))
        day += timedelta(days=1)
    found.sort(key=lambda p: (p.starts_at, rank[p.staff_id]))
    return found


def _workers(
    shop: Shop, service: Service, staff_id: UUID | None
) -> list[tuple[UUID | None, tuple[WeeklyPeriod, ...], StaffProfile | None]]:
    """Whose hours give the starts: each able staff member's, or the service's own."""
    if not service.needs_staff:
        return [(None, service.hours, None)]
    return [(p.staff_id, p.hours, p) for p in shop.staff_for(service, staff_id)]


def placements_at(
    shop: Shop,
    service: Service,
    start: datetime,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    staff_id: UUID | None = None,
    nights: int | None = None,
) -> list[Placement]:
    """The free placements that start exactly at `start`, best first (for a stay, one per
    free kennel): what `search` finds at that start, without walking the whole day."""
    day = start.astimezone(shop.zone).date()
    if service.per_night:
        return search(shop, service, day, day, busy, now, staff_id, only_at=start, nights=nights)
    service.check_booking(staff_id, nights)
    horizon = now + timedelta(days=shop.policy.max_days_ahead)
    units_by_type = [shop.units_of_type(t) for t in service.resource_types]
    if start < now or start > horizon or any(not units for units in units_by_type):
        return []
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    zone, step = shop.zone, timedelta(minutes=shop.policy.slot_step_minutes)
    end = start + service.duration
    until = end + service.buffer
    units: tuple[UUID, ...] | None = None
    looked = False  # the units free at a start are the same whoever does the service
    found: list[Placement] = []
    for key, hours, profile in _workers(shop, service, staff_id):
        for period in (p for p in hours if p.weekday == day.weekday()):
            if end > local_instant(day, period.end, zone, last=True) or start not in _wall_clock_starts(
                day, period, step, zone
            ):
                continue
            if key is not None and not (
                Timeline(_blocked(profile, day, zone)).is_free(key, start, until)
                and timeline.is_free(key, start, until)
            ):
                continue
            if not looked:
                units, looked = free_units(units_by_type, timeline, start, until), True
            if units is not None:
                found.append(Placement(start, end, until, key, units))
    return found


def placements_from(
    shop: Shop,
    service: Service,
    start: datetime,
    busy: Iterable[Busy] | Timeline,
    staff_id: UUID | None = None,
) -> list[Placement]:
    """The free placements that start exactly at `start`, on the slot grid or off it (the
    next service of a booking of several starts when the one before is over), best first:
    one per able staff member (or one, without staff) whose hours hold it."""
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    zone = shop.zone
    day = start.astimezone(zone).date()
    end, until = start + service.duration, start + service.duration + service.buffer
    units_by_type = [shop.units_of_type(t) for t in service.resource_types]
    found: list[Placement] = []
    for key, hours, profile in _workers(shop, service, staff_id):
        opens = (
            (local_instant(day, p.start, zone), local_instant(day, p.end, zone, last=True))
            for p in hours
            if p.weekday == day.weekday()
        )
        if not any(open_ <= start and end <= close for open_, close in opens):
            continue
        if key is not None and not (
            Timeline(_blocked(profile, day, zone)).is_free(key, start, until)
            and timeline.is_free(key, start, until)
        ):
            continue
        units = free_units(units_by_type, timeline, start, until)
        if units is not None:
            found.append(Placement(start, end, until, key, units))
    return found


def nearest(
    shop: Shop,
    service: Service,
    around: datetime,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    staff_id: UUID | None = None,
    count: int = 3,
    max_days: int = 7,
    nights: int | None = None,
) -> tuple[list[Placement], bool]:
    """Up to `count` free placements at different times, nearest to `around` first, and
    whether they are surely the nearest (False: days beyond `max_days` were not searched).

    The starts of the days within `max_days` are tried nearest first (each with the best
    free placement at it, as `search` ranks them) until `count` are found: the same as
    searching every day and keeping the nearest, without looking at every start."""
    if service.per_night:
        return _nearest_by_days(shop, service, around, busy, now, staff_id, count, max_days, nights)
    service.check_booking(staff_id, nights)
    zone = shop.zone
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    day = around.astimezone(zone).date()
    units_by_type = [shop.units_of_type(t) for t in service.resource_types]
    if any(not units for units in units_by_type):
        return [], False
    horizon = now + timedelta(days=shop.policy.max_days_ahead)
    step = timedelta(minutes=shop.policy.slot_step_minutes)
    duration, buffer = service.duration, service.buffer
    workers = _workers(shop, service, staff_id)
    # every start any worker's hours give on those days, with who could take it (staff
    # members with the same hours share their starts: each period's are laid out once)
    who: dict[datetime, list[tuple[int, date]]] = {}
    for offset in range(-max_days, max_days + 1):
        each = day + timedelta(days=offset)
        working: dict[WeeklyPeriod, list[tuple[int, date]]] = {}
        for rank, (_, hours, _) in enumerate(workers):
            for period in hours:
                if period.weekday == each.weekday():
                    working.setdefault(period, []).append((rank, each))
        for period, ranks in working.items():
            close = local_instant(each, period.end, zone, last=True)
            for start in _wall_clock_starts(each, period, step, zone):
                if now <= start <= horizon and start + duration <= close:
                    who.setdefault(start, []).extend(ranks)
    blocked: dict[tuple[int, date], Timeline] = {}
    chosen: list[Placement] = []
    for start in sorted(who, key=lambda s: (abs(s - around), s)):
        end = start + duration
        until = end + buffer
        units: tuple[UUID, ...] | None = None
        looked = False  # the units free at a start are the same whoever does the service
        for rank, each in sorted(who[start]):  # best first
            key, _, profile = workers[rank]
            if key is not None:
                if (rank, each) not in blocked:
                    blocked[rank, each] = Timeline(_blocked(profile, each, zone))
                if not (
                    blocked[rank, each].is_free(key, start, until) and timeline.is_free(key, start, until)
                ):
                    continue
            if not looked:
                units, looked = free_units(units_by_type, timeline, start, until), True
            if units is not None:
                chosen.append(Placement(start, end, until, key, units))
                break
        if len(chosen) == count:
            break
    chosen.sort(key=lambda p: p.starts_at)
    if len(chosen) < count:
        return chosen, False
    farthest = max(abs(p.starts_at - around) for p in chosen)
    outside = min(
        around - datetime.combine(day - timedelta(days=max_days), time(), zone).astimezone(UTC),
        datetime.combine(day + timedelta(days=max_days + 1), time(), zone).astimezone(UTC) - around,
    )
    return chosen, farthest <= outside


def _nearest_by_days(
    shop: Shop,
    service: Service,
    around: datetime,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    staff_id: UUID | None,
    count: int,
    max_days: int,
    nights: int | None,
) -> tuple[list[Placement], bool]:
    """`nearest` for stays: searches the day of `around` first and widens a day at a time
    on both sides, until nothing outside the searched days could be nearer than what was found."""
    zone = shop.zone
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    day = around.astimezone(zone).date()
    chosen: list[Placement] = []
    candidates: list[Placement] = []
    for radius in range(max_days + 1):
        first, last = day - timedelta(days=radius), day + timedelta(days=radius)
        for new_day in sorted({first, last}):
            candidates += search(shop, service, new_day, new_day, timeline, now, staff_id, nights=nights)
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


def _blocked(profile: StaffProfile | None, day: date, zone: ZoneInfo) -> Iterator[Busy]:
    if profile is None:
        return
    for b in profile.breaks:
        if b.weekday == day.weekday():
            start, end = local_instant(day, b.start, zone), local_instant(day, b.end, zone, last=True)
            yield Busy(profile.staff_id, start, end)
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
