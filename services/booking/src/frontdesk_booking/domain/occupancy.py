"""What a batch of commands knows is allocated in a stretch of the shop's time: the rows of
the allocation table that overlap it, read once, then kept as the batch's own commands
place, confirm and release, so every slot search of the batch (the placement tried and the
alternatives offered after a refusal) works on the same rows without reading them again.

It is a guide, not a guard: the allocation table's exclusion constraint still refuses a
placement that overlaps anything, whatever this says.

Rows no command of the batch can change (confirmed ones of bookings it does not name) may
come merged into runs per staff member or unit, under the booking id `ANYONE`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from .placement import Placement, Timeline

ANYONE = UUID(int=0)  # the booking of a merged run: bookings the batch does not change

Stretch = tuple[datetime, datetime]


class Allocation(NamedTuple):
    """One row of the allocation table: a booking's staff member or unit, from starts_at
    to ends_at; a hold's row lapses at expires_at."""

    starts_at: datetime
    ends_at: datetime
    key: UUID
    booking_id: UUID
    kind: str  # "current" or "proposed"
    expires_at: datetime | None


class Occupancy:
    """The allocations overlapping the stretches in `covers`, per staff member or unit,
    sorted by start."""

    def __init__(self) -> None:
        self.covers: list[Stretch] = []
        self._rows: dict[UUID, list[Allocation]] = defaultdict(list)
        self._keys_of: dict[UUID, set[UUID]] = defaultdict(set)  # a booking's staff and units
        self._longest: dict[UUID, timedelta] = defaultdict(timedelta)  # each key's longest row
        self.version = 0  # counts the changes to what is free (confirms change nothing free)

    def covering(self, start: datetime, end: datetime) -> bool:
        return any(lo <= start and end <= hi for lo, hi in self.covers)

    def missing(self, wanted: Iterable[Stretch]) -> list[Stretch]:
        """The parts of the wanted stretches not read yet, merged."""
        gaps: list[Stretch] = []
        for lo, hi in merged(wanted):
            for covered_lo, covered_hi in self.covers:
                if covered_hi <= lo or hi <= covered_lo:
                    continue
                if lo < covered_lo:
                    gaps.append((lo, covered_lo))
                lo = max(lo, covered_hi)
                if lo >= hi:
                    break
            if lo < hi:
                gaps.append((lo, hi))
        return gaps

    def extend(self, rows: Iterable[Allocation], stretches: Iterable[Stretch]) -> None:
        """The rows read for more stretches. A row read twice (it reaches into what was read
        before) is kept twice: every change goes to each copy, and a search asks only
        whether anything is in the way."""
        touched: set[UUID] = set()
        for row in rows:
            self._rows[row.key].append(row)
            touched.add(row.key)
            self._noted(row)
        for key in touched:
            self._rows[key].sort(key=_start)
        self.covers = merged([*self.covers, *stretches])
        self.version += 1

    def seen_at(self, now: datetime, ignore: UUID | None = None, within: Stretch | None = None) -> Seen:
        """What a slot search at `now` must avoid: every live row but `ignore`'s own (a
        search that asks only `within` a stretch looks at its rows alone)."""
        return Seen(self, now, ignore, within)

    def place(
        self, booking_id: UUID, placements: Sequence[Placement], expires_at: datetime | None, kind: str
    ) -> None:
        for placement in placements:
            for key in placement.keys:
                self._add(
                    Allocation(
                        placement.starts_at, placement.occupied_until, key, booking_id, kind, expires_at
                    )
                )

    def release(self, booking_id: UUID, kind: str | None = None) -> None:
        self._change(booking_id, kind, lambda row: None)
        self.version += 1

    def holds(self, booking_id: UUID) -> bool:
        """Whether the booking has rows here (a search for it leaves them out)."""
        return bool(self._keys_of.get(booking_id))

    def confirm(self, booking_id: UUID) -> None:
        self._change(booking_id, None, lambda row: row._replace(expires_at=None))

    def promote(self, booking_id: UUID) -> None:
        """The proposed placement becomes the booking's own (the current one is released)."""
        self.release(booking_id, "current")  # counts as the change
        self._change(booking_id, "proposed", lambda row: row._replace(kind="current"))

    def _add(self, row: Allocation) -> None:
        insort(self._rows[row.key], row, key=_start)
        self._noted(row)
        self.version += 1

    def _noted(self, row: Allocation) -> None:
        self._keys_of[row.booking_id].add(row.key)
        self._longest[row.key] = max(self._longest[row.key], row.ends_at - row.starts_at)

    def _change(
        self, booking_id: UUID, kind: str | None, change: Callable[[Allocation], Allocation | None]
    ) -> None:
        for key in self._keys_of.get(booking_id, ()):
            rows = self._rows[key]
            kept = []
            for row in rows:
                if row.booking_id == booking_id and (kind is None or row.kind == kind):
                    changed = change(row)
                    if changed is not None:
                        kept.append(changed)
                else:
                    kept.append(row)
            self._rows[key] = kept

    def rows_of(self, key: UUID, within: Stretch | None = None) -> Sequence[Allocation]:
        """A staff member's or unit's rows by start (those that may overlap `within`)."""
        rows = self._rows.get(key)
        if not rows:
            return ()
        if within is None:
            return rows
        # rows of a key overlap only within one booking (or as runs read twice), so none
        # that starts more than the key's longest row before the stretch can reach into it
        lo, hi = within
        return rows[
            bisect_left(rows, lo - self._longest[key], key=_start) : bisect_left(rows, hi, key=_start)
        ]


def merged(stretches: Iterable[Stretch]) -> list[Stretch]:
    found: list[Stretch] = []
    for lo, hi in sorted(stretches):
        if found and lo <= found[-1][1]:
            found[-1] = (found[-1][0], max(hi, found[-1][1]))
        else:
            found.append((lo, hi))
    return found


def _start(row: Allocation) -> datetime:
    return row.starts_at


class Seen(Timeline):
    """An occupancy as a slot search at one instant sees it (a Timeline for `slots`): each
    staff member's or unit's live rows merged into runs the first time it is asked about."""

    def __init__(
        self, occupancy: Occupancy, now: datetime, ignore: UUID | None, within: Stretch | None
    ) -> None:
        super().__init__()
        self._occupancy, self._now, self._ignore, self._within = occupancy, now, ignore, within

    def is_free(self, key: UUID, start: datetime, end: datetime) -> bool:
        if self._within is not None and not (self._within[0] <= start and end <= self._within[1]):
            self._within, self._starts, self._ends = None, {}, {}  # asked beyond it: look at all
        starts = self._starts.get(key)
        if starts is None:
            starts = self._merge(key)
        if not starts:
            return True
        before = bisect_left(starts, end)  # runs starting before `end`
        return before == 0 or self._ends[key][before - 1] <= start

    def _merge(self, key: UUID) -> list[datetime]:
        starts: list[datetime] = []
        ends: list[datetime] = []
        now, ignore = self._now, self._ignore
        for row in self._occupancy.rows_of(key, self._within):
            if row.booking_id == ignore or (row.expires_at is not None and row.expires_at <= now):
                continue
            if ends and row.starts_at <= ends[-1]:
                if row.ends_at > ends[-1]:
                    ends[-1] = row.ends_at
            else:
                starts.append(row.starts_at)
                ends.append(row.ends_at)
        self._starts[key], self._ends[key] = starts, ends
        return starts
