"""The shop's calendar: every booking and staff time off, each with its place in commit
order, so a staff device that was offline asks for exactly what changed since its cursor.

Written in the transaction of the booking's or shop's events. A row's place is
(xid of the writing transaction, a sequence number); a read returns only rows whose
transaction is below the xmin of its snapshot, as the outbox relay does: a sequence
number alone commits out of order, and "id > cursor" would skip a row committed late.
A transaction that writes later always has a larger xid than that xmin, so nothing
lands behind a cursor, and a row is returned once per change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from frontdesk_platform.row_writes import RowWrite, copy_rows
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.booking import Booking
from ..domain.shop import Shop, TimeOffAdded, TimeOffRemoved

TABLES = ("calendar_entries",)
LAST_ID = 2**63 - 1


@dataclass(frozen=True, order=True)
class Position:
    """Everything at or before (xid, id) in commit order has been seen."""

    xid: int = 0
    id: int = 0


@dataclass(frozen=True)
class Entry:
    entry_id: UUID
    kind: str
    staff_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    status: str
    body: dict[str, Any]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and self.ends_at > start


_UPSERT = text(
    "INSERT INTO calendar_entries (shop_id, entry_id, kind, staff_id, starts_at, ends_at, status, body, "
    "changed_xid, changed_id) VALUES (:shop, :entry, :kind, :staff, :starts, :ends, :status, "
    "CAST(:body AS jsonb), pg_current_xact_id(), nextval('calendar_changes')) "
    "ON CONFLICT (shop_id, entry_id) DO UPDATE SET staff_id = EXCLUDED.staff_id, "
    "starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, status = EXCLUDED.status, "
    "body = EXCLUDED.body, changed_xid = EXCLUDED.changed_xid, changed_id = EXCLUDED.changed_id"
)


async def copy_bookings(connection: asyncpg.Connection, bookings: Sequence[Booking]) -> None:
    """Every booking's entry by COPY into the emptied table (a rebuild), each placed in
    commit order as `_UPSERT` places it: this transaction's xid, the sequence's next number."""
    xid = await connection.fetchval("SELECT pg_current_xact_id()")
    numbers = await connection.fetch(
        "SELECT nextval('calendar_changes') AS n FROM generate_series(1, $1)", len(bookings)
    )
    rows = [{**_booking_row(b), "xid": xid, "id": n["n"]} for b, n in zip(bookings, numbers, strict=True)]
    await copy_rows(connection, "calendar_entries", _COPIED, rows)


# Each column's parameter in _UPSERT (its change columns: copy_bookings's own values).
_COPIED = {
    "shop_id": "shop",
    "entry_id": "entry",
    "kind": "kind",
    "staff_id": "staff",
    "starts_at": "starts",
    "ends_at": "ends",
    "status": "status",
    "body": "body",
    "changed_xid": "xid",
    "changed_id": "id",
}


def booking_write(booking: Booking) -> RowWrite:
    """The booking's entry as a staged write (a live batch sends them together)."""
    return RowWrite(_UPSERT, ("calendar_entries", booking.id), _booking_row(booking))


_REMOVE = text(
    "UPDATE calendar_entries SET status = 'removed', body = jsonb_set(body, '{status}', '\"removed\"'), "
    "changed_xid = pg_current_xact_id(), changed_id = nextval('calendar_changes') "
    "WHERE shop_id = :shop AND entry_id = :entry"
)


async def project_time_off(session: AsyncSession, shop: Shop, events: Iterable[object]) -> None:
    """Time off added shows as `active`, withdrawn as `removed` (a device drops it)."""
    for event in events:
        if isinstance(event, TimeOffAdded):
            await session.execute(_UPSERT, _time_off_body(shop.id, event.staff_id, event.time_off, "active"))
        elif isinstance(event, TimeOffRemoved):
            await session.execute(_REMOVE, {"shop": shop.id, "entry": event.time_off_id})


def _booking_row(booking: Booking) -> dict[str, Any]:
    assert booking.placement is not None and booking.shop_id is not None
    placement = booking.placement
    body = {
        "booking_id": str(booking.id),
        "customer_id": str(booking.customer_id),
        "pet_id": str(booking.pet_id) if booking.pet_id else None,
        "service_id": str(booking.service_id),
        "staff_id": str(placement.staff_id) if placement.staff_id else None,
        "resource_units": [str(u) for u in placement.resource_units],
        "starts_at": placement.starts_at.isoformat(),
        "ends_at": placement.ends_at.isoformat(),
        "nights": placement.nights,
        "status": booking.status,
        "source": booking.source,
        "hold_expires_at": booking.hold_expires_at.isoformat() if booking.hold_expires_at else None,
        "version": booking.version,
        "updated_at": booking.updated_at.isoformat() if booking.updated_at else None,
    }
    return {
        "shop": booking.shop_id,
        "entry": booking.id,
        "kind": "booking",
        "staff": placement.staff_id,
        "starts": placement.starts_at,
        "ends": placement.ends_at,
        "status": booking.status,
        "body": json.dumps(body),
    }


def _time_off_body(shop_id: UUID, staff_id: UUID, off: Any, status: str) -> dict[str, Any]:
    body = {
        "time_off_id": str(off.id),
        "staff_id": str(staff_id),
        "starts_at": off.starts_at.isoformat(),
        "ends_at": off.ends_at.isoformat(),
        "reason": off.reason,
        "status": status,
    }
    return {
        "shop": shop_id,
        "entry": off.id,
        "kind": "time_off",
        "staff": staff_id,
        "starts": off.starts_at,
        "ends": off.ends_at,
        "status": status,
        "body": json.dumps(body),
    }


_COLUMNS = "entry_id, kind, staff_id, starts_at, ends_at, status, body"
_XMIN = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")


async def _settled(session: AsyncSession) -> int:
    """Every transaction below this xid has ended: rows under it can no longer change place."""
    return int((await session.execute(_XMIN)).scalar_one())


async def in_range(
    session: AsyncSession, shop_id: UUID, start: datetime, end: datetime, staff_id: UUID | None = None
) -> tuple[list[Entry], Position]:
    """What the calendar holds for [start, end), and the cursor to ask for changes from.
    A row still being written is left to the next call's changes, so none comes twice."""
    xmin = await _settled(session)
    staff = " AND staff_id = :staff" if staff_id else ""
    rows = await session.execute(
        text(
            f"SELECT {_COLUMNS} FROM calendar_entries WHERE shop_id = :shop AND starts_at < :end "
            f"AND ends_at > :start AND status <> 'removed' AND changed_xid < :xmin{staff} "
            "ORDER BY starts_at, entry_id"
        ),
        {"shop": shop_id, "start": start, "end": end, "xmin": xmin, "staff": staff_id},
    )
    return [Entry(**r) for r in rows.mappings()], Position(xmin - 1, LAST_ID)


async def changed_since(
    session: AsyncSession, shop_id: UUID, after: Position, limit: int
) -> tuple[list[Entry], Position, bool]:
    """The entries changed after `after`, oldest change first, each as it is now; the next
    cursor, and whether more are waiting."""
    xmin = await _settled(session)
    rows = (
        (
            await session.execute(
                text(
                    f"SELECT {_COLUMNS}, changed_xid::text AS xid, changed_id FROM calendar_entries "
                    "WHERE shop_id = :shop AND (changed_xid, changed_id) > (CAST(:x AS xid8), :i) "
                    "AND changed_xid < CAST(:xmin AS xid8) ORDER BY changed_xid, changed_id LIMIT :n"
                ),
                {"shop": shop_id, "x": after.xid, "i": after.id, "xmin": xmin, "n": limit + 1},
            )
        )
        .mappings()
        .all()
    )
    more = len(rows) > limit
    page = rows[:limit]
    if more:
        last = page[-1]
        position = Position(int(last["xid"]), last["changed_id"])
    else:  # everything below xmin has been seen
        position = max(after, Position(xmin - 1, LAST_ID))
    entries = [Entry(**{k: v for k, v in r.items() if k not in ("xid", "changed_id")}) for r in page]
    return entries, position, more
