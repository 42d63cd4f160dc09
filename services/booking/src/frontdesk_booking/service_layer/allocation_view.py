"""A batch's allocations: the allocation table's statements, and what the batch has read of it.

The first slot search of a batch reads the rows of the days its commands ask for (and the
days around them, where alternatives are looked for) in one statement; every change the
batch's commands make goes to the table and to that occupancy alike, so the searches after
it see the same thing without reading again. A search outside what was read reads again.
The exclusion constraint stays the last word: a try it refuses is refused, and the view is
read again after a refusal it did not foresee (another transaction got there first).

The alternatives offered after a refusal are kept until the shop's occupancy changes: the
customers refused for one time in a batch (a popular time) are offered the same free
times without searching again, each with a different one first (`spread`): a customer who
takes the first time offered does not meet all the others there again.

Confirms change no row a search of the batch avoids (a confirmed hold stays taken), so the
batch's confirms go in one UPDATE with its staged writes, just before the commit.

A placement on time the view knows is free (no row of another booking there, lapsed or
not) is not inserted at once either: the batch's placements go in one statement, before
the next statement of the transaction that could read the table (`db`) or with the staged
writes. Should the table refuse them after all (a row the view could not know of), the
statement fails and the batch is carried out again one command at a time, in savepoints,
where every placement is tried at once as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from frontdesk_platform.unit_of_work import UnitOfWork

from ..adapters import allocations
from ..domain.occupancy import Occupancy
from ..domain.placement import Placement

# What is read around each time a batch's commands ask for: at first the time itself (a
# service's length, a short one: a longer one reads what it misses), then, at the first
# refusal, the days where alternatives are looked first (the day either side, midnight to
# midnight: two days, and a day for the service).
NEAR = timedelta(hours=4)
BEFORE, AFTER = timedelta(days=2), timedelta(days=3)

_KEY = "booking.allocations"
_PLACED = "booking.placed"
LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)  # before every hold lapses
_WANTED = "booking.wanted"


def expect(uow: UnitOfWork, times: Sequence[datetime], bookings: Sequence[UUID]) -> None:
    """The times the batch's commands will look for, and the bookings they name (whose rows
    come one by one, as the commands may change them)."""
    uow.memo[_WANTED] = (list(times), list(bookings))


def of(uow: UnitOfWork) -> AllocationView:
    """The batch's view (a new one after an undone savepoint, which forgets the memo)."""
    found: AllocationView | None = uow.memo.get(_KEY)
    if found is None:
        found = uow.memo[_KEY] = AllocationView(uow)
    return found


class AllocationView:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        # Forgotten with an undone savepoint: the commands after it read every row one by
        # one (a merged run could hide the rows of a booking a later command releases).
        self._times, self._named = uow.memo.get(_WANTED, ([], None))
        self._occupancy: dict[UUID, Occupancy] = {}
        self._wide: set[UUID] = set()  # shops read around all the batch's times
        self._confirms: list[UUID] = []  # sent with the staged writes
        self._placed: list[allocations.Row] = []  # placements not inserted yet
        self._offers: dict[tuple[UUID, Hashable], tuple[int, list[Placement]]] = {}
        self._refused: Counter[tuple[UUID, Hashable]] = Counter()  # refusals per wish

    async def db(self) -> asyncpg.Connection:
        """The transaction's connection, once the placements held back are inserted."""
        connection = await self._uow.connection()
        if self._placed:
            placed, self._placed = self._placed, []
            await allocations.insert_all(connection, placed)
        return connection

    async def occupancy(
        self, shop_id: UUID, start: datetime, end: datetime, booking_id: UUID, around: bool = False
    ) -> Occupancy:
        """What is allocated in the shop, read at least for [start, end) (`around`: for
        alternatives, around every time the batch asks for); `booking_id`'s rows one by one."""
        occupancy = self._occupancy.get(shop_id)
        first = occupancy is None
        if occupancy is None:
            occupancy = self._occupancy[shop_id] = Occupancy()
            wanted = [(start, end), *((t, t + NEAR) for t in self._times)]
        else:
            wanted = [(start, end)]
        if around and shop_id not in self._wide:
            self._wide.add(shop_id)
            wanted += [(t - BEFORE, t + AFTER) for t in self._times]
        gaps = occupancy.missing(wanted)
        if gaps:
            changing = None if self._named is None else [*self._named, booking_id]
            # A first read of the shop sees the held-back placements; a read of more of its
            # time need not wait for them: they lie in what was read before (`_known_free`),
            # so no gap holds any of them.
            connection = await (self.db() if first else self._uow.connection())
            occupancy.extend(await allocations.rows(connection, shop_id, gaps, changing), gaps)
            for confirmed in self._confirms:
                occupancy.confirm(confirmed)
        return occupancy

    def forget(self, shop_id: UUID) -> None:
        """Read the shop's allocations again at the next search."""
        self._occupancy.pop(shop_id, None)
        self._wide.discard(shop_id)
        self._offers = {key: found for key, found in self._offers.items() if key[0] != shop_id}

    def offered(self, shop_id: UUID, booking_id: UUID, wish: Hashable) -> list[Placement] | None:
        """The alternatives found for the same wish (service, time, staff member, nights)
        since the shop's occupancy last changed; None when they must be searched for (also
        for a booking with rows of its own, which its search leaves out)."""
        occupancy = self._occupancy.get(shop_id)
        found = self._offers.get((shop_id, wish))
        if occupancy is None or found is None or occupancy.holds(booking_id):
            return None
        version, alternatives = found
        return alternatives if version == occupancy.version else None

    def offer(self, shop_id: UUID, booking_id: UUID, wish: Hashable, alternatives: list[Placement]) -> None:
        occupancy = self._occupancy.get(shop_id)
        if occupancy is not None and not occupancy.holds(booking_id):
            self._offers[shop_id, wish] = (occupancy.version, alternatives)

    def spread(self, shop_id: UUID, wish: Hashable, alternatives: list[Placement]) -> list[Placement]:
        """`alternatives` for the batch's next customer refused for `wish`: the first one
        refused gets them in time order, the k-th from the k-th on (and the earlier ones
        after them), so customers refused together who take the first time offered go to
        different times, not all to the same one again."""
        turn = self._refused[shop_id, wish]
        self._refused[shop_id, wish] += 1
        if not alternatives:
            return alternatives
        turn %= len(alternatives)
        return alternatives[turn:] + alternatives[:turn]

    async def place(
        self,
        shop_id: UUID,
        booking_id: UUID,
        placements: Sequence[Placement],
        expires_at: datetime | None,
        kind: allocations.Kind = "current",
    ) -> bool:
        if self._known_free(shop_id, booking_id, placements):
            self._placed += allocations.rows_of(shop_id, booking_id, placements, expires_at, kind)
            self._uow.writes.then(_PLACED, self._send_placed)
            self._occupancy[shop_id].place(booking_id, placements, expires_at, kind)
            return True
        placed = await allocations.try_place_all(
            await self.db(), shop_id, booking_id, placements, expires_at, kind
        )
        if placed and shop_id in self._occupancy:
            self._occupancy[shop_id].place(booking_id, placements, expires_at, kind)
        return placed

    def _known_free(self, shop_id: UUID, booking_id: UUID, placements: Sequence[Placement]) -> bool:
        """Whether the exclusion constraint would take these placements, as far as the view
        knows: it read all of their time, and no other booking has a row there, lapsed or
        not. Not within a savepoint: a command carried out alone tries at once."""
        occupancy = self._occupancy.get(shop_id)
        if occupancy is None or occupancy.holds(booking_id) or self._uow.session.in_nested_transaction():
            return False
        constraint = occupancy.seen_at(LONG_AGO, booking_id)  # every hold still occupies its rows
        return all(
            occupancy.covering(p.starts_at, p.occupied_until)
            and all(constraint.is_free(key, p.starts_at, p.occupied_until) for key in p.keys)
            for p in placements
        )

    async def _send_placed(self, session: Any) -> None:
        await self.db()

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
