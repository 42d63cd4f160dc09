"""The live allocations: one row per (booking, staff member or resource unit, time range).

The table's exclusion constraint (btree_gist) refuses two rows for the same staff member
or unit with overlapping ranges unless they belong to the same booking; it is what makes
double booking impossible, however many transactions try at once. Rows are written in
the transaction that appends the booking's event. A hold's rows carry expires_at and are
ignored by slot search once expired; the constraint still sees them until the hold is
expired for good (by the sweeper, or by the first booking that needs the time).

The statements go straight to the transaction's asyncpg connection (a command's hot
path: SQLAlchemy's statement building cost more than the statements).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NamedTuple
from uuid import UUID

import asyncpg

from ..domain.occupancy import ANYONE, Allocation, Stretch
from ..domain.placement import Busy, Placement

Kind = Literal["current", "proposed"]

# Each staff member's or unit's busy time merged into runs (back-to-back bookings are one):
# a slot search only asks whether a time is free, and a week of a busy shop is then a few
# rows a key instead of one a booking (fewer rows to send and decode).
_BUSY = (
    "SELECT key, lower(run), upper(run) FROM ("
    "SELECT key, unnest(range_agg(during)) AS run FROM allocations "
    "WHERE shop_id = $1 AND during && tstzrange($2, $3) "
    "AND (expires_at IS NULL OR expires_at > $4) "
    "AND booking_id IS DISTINCT FROM $5 GROUP BY key) AS merged"
)


async def busy(
    db: asyncpg.Connection,
    shop_id: UUID,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore_booking: UUID | None = None,
) -> list[Busy]:
    """Everything live in the shop that overlaps [start, end), each key's time merged into
    runs (a run may reach past the window)."""
    rows = await db.fetch(_BUSY, shop_id, start, end, now, ignore_booking)
    return [Busy(key, lower, upper) for key, lower, upper in rows]


# The rows a batch may change (holds, which lapse, and the bookings its commands name) one
# by one; the rest merged into runs per staff member or unit (fewer rows to send and decode).
# No list of the bookings named: every row one by one.
_ROWS = (
    "SELECT lower(run), upper(run), key, $4::uuid, 'current', NULL::timestamptz FROM ("
    "SELECT key, unnest(range_agg(during)) AS run FROM allocations "
    "WHERE shop_id = $1 AND during && ANY($2::tstzrange[]) AND $3::uuid[] IS NOT NULL "
    "AND expires_at IS NULL AND booking_id <> ALL($3::uuid[]) GROUP BY key) AS merged "
    "UNION ALL "
    "SELECT lower(during), upper(during), key, booking_id, kind, expires_at FROM allocations "
    "WHERE shop_id = $1 AND during && ANY($2::tstzrange[]) "
    "AND (expires_at IS NOT NULL OR booking_id = ANY($3::uuid[]) OR $3::uuid[] IS NULL)"
)


async def rows(
    db: asyncpg.Connection,
    shop_id: UUID,
    stretches: Sequence[Stretch],
    changing: Sequence[UUID] | None,
) -> list[Allocation]:
    """Every row of the shop that overlaps any of the stretches, expired holds too (they
    still occupy their time until expired for good); the confirmed rows of bookings not in
    `changing` as runs of `ANYONE` (None: no runs)."""
    found = await db.fetch(
        _ROWS,
        shop_id,
        [asyncpg.Range(lo, hi) for lo, hi in stretches],
        None if changing is None else list(changing),
        ANYONE,
    )
    return [Allocation(*row) for row in found]


# The statements that find a booking's rows, through the primary key (booking_id first;
# migration 0009 keeps the exclusion constraint's index out of their way).
CONFIRM = "UPDATE allocations SET expires_at = NULL WHERE booking_id = ANY($1::uuid[])"
RELEASE = "DELETE FROM allocations WHERE booking_id = $1 AND ($2::text IS NULL OR kind = $2::text)"
PROMOTE = "UPDATE allocations SET kind = 'current' WHERE booking_id = $1 AND kind = 'proposed'"


async def confirm_all(db: asyncpg.Connection, booking_ids: Sequence[UUID]) -> None:
    await db.execute(CONFIRM, booking_ids)


async def expired_in_the_way(db: asyncpg.Connection, placement: Placement, now: datetime) -> list[UUID]:
    """Bookings whose expired hold still occupies part of this placement."""
    rows = await db.fetch(
        "SELECT DISTINCT booking_id FROM allocations WHERE key = ANY($1::uuid[]) "
        "AND during && tstzrange($2, $3) AND expires_at <= $4",
        list(placement.keys),
        placement.starts_at,
        placement.occupied_until,
        now,
    )
    return [r["booking_id"] for r in rows]


async def expired_holds(db: asyncpg.Connection, now: datetime, limit: int) -> list[UUID]:
    rows = await db.fetch(
        "SELECT booking_id FROM allocations WHERE expires_at <= $1 "
        "GROUP BY booking_id ORDER BY min(expires_at) LIMIT $2",
        now,
        limit,
    )
    return [r["booking_id"] for r in rows]


async def try_place(
    db: asyncpg.Connection,
    shop_id: UUID,
    booking_id: UUID,
    placement: Placement,
    expires_at: datetime | None,
    kind: Kind = "current",
) -> bool:
    """Allocate every staff member and unit of the placement; False if any is taken."""
    return await try_place_all(db, shop_id, booking_id, (placement,), expires_at, kind)


# Every row of a placement in one statement. A row the exclusion constraint (or the primary
# key) refuses is skipped, not raised: no savepoint is needed around the try, and when
# fewer rows went in than were asked for, the ones that did are taken out again (by their
# ctid, which stays put within the transaction that wrote them), so a try is all or nothing.
_PLACE = (
    "INSERT INTO allocations (booking_id, shop_id, key, kind, part, during, expires_at) "
    "SELECT $1, $2, key, $3, part, tstzrange(s, u), $4 FROM unnest("
    "$5::uuid[], $6::smallint[], $7::timestamptz[], $8::timestamptz[]"
    ") WITH ORDINALITY AS r(key, part, s, u, n) ORDER BY n "
    "ON CONFLICT DO NOTHING RETURNING ctid::text"
)
_UNPLACE = "DELETE FROM allocations WHERE ctid = ANY($1::text[]::tid[])"


class Row(NamedTuple):
    """A row to insert: a booking's staff member or unit for one part of it."""

    key: UUID
    starts_at: datetime
    until: datetime
    part: int
    booking_id: UUID
    shop_id: UUID
    kind: Kind
    expires_at: datetime | None


def rows_of(
    shop_id: UUID,
    booking_id: UUID,
    placements: Sequence[Placement],
    expires_at: datetime | None,
    kind: Kind = "current",
) -> list[Row]:
    """The rows that allocate every part of a booking (each service of a booking of several)."""
    return [
        Row(key, placement.starts_at, placement.occupied_until, part, booking_id, shop_id, kind, expires_at)
        for part, placement in enumerate(placements)
        for key in placement.keys
    ]


def _lock_order(row: Row) -> tuple[UUID, datetime]:
    """One order for every insert keeps lock waits from deadlocking."""
    return row.key, row.starts_at


async def try_place_all(
    db: asyncpg.Connection,
    shop_id: UUID,
    booking_id: UUID,
    placements: Sequence[Placement],
    expires_at: datetime | None,
    kind: Kind = "current",
) -> bool:
    """Allocate every part of a booking (each service of a booking of several) at once:
    all of them or, if anything is taken, none (False)."""
    rows = sorted(rows_of(shop_id, booking_id, placements, expires_at, kind), key=_lock_order)
    placed = await db.fetch(
        _PLACE,
        booking_id,
        shop_id,
        kind,
        expires_at,
        [r.key for r in rows],
        [r.part for r in rows],
        [r.starts_at for r in rows],
        [r.until for r in rows],
    )
    if len(placed) == len(rows):
        return True
    if placed:
        await db.execute(_UNPLACE, [r[0] for r in placed])
    return False


# The rows of many bookings in one statement, none of them expected to meet a refusal
# (AllocationView: what the batch knows is free). A refusal is an error here, which undoes
# the transaction: the exclusion constraint stays the last word.
_INSERT_ALL = (
    "INSERT INTO allocations (booking_id, shop_id, key, kind, part, during, expires_at) "
    "SELECT booking_id, shop_id, key, kind, part, tstzrange(s, u), expires_at FROM unnest("
    "$1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::smallint[], $6::timestamptz[], "
    "$7::timestamptz[], $8::timestamptz[]"
    ") WITH ORDINALITY AS r(booking_id, shop_id, key, kind, part, s, u, expires_at, n) ORDER BY n"
)


async def insert_all(db: asyncpg.Connection, rows: Sequence[Row]) -> None:
    """Rows of any bookings, at once. Sorted by staff member or unit and time, the order
    every insert here takes its locks in, so two transactions never wait for each other."""
    rows = sorted(rows, key=_lock_order)
    await db.execute(
        _INSERT_ALL,
        [r.booking_id for r in rows],
        [r.shop_id for r in rows],
        [r.key for r in rows],
        [r.kind for r in rows],
        [r.part for r in rows],
        [r.starts_at for r in rows],
        [r.until for r in rows],
        [r.expires_at for r in rows],
    )


async def release(db: asyncpg.Connection, booking_id: UUID, kind: Kind | None = None) -> None:
    await db.execute(RELEASE, booking_id, kind)


async def promote_proposal(db: asyncpg.Connection, booking_id: UUID) -> None:
    """The proposed placement becomes the booking's own."""
    await release(db, booking_id, "current")
    await db.execute(PROMOTE, booking_id)
