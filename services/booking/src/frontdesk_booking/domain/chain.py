"""A booking of several services ("洗澡+剪指甲"): its parts, done one after the other, and
where such a chain can be placed.

The first service starts on the slot grid like any booking; each next one starts when the
one before is over, its buffer included (the groomer has cleaned the station, the pet is
dry), on or off the grid. Every part has its own staff member and resource units: the
same groomer may do both, or a nail technician may take over. Parts never overlap, so a
chain never stands in its own way; whether the chain is free against other bookings is
decided, as for any booking, by the allocation table in one transaction for all parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from .common import InvalidRequest
from .placement import Busy, Placement, Timeline
from .services import Service
from .shop import Shop
from .slots import placements_at, placements_from, search

MAX_SERVICES = 5
MAX_CHAINS = 50  # chains tried at one start: enough for any small shop's staff × stations


@dataclass(frozen=True)
class Part:
    """One service of a booking of several, placed."""

    service_id: UUID
    placement: Placement
    price_cents: int | None = None


Step = tuple[Service, UUID | None]  # a service to place and the staff member asked for, if any
Chain = tuple[Placement, ...]


def check_steps(steps: Sequence[Step]) -> None:
    if not 2 <= len(steps) <= MAX_SERVICES:
        raise InvalidRequest(f"a booking of several services has 2 to {MAX_SERVICES} of them")
    for service, staff_id in steps:
        if service.per_night:
            raise InvalidRequest("a stay (boarding) is booked on its own, not with other services")
        service.check_booking(staff_id, None)


def envelope(parts: Sequence[Part]) -> Placement:
    """The whole booking as one placement: from the first start to the last end; the first
    part's staff member; every unit any part takes."""
    first, last = parts[0].placement, parts[-1].placement
    units = tuple(dict.fromkeys(u for part in parts for u in part.placement.resource_units))
    return Placement(first.starts_at, last.ends_at, last.occupied_until, first.staff_id, units)


def reach(steps: Sequence[Step]) -> timedelta:
    """At most how long after its start a chain occupies anything."""
    return sum((service.reach() for service, _ in steps), timedelta())


def chains_at(
    shop: Shop,
    steps: Sequence[Step],
    start: datetime,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    prefer: Sequence[UUID | None] = (),
) -> list[Chain]:
    """The free chains that start at `start`, best first; with `prefer` (a staff member per
    part), those that keep more of them come first."""
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    found: list[Chain] = []

    def extend(chain: Chain) -> None:
        if len(found) == MAX_CHAINS:
            return
        if len(chain) == len(steps):
            found.append(chain)
            return
        service, staff_id = steps[len(chain)]
        options = (
            placements_from(shop, service, chain[-1].occupied_until, timeline, staff_id)
            if chain
            else placements_at(shop, service, start, timeline, now, staff_id)
        )
        for option in options:
            extend((*chain, option))

    extend(())
    if prefer:
        found.sort(key=lambda c: sum(p.staff_id != s for p, s in zip(c, prefer, strict=False)))
    return found


def nearest_chains(
    shop: Shop,
    steps: Sequence[Step],
    around: datetime,
    busy: Iterable[Busy] | Timeline,
    now: datetime,
    days: int,
    count: int = 3,
) -> list[Chain]:
    """Up to `count` free chains at different starts within `days` days of `around`, nearest
    first, returned in time order."""
    timeline = busy if isinstance(busy, Timeline) else Timeline(busy)
    first, staff_id = steps[0]
    day = around.astimezone(shop.zone).date()
    starts = sorted(
        {
            p.starts_at
            for p in search(
                shop, first, day - timedelta(days=days), day + timedelta(days=days), timeline, now, staff_id
            )
        },
        key=lambda s: (abs(s - around), s),
    )
    chosen: list[Chain] = []
    for start in starts:
        chains = chains_at(shop, steps, start, timeline, now)
        if chains:
            chosen.append(chains[0])
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda c: c[0].starts_at)
