"""Nightly stays (boarding): when can a pet stay `nights` nights, and in which kennel.

A stay checks in at the service's `check_in` time on its first date and checks out at
`check_out` on the date after its last night, both local wall-clock times. It takes ONE
unit of each resource type for the whole stay, from check-in to check-out plus the
buffer: a pet is never moved from one kennel to another, so a stay is offered only when
one kennel is free all along, not merely some kennel every night.

The clock rules are those of staff hours (see slots): a check-in time the clocks skip
on a date (clocks go forward) is not offered that date; one that happens twice (clocks
go back) is the first of the two, and a check-out that happens twice the second. A stay
over a clock change is an hour shorter or longer in real time; its wall-clock check-in
and check-out times do not move. Everything returned is in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice
from uuid import UUID
from zoneinfo import ZoneInfo

from .placement import Placement, Timeline, exists, free_units, local_instant
from .services import Service
from .shop import Shop


def stay(
    service: Service, first_night: date, nights: int, zone: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """Check-in and check-out instants of a stay, or None if check-in does not exist that date."""
    assert service.check_in is not None and service.check_out is not None
    check_in = local_instant(first_night, service.check_in, zone)
    if not exists(check_in, first_night, service.check_in, zone):
        return None
    check_out = local_instant(first_night + timedelta(days=nights), service.check_out, zone, last=True)
    return check_in, check_out


def search(
    shop: Shop,
    service: Service,
    first_day: date,
    last_day: date,
    nights: int,
    timeline: Timeline,
    now: datetime,
    only_at: datetime | None = None,
) -> list[Placement]:
    """One stay per check-in date first_day..last_day that can be had. With `only_at`,
    only the stay checking in then, once per free unit of the first resource type, so a
    booking that loses a kennel to another at the last moment can take the next one."""
    zone = shop.zone
    horizon = now + timedelta(days=shop.policy.max_days_ahead)
    units_by_type = [shop.units_of_type(t) for t in service.resource_types]
    if any(not units for units in units_by_type):
        return []
    found: list[Placement] = []
    day = first_day
    while day <= last_day:
        span = stay(service, day, nights, zone)
        day += timedelta(days=1)
        if span is None:
            continue
        start, end = span
        until = end + service.buffer
        if start < now or start > horizon or (only_at is not None and start != only_at):
            continue
        choices = _every_choice(units_by_type, timeline, start, until)
        for units in islice(choices, None if only_at is not None else 1):
            found.append(Placement(start, end, until, None, units, nights))
    return found


def _every_choice(
    units_by_type: list[list[UUID]], timeline: Timeline, start: datetime, until: datetime
) -> Iterator[tuple[UUID, ...]]:
    """For each unit of the first type free all along, it and the first free ones of the others."""
    for unit in units_by_type[0]:
        if timeline.is_free(unit, start, until):
            units = free_units(units_by_type, timeline, start, until, taken=(unit,))
            if units is not None:
                yield units
