"""What notify knows of a shop's customers, for campaigns: sign-ups, bookings, pets and
conversation labels (kept from events), and each segment's rule as SQL.

Every write is idempotent and order-safe: a row keeps the newest version of its
aggregate, so a redelivered or late event changes nothing and a replay from the start
of the topics rebuilds the same tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_platform.row_writes import RowWrite
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import segments

TABLES = ("audience_customers", "audience_bookings", "audience_pets", "audience_conversations")


_CUSTOMER_JOINED = text(
    "INSERT INTO audience_customers (shop_id, customer_id, joined_at) VALUES (:s, :c, :at) "
    "ON CONFLICT (shop_id, customer_id) DO UPDATE SET joined_at = LEAST("
    "audience_customers.joined_at, EXCLUDED.joined_at)"
)
_BOOKING_CHANGED = text(
    "INSERT INTO audience_bookings (booking_id, shop_id, customer_id, status, starts_at, completed_at, "
    "version) VALUES (:b, :s, :c, :st, :starts, CASE WHEN :st = 'completed' THEN "
    "CAST(:at AS timestamptz) END, :v) ON CONFLICT (booking_id) DO UPDATE SET status = EXCLUDED.status, "
    "starts_at = EXCLUDED.starts_at, version = EXCLUDED.version, completed_at = CASE WHEN "
    "EXCLUDED.status = 'completed' THEN COALESCE(audience_bookings.completed_at, EXCLUDED.completed_at) "
    "END WHERE audience_bookings.version <= EXCLUDED.version"
)
_PET_CHANGED = text(
    "INSERT INTO audience_pets (pet_id, shop_id, customer_id, species, version) "
    "VALUES (:p, :s, :c, :sp, :v) ON CONFLICT (pet_id) DO UPDATE SET species = EXCLUDED.species, "
    "customer_id = EXCLUDED.customer_id, version = EXCLUDED.version "
    "WHERE audience_pets.version <= EXCLUDED.version"
)
_LABELS_CHANGED = text(
    "INSERT INTO audience_conversations (conversation_id, shop_id, customer_id, labels, version) "
    "VALUES (:id, :s, :c, :l, :v) ON CONFLICT (conversation_id) DO UPDATE SET labels = EXCLUDED.labels, "
    "version = EXCLUDED.version WHERE audience_conversations.version <= EXCLUDED.version"
)


def customer_joined(shop_id: UUID, customer_id: UUID, at: datetime) -> RowWrite:
    params = {"s": shop_id, "c": customer_id, "at": at}
    return RowWrite(_CUSTOMER_JOINED, ("audience_customers", shop_id, customer_id), params)


def booking_changed(
    *,
    booking_id: UUID,
    shop_id: UUID,
    customer_id: UUID,
    status: str,
    starts_at: datetime,
    at: datetime,
    version: int,
) -> RowWrite:
    """The booking as it is after the event; completed_at is when it was first completed."""
    params = {"b": booking_id, "s": shop_id, "c": customer_id, "st": status, "starts": starts_at}
    return RowWrite(_BOOKING_CHANGED, ("audience_bookings", booking_id), {**params, "at": at, "v": version})


def pet_changed(*, pet_id: UUID, shop_id: UUID, customer_id: UUID, species: str, version: int) -> RowWrite:
    params = {"p": pet_id, "s": shop_id, "c": customer_id, "sp": segments.normalized(species), "v": version}
    return RowWrite(_PET_CHANGED, ("audience_pets", pet_id), params)


def labels_changed(
    *, conversation_id: UUID, shop_id: UUID, customer_id: UUID, labels: Sequence[str], version: int
) -> RowWrite:
    normalized = sorted({segments.normalized(label) for label in labels} - {""})
    params = {"id": conversation_id, "s": shop_id, "c": customer_id, "l": normalized, "v": version}
    return RowWrite(_LABELS_CHANGED, ("audience_conversations", conversation_id), params)


async def members(
    session: AsyncSession, shop_id: UUID, segment: segments.Segment, now: datetime
) -> list[UUID]:
    """The shop's customers in the segment right now, in a stable order."""
    sql, params = _query(segment, now)
    rows = await session.execute(text(sql + " ORDER BY customer_id"), {"shop": shop_id, **params})
    return [row.customer_id for row in rows]


def _query(segment: segments.Segment, now: datetime) -> tuple[str, dict[str, Any]]:
    match segment:
        case segments.NewCustomers():
            return (
                "SELECT customer_id FROM audience_customers WHERE shop_id = :shop "
                "AND joined_at BETWEEN :since AND :now",
                {"since": segment.since(now), "now": now},
            )
        case segments.Frequent():
            return (
                "SELECT customer_id FROM audience_bookings WHERE shop_id = :shop AND status = 'completed' "
                "AND completed_at BETWEEN :since AND :now GROUP BY customer_id HAVING count(*) >= :n",
                {"since": segment.since(now), "now": now, "n": segment.min_bookings},
            )
        case segments.Dormant():
            return (
                "SELECT customer_id FROM audience_bookings WHERE shop_id = :shop AND status = ANY(:booked) "
                "GROUP BY customer_id HAVING max(starts_at) < :since",
                {"since": segment.since(now), "booked": list(segments.BOOKED)},
            )
        case segments.Labelled():
            return (
                "SELECT DISTINCT customer_id FROM audience_conversations WHERE shop_id = :shop "
                "AND labels @> ARRAY[CAST(:label AS text)]",
                {"label": segment.label},
            )
        case segments.PetType():
            return (
                "SELECT DISTINCT customer_id FROM audience_pets WHERE shop_id = :shop AND species = :species",
                {"species": segment.species},
            )
