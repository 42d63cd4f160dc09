"""Bookings and their progress updates, as the API lists them. Written in the same
transaction as the booking's events; rebuilt by replaying them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from frontdesk_platform.row_writes import RowWrite, copy_rows
from pydantic import TypeAdapter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.booking import Booking
from ..domain.booking_events import BookingEvent, ProgressPosted, Proposal, StaffNoteAdded
from ..domain.chain import Part

TABLES = ("booking_staff_notes", "booking_updates", "bookings")
_PROPOSAL = TypeAdapter(Proposal)


async def copy_all(
    connection: asyncpg.Connection, bookings: Sequence[Booking], events: Iterable[BookingEvent]
) -> None:
    """The rows `writes` leaves for these bookings and their events, by COPY into the
    emptied tables (a rebuild); an update or note id seen again is skipped, as the
    statements' ON CONFLICT DO NOTHING skips it."""
    await copy_rows(connection, "bookings", _BOOKING_COLUMNS, [_booking_row(b) for b in bookings])
    updates: dict[UUID, dict[str, Any]] = {}
    notes: dict[UUID, dict[str, Any]] = {}
    for event in events:
        if isinstance(event, ProgressPosted):
            updates.setdefault(event.update_id, _update_row(event))
        elif isinstance(event, StaffNoteAdded):
            notes.setdefault(event.note_id, _note_row(event))
    await copy_rows(connection, "booking_updates", _UPDATE_COLUMNS, updates.values())
    await copy_rows(connection, "booking_staff_notes", _NOTE_COLUMNS, notes.values())


def writes(booking: Booking, events: Sequence[BookingEvent]) -> list[RowWrite]:
    """The same rows as `project`, as staged writes (a live batch sends them together)."""
    found = [RowWrite(_UPSERT_BOOKING, ("bookings", booking.id), _booking_row(booking))]
    for event in events:
        if isinstance(event, ProgressPosted):
            found.append(RowWrite(_INSERT_UPDATE, ("booking_updates", event.update_id), _update_row(event)))
        elif isinstance(event, StaffNoteAdded):
            found.append(RowWrite(_INSERT_NOTE, ("booking_staff_notes", event.note_id), _note_row(event)))
    return found


_UPSERT_BOOKING = text(
    "INSERT INTO bookings (id, shop_id, customer_id, pet_id, service_id, staff_id, resource_units, "
    "starts_at, ends_at, nights, price_cents, status, hold_expires_at, source, proposal, "
    "services, customer_note, created_at, updated_at, version) "
    "VALUES (:id, :shop_id, :customer_id, :pet_id, :service_id, :staff_id, :resource_units, "
    ":starts_at, :ends_at, :nights, :price_cents, :status, :hold_expires_at, :source, "
    "CAST(:proposal AS jsonb), CAST(:services AS jsonb), :customer_note, :created_at, :updated_at, :version) "
    "ON CONFLICT (id) DO UPDATE SET staff_id = EXCLUDED.staff_id, "
    "resource_units = EXCLUDED.resource_units, starts_at = EXCLUDED.starts_at, "
    "ends_at = EXCLUDED.ends_at, nights = EXCLUDED.nights, price_cents = EXCLUDED.price_cents, "
    "status = EXCLUDED.status, "
    "hold_expires_at = EXCLUDED.hold_expires_at, "
    "proposal = EXCLUDED.proposal, services = EXCLUDED.services, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
)
_INSERT_NOTE = text(
    "INSERT INTO booking_staff_notes (note_id, booking_id, text, written_by, written_at) "
    "VALUES (:n, :b, :t, :by, :at) ON CONFLICT (note_id) DO NOTHING"
)
_INSERT_UPDATE = text(
    "INSERT INTO booking_updates (update_id, booking_id, text, photo_ref, posted_by, "
    "posted_at, live_view_id) VALUES (:u, :b, :t, :p, :by, :at, :lv) ON CONFLICT (update_id) DO NOTHING"
)


# Each column's parameter in the statements above, for copy_all.
_BOOKING_COLUMNS = {
    column: column
    for column in (
        "id shop_id customer_id pet_id service_id staff_id resource_units starts_at ends_at nights "
        "price_cents status hold_expires_at source proposal services customer_note created_at updated_at "
        "version"
    ).split()
}
_NOTE_COLUMNS = {"note_id": "n", "booking_id": "b", "text": "t", "written_by": "by", "written_at": "at"}
_UPDATE_COLUMNS = {
    "update_id": "u",
    "booking_id": "b",
    "text": "t",
    "photo_ref": "p",
    "posted_by": "by",
    "posted_at": "at",
    "live_view_id": "lv",
}


def _booking_row(booking: Booking) -> dict[str, Any]:
    row = _columns(booking)
    for column in ("proposal", "services"):
        row[column] = json.dumps(row[column]) if row[column] is not None else None
    return row


def _columns(booking: Booking) -> dict[str, Any]:
    """The booking's row, column by column (its proposal as a JSON value)."""
    assert booking.placement is not None and booking.created_at and booking.updated_at
    placement = booking.placement
    return {
        "id": booking.id,
        "shop_id": booking.shop_id,
        "customer_id": booking.customer_id,
        "pet_id": booking.pet_id,
        "service_id": booking.service_id,
        "staff_id": placement.staff_id,
        "resource_units": list(placement.resource_units),
        "starts_at": placement.starts_at,
        "ends_at": placement.ends_at,
        "nights": placement.nights,
        "price_cents": booking.price_cents,
        "status": booking.status,
        "hold_expires_at": booking.hold_expires_at,
        "source": booking.source,
        "proposal": _PROPOSAL.dump_python(booking.proposal, mode="json") if booking.proposal else None,
        "services": [_service(p) for p in booking.parts] if booking.parts else None,
        "customer_note": booking.customer_note,
        "created_at": booking.created_at,
        "updated_at": booking.updated_at,
        "version": booking.version,
    }


# Progress updates are posted only once a booking is checked in: before that (and when it
# ends without service) a booking's view is its row alone.
WITHOUT_UPDATES = frozenset({"held", "confirmed", "cancelled", "expired", "no_show"})


def view(booking: Booking) -> dict[str, Any] | None:
    """The booking as `get` will read it once this transaction commits, told without a
    read; None once it may have progress updates (only their table knows them)."""
    if booking.status not in WITHOUT_UPDATES:
        return None
    return {**_columns(booking), "updates": [], "staff_notes": None}


def _service(part: Part) -> dict[str, Any]:
    placement = part.placement
    return {
        "service_id": str(part.service_id),
        "starts_at": placement.starts_at.isoformat(),
        "ends_at": placement.ends_at.isoformat(),
        "staff_id": str(placement.staff_id) if placement.staff_id else None,
        "resource_units": [str(u) for u in placement.resource_units],
        "price_cents": part.price_cents,
    }


def _note_row(event: StaffNoteAdded) -> dict[str, Any]:
    return {"n": event.note_id, "b": event.booking_id, "t": event.text, "by": event.by, "at": event.at}


def _update_row(event: ProgressPosted) -> dict[str, Any]:
    return {
        "u": event.update_id,
        "b": event.booking_id,
        "t": event.text,
        "p": event.photo_ref,
        "by": event.by,
        "at": event.at,
        "lv": event.live_view_id,
    }


_COLUMNS = (
    "id, shop_id, customer_id, pet_id, service_id, staff_id, resource_units, starts_at, ends_at, nights, "
    "price_cents, status, hold_expires_at, source, proposal, services, customer_note, created_at, "
    "updated_at, version"
)


async def get(
    session: AsyncSession, shop_id: UUID, booking_id: UUID, staff_view: bool = False
) -> dict[str, Any] | None:
    """A booking with its progress updates; with `staff_view`, also the staff's notes (never
    for a customer)."""
    row = (
        (
            await session.execute(
                text(f"SELECT {_COLUMNS} FROM bookings WHERE id = :id AND shop_id = :shop"),
                {"id": booking_id, "shop": shop_id},
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    found = dict(row)
    updates = await session.execute(
        text(
            "SELECT update_id, text, photo_ref, posted_by, posted_at, live_view_id FROM booking_updates "
            "WHERE booking_id = :id ORDER BY posted_at, update_id"
        ),
        {"id": booking_id},
    )
    found["updates"] = [dict(u) for u in updates.mappings()]
    if staff_view:
        notes = await session.execute(
            text(
                "SELECT note_id, text, written_by, written_at FROM booking_staff_notes "
                "WHERE booking_id = :id ORDER BY written_at, note_id"
            ),
            {"id": booking_id},
        )
        found["staff_notes"] = [dict(n) for n in notes.mappings()]
    return found


async def search(
    session: AsyncSession,
    shop_id: UUID,
    *,
    customer_id: UUID | None = None,
    pet_id: UUID | None = None,
    status: str | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    where = ["shop_id = :shop"]
    for column, value, op in (
        ("customer_id", customer_id, "="),
        ("pet_id", pet_id, "="),
        ("status", status, "="),
        ("starts_at", starts_from, ">="),
        ("starts_at", starts_before, "<"),
    ):
        if value is not None:
            where.append(f"{column} {op} :{column}_{'lo' if op == '>=' else 'v'}")
    params = {
        "shop": shop_id,
        "customer_id_v": customer_id,
        "pet_id_v": pet_id,
        "status_v": status,
        "starts_at_lo": starts_from,
        "starts_at_v": starts_before,
        "n": limit,
    }
    rows = await session.execute(
        text(f"SELECT {_COLUMNS} FROM bookings WHERE {' AND '.join(where)} ORDER BY starts_at, id LIMIT :n"),
        params,
    )
    return [dict(r) for r in rows.mappings()]
