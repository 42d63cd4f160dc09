"""A batch's allocations: the allocation table's statements, and what the batch has read of it.

The first slot search of a batch reads the rows of the days its commands ask for (and the
days around them, where alternatives are looked for) in one statement; every change the
batch's commands make goes to the table and to that occupancy alike, so the searches after
it see the same thing without reading again. A search outside what was read reads again.
The exclusion constraint stays the last word: a try it refuses is refused, and the view is
read again after a refusal it did not foresee (another transaction got there first).

Confirms change no row a search of the batch avoids (a confirmed hold stays taken), so the
batch's confirms go in one UPDATE with its staged writes, just before the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from frontdesk_platform.unit_of_work import UnitOfWork

from ..adapters import allocations
from ..domain.occupancy import Occupancy
from ..domain.placement import Placement

# What is read around each time a batch's commands ask for: the first look for alternatives
# (the day either side, from midnight to midnight: two days) and a day for the service.
BEFORE, AFTER = timedelta(days=2), timedelta(days=3)

_KEY = "booking.allocations"
_WANTED = "booking.wanted_times"


def expect(uow: UnitOfWork, times: Sequence[datetime]) -> None:
    """The times the batch's commands will look for (read with the first search)."""
    uow.memo[_WANTED] = list(times)


def of(uow: UnitOfWork) -> AllocationView:
    """The batch's view (a new one after an undone savepoint, which forgets the memo)."""
    found: AllocationView | None = uow.memo.get(_KEY)
    if found is None:
        found = uow.memo[_KEY] = AllocationView(uow)
    return found


class AllocationView:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._occupancy: dict[UUID, Occupancy] = {}
        self._confirms: list[UUID] = []  # sent with the staged writes

    async def db(self) -> asyncpg.Connection:
        return await self._uow.connection()

    async def occupancy(self, shop_id: UUID, start: datetime, end: datetime) -> Occupancy:
        """What is allocated in the shop, read at least for [start, end)."""
        known = self._occupancy.get(shop_id)
        if known is not None and known.covering(start, end):
            return known
        wanted = [(start, end)]
        if known is None:
            wanted += [(t - BEFORE, t + AFTER) for t in self._uow.memo.get(_WANTED, ())]
        else:
            wanted += known.covers
        covers = _merged(wanted)
        occupancy = Occupancy(await allocations.rows(await self.db(), shop_id, covers), covers)
        for booking_id in self._confirms:
            occupancy.confirm(booking_id)
        self._occupancy[shop_id] = occupancy
        return occupancy

    def forget(self, shop_id: UUID) -> None:
        """Read the shop's allocations again at the next search."""
        self._occupancy.pop(shop_id, None)

    async def place(
        self,
        shop_id: UUID,
        booking_id: UUID,
        placements: Sequence[Placement],
        expires_at: datetime | None,
        kind: allocations.Kind = "current",
    ) -> bool:
        placed = await allocations.try_place_all(
            await self.db(), shop_id, booking_id, placements, expires_at, kind
        )
        if placed and shop_id in self._occupancy:
            self._occupancy[shop_id].place(booking_id, placements, expires_at, kind)
        return placed

    async def release(self, booking_id: UUID, kind: allocations.Kind | None = None) -> None:
        await allocations.release(await self.db(), booking_id, kind)
        for occupancy in self._occupancy.values():
            occupancy.release(booking_id, kind)

    async def promote_proposal(self, booking_id: UUID) -> None:
        await allocations.promote_proposal(await self.db(), booking_id)
        for occupancy in self._occupancy.values():
            occupancy.promote(booking_id)

    def confirm(self, booking_id: UUID) -> None:
        """The booking's rows no longer lapse; written with the batch's staged writes."""
        for occupancy in self._occupancy.values():
            occupancy.confirm(booking_id)
        self._confirms.append(booking_id)
        self._uow.writes.then(_KEY, self._send_confirms)

    async def _send_confirms(self, session: Any) -> None:
        confirms, self._confirms = self._confirms, []
        if confirms:
            await allocations.confirm_all(await self.db(), confirms)


def _merged(stretches: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(stretches):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged
