"""Care cycles (each row is the timer of its next notice) and the notices they gave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class CycleRow:
    shop_id: UUID
    pet_id: UUID
    kind: str
    customer_id: UUID
    pet_name: str
    every: int
    unit: str
    since: date
    notice_days_before: int
    service_id: UUID | None
    due_on: date
    notice_at: datetime


async def noticed_through(session: AsyncSession, shop_id: UUID, pet_id: UUID) -> dict[str, date | None]:
    """The last due date each of the pet's cycles gave notice of (locked: a notice being
    given now finishes first)."""
    found = await session.execute(
        text("SELECT kind, notified_through FROM care_cycles WHERE shop_id = :s AND pet_id = :p FOR UPDATE"),
        {"s": shop_id, "p": pet_id},
    )
    return {r.kind: r.notified_through for r in found}


async def replace(
    session: AsyncSession, shop_id: UUID, pet_id: UUID, cycles: Sequence[CycleRow], now: datetime
) -> None:
    await session.execute(
        text("DELETE FROM care_cycles WHERE shop_id = :s AND pet_id = :p AND NOT kind = ANY(:kinds)"),
        {"s": shop_id, "p": pet_id, "kinds": [c.kind for c in cycles]},
    )
    if not cycles:
        return
    await session.execute(
        text(
            "INSERT INTO care_cycles (shop_id, pet_id, kind, customer_id, pet_name, every, unit, since, "
            "notice_days_before, service_id, due_on, notice_at, updated_at) VALUES (:shop_id, :pet_id, :kind, "
            ":customer_id, :pet_name, :every, :unit, :since, :notice_days_before, :service_id, :due_on, "
            ":notice_at, :now) ON CONFLICT (shop_id, pet_id, kind) DO UPDATE SET "
            "customer_id = EXCLUDED.customer_id, pet_name = EXCLUDED.pet_name, every = EXCLUDED.every, "
            "unit = EXCLUDED.unit, since = EXCLUDED.since, notice_days_before = EXCLUDED.notice_days_before, "
            "service_id = EXCLUDED.service_id, due_on = EXCLUDED.due_on, notice_at = EXCLUDED.notice_at, "
            "updated_at = EXCLUDED.updated_at"
        ),
        [{**c.__dict__, "now": now} for c in cycles],
    )


async def due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Cycles whose notice is due, with the customer's wishes and the shop's timezone;
    claimed SKIP LOCKED, so each is given by one notify instance."""
    found = await session.execute(
        text(
            "SELECT c.*, sh.timezone, p.language, p.opted_out FROM care_cycles c "
            "LEFT JOIN shops sh ON sh.shop_id = c.shop_id LEFT JOIN preferences p ON p.user_id = c.customer_id "
            "WHERE c.notice_at <= :now ORDER BY c.notice_at LIMIT :n FOR UPDATE OF c SKIP LOCKED"
        ),
        {"now": now, "n": limit},
    )
    return found.all()


async def advance(
    session: AsyncSession,
    row: Row[Any],
    due_on: date | None,
    notice_at: datetime | None,
    noticed: date | None,
) -> None:
    await session.execute(
        text(
            "UPDATE care_cycles SET due_on = :d, notice_at = :at, "
            "notified_through = COALESCE(:noticed, notified_through) "
            "WHERE shop_id = :s AND pet_id = :p AND kind = :k"
        ),
        {"d": due_on, "at": notice_at, "noticed": noticed, "s": row.shop_id, "p": row.pet_id, "k": row.kind},
    )


async def record_notice(
    session: AsyncSession, row: Row[Any], status: str, notification_id: str | None, notice: str, now: datetime
) -> None:
    await session.execute(
        text(
            "INSERT INTO care_notices (id, shop_id, user_id, pet_id, kind, due_on, status, notification_id, "
            "decided_at) VALUES (:id, :s, :u, :p, :k, :d, :st, :n, :now) ON CONFLICT (id) DO NOTHING"
        ),
        {
            "id": notice,
            "s": row.shop_id,
            "u": row.customer_id,
            "p": row.pet_id,
            "k": row.kind,
            "d": row.due_on,
            "st": status,
            "n": notification_id,
            "now": now,
        },
    )


async def cycles_of(session: AsyncSession, shop_id: UUID, pet_id: UUID) -> list[dict[str, Any]]:
    found = await session.execute(
        text(
            "SELECT kind, every, unit, since, notice_days_before, service_id, due_on, notice_at, "
            "notified_through FROM care_cycles WHERE shop_id = :s AND pet_id = :p ORDER BY kind"
        ),
        {"s": shop_id, "p": pet_id},
    )
    return [dict(r._mapping) for r in found]


async def notices_of(session: AsyncSession, shop_id: UUID, pet_id: UUID, limit: int) -> list[dict[str, Any]]:
    found = await session.execute(
        text(
            "SELECT c.id, c.kind, c.due_on, c.status, c.notification_id, c.decided_at, "
            "n.status AS delivery_status FROM care_notices c LEFT JOIN notifications n ON n.id = c.notification_id "
            "WHERE c.shop_id = :s AND c.pet_id = :p ORDER BY c.decided_at DESC, c.id LIMIT :n"
        ),
        {"s": shop_id, "p": pet_id, "n": limit},
    )
    return [dict(r._mapping) for r in found]
