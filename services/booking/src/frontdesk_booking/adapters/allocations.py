"""The live allocations: one row per (booking, staff member or resource unit, time range).

The table's exclusion constraint (btree_gist) refuses two rows for the same staff member
or unit with overlapping ranges unless they belong to the same booking; it is what makes
double booking impossible, however many transactions try at once. Rows are written in
the transaction that appends the booking's event. A hold's rows carry expires_at and are
ignored by slot search once expired; the constraint still sees them until the hold is
expired for good (by the sweeper, or by the first booking that needs the time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.placement import Busy, Placement

Kind = Literal["current", "proposed"]
EXCLUSION_VIOLATION = "23P01"


async def busy(
    session: AsyncSession,
    shop_id: UUID,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore_booking: UUID | None = None,
) -> list[Busy]:
    """Everything live in the shop that overlaps [start, end)."""
    rows = await session.execute(
        text(
            "SELECT key, lower(during) AS s, upper(during) AS e FROM allocations "
            "WHERE shop_id = :shop AND during && tstzrange(:start, :end) "
            "AND (expires_at IS NULL OR expires_at > :now) "
            "AND booking_id IS DISTINCT FROM :ignore"
        ),
        {"shop": shop_id, "start": start, "end": end, "now": now, "ignore": ignore_booking},
    )
    return [Busy(r.key, r.s, r.e) for r in rows]


async def expired_in_the_way(session: AsyncSession, placement: Placement, now: datetime) -> list[UUID]:
    """Bookings whose expired hold still occupies part of this placement."""
    rows = await session.execute(
        text(
            "SELECT DISTINCT booking_id FROM allocations WHERE key = ANY(:keys) "
            "AND during && tstzrange(:start, :until) AND expires_at <= :now"
        ),
        {
            "keys": list(placement.keys),
            "start": placement.starts_at,
            "until": placement.occupied_until,
            "now": now,
        },
    )
    return [r.booking_id for r in rows]


async def expired_holds(session: AsyncSession, now: datetime, limit: int) -> list[UUID]:
    rows = await session.execute(
        text(
            "SELECT booking_id FROM allocations WHERE expires_at <= :now "
            "GROUP BY booking_id ORDER BY min(expires_at) LIMIT :n"
        ),
        {"now": now, "n": limit},
    )
    return [r.booking_id for r in rows]


async def try_place(
    session: AsyncSession,
    shop_id: UUID,
    booking_id: UUID,
    placement: Placement,
    expires_at: datetime | None,
    kind: Kind = "current",
) -> bool:
    """Allocate every staff member and unit of the placement; False if any is taken."""
    return await try_place_all(session, shop_id, booking_id, (placement,), expires_at, kind)


async def try_place_all(
    session: AsyncSession,
    shop_id: UUID,
    booking_id: UUID,
    placements: Sequence[Placement],
    expires_at: datetime | None,
    kind: Kind = "current",
) -> bool:
    """Allocate every part of a booking (each service of a booking of several) at once:
    all of them or, if anything is taken, none (False)."""
    rows = [
        {
            "booking": booking_id,
            "shop": shop_id,
            "key": key,
            "kind": kind,
            "part": part,
            "start": placement.starts_at,
            "until": placement.occupied_until,
            "expires": expires_at,
        }
        for part, placement in enumerate(placements)
        for key in placement.keys
    ]
    rows.sort(
        key=lambda r: (r["key"], r["start"])
    )  # one order for everyone keeps lock waits from deadlocking
    try:
        async with session.begin_nested():
            await session.execute(
                text(
                    "INSERT INTO allocations (booking_id, shop_id, key, kind, part, during, expires_at) "
                    "VALUES (:booking, :shop, :key, :kind, :part, tstzrange(:start, :until), :expires)"
                ),
                rows,
            )
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            return False
        raise
    return True


async def confirm(session: AsyncSession, booking_id: UUID) -> None:
    await session.execute(
        text("UPDATE allocations SET expires_at = NULL WHERE booking_id = :b"), {"b": booking_id}
    )


async def release(session: AsyncSession, booking_id: UUID, kind: Kind | None = None) -> None:
    await session.execute(
        text(
            "DELETE FROM allocations WHERE booking_id = :b AND (CAST(:kind AS TEXT) IS NULL OR kind = :kind)"
        ),
        {"b": booking_id, "kind": kind},
    )


async def promote_proposal(session: AsyncSession, booking_id: UUID) -> None:
    """The proposed placement becomes the booking's own."""
    await release(session, booking_id, "current")
    await session.execute(
        text("UPDATE allocations SET kind = 'current' WHERE booking_id = :b AND kind = 'proposed'"),
        {"b": booking_id},
    )
