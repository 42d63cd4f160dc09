"""What a booking occupies (a Placement), what is already taken (Busy, Timeline), and
how a local wall-clock time becomes a UTC instant. Shared by the timed slot search
(slots) and the nightly one (stays)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Placement:
    """A slot: when, who (None: no staff member), which resource units, and for a stay how
    many nights; it occupies [starts_at, occupied_until)."""

    starts_at: datetime
    ends_at: datetime
    occupied_until: datetime
    staff_id: UUID | None
    resource_units: tuple[UUID, ...] = ()
    nights: int | None = None

    @property
    def keys(self) -> tuple[UUID, ...]:
        """What this placement allocates: the staff member, if any, and every resource unit."""
        staff = () if self.staff_id is None else (self.staff_id,)
        return (*staff, *self.resource_units)


class Busy(NamedTuple):
    """A staff member or resource unit taken from starts_at to ends_at (a live booking).
    A tuple: a slot search reads hundreds of them."""

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


def free_units(
    units_by_type: list[list[UUID]],
    timeline: Timeline,
    start: datetime,
    until: datetime,
    taken: tuple[UUID, ...] = (),
) -> tuple[UUID, ...] | None:
    """The first free unit of each resource type for all of [start, until), or None."""
    chosen: list[UUID] = [*taken]
    for units in units_by_type[len(taken) :]:
        unit = next((u for u in units if u not in chosen and timeline.is_free(u, start, until)), None)
        if unit is None:
            return None
        chosen.append(unit)
    return tuple(chosen)


@lru_cache(maxsize=8192)  # a slot search asks for each staff member's opening and closing times
def local_instant(day: date, at: time, zone: ZoneInfo, last: bool = False) -> datetime:
    """A local wall time as a UTC instant; `last` picks the later one when it happens twice."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=1 if last else 0).astimezone(UTC)


def exists(instant: datetime, day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether the wall clock shows `at` on `day` at `instant` (False in the hour skipped
    when clocks go forward)."""
    return instant.astimezone(zone).replace(tzinfo=None) == datetime.combine(day, at)
