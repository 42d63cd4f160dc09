"""Who is there for a shop's customers when nobody is: the shop's staff and their roles
(from identity events), and the staff members the owner put on duty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from frontdesk_platform.row_writes import RowWrite
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .store import rows, run

_JOINED = text(
    "INSERT INTO shop_staff (shop_id, staff_id, role, active) VALUES (:s, :st, :r, true) "
    "ON CONFLICT (shop_id, staff_id) DO UPDATE SET role = EXCLUDED.role, active = true"
)
_ROLE = text("UPDATE shop_staff SET role = :r WHERE shop_id = :s AND staff_id = :st")
_GONE = text("UPDATE shop_staff SET active = false WHERE shop_id = :s AND staff_id = :st")


def _staff_row(statement: Any, data: dict[str, Any]) -> list[RowWrite]:
    shop, staff = UUID(data["shop_id"]), UUID(data["staff_id"])
    return [RowWrite(statement, ("shop_staff", shop, staff), {"s": shop, "st": staff, "r": data.get("role")})]


def staff_joined(data: dict[str, Any]) -> list[RowWrite]:
    """identity.staff.added / enabled: works for the shop, in this role."""
    return _staff_row(_JOINED, data)


def staff_role_changed(data: dict[str, Any]) -> list[RowWrite]:
    return _staff_row(_ROLE, data)


def staff_gone(data: dict[str, Any]) -> list[RowWrite]:
    """identity.staff.disabled / removed: hears of nothing any more."""
    return _staff_row(_GONE, data)


async def set_on_duty(session: AsyncSession, shop_id: UUID, staff_ids: Sequence[UUID]) -> list[UUID]:
    """Replace the shop's on-duty list; returns the ids that are not active staff of the
    shop (nothing is changed then)."""
    known = await rows(
        session,
        "SELECT staff_id FROM shop_staff WHERE shop_id = :s AND active AND staff_id = ANY(:ids)",
        s=shop_id,
        ids=list(staff_ids),
    )
    unknown = set(staff_ids) - {r.staff_id for r in known}
    if unknown:
        return sorted(unknown)
    await run(session, "DELETE FROM on_duty WHERE shop_id = :s", s=shop_id)
    for staff_id in dict.fromkeys(staff_ids):
        await run(session, "INSERT INTO on_duty (shop_id, staff_id) VALUES (:s, :st)", s=shop_id, st=staff_id)
    return []


async def on_duty(session: AsyncSession, shop_id: UUID) -> list[UUID]:
    found = await rows(
        session,
        "SELECT d.staff_id FROM on_duty d JOIN shop_staff s USING (shop_id, staff_id) "
        "WHERE d.shop_id = :s AND s.active ORDER BY d.staff_id",
        s=shop_id,
    )
    return [r.staff_id for r in found]


async def who_answers(session: AsyncSession, shop_id: UUID) -> list[UUID]:
    """The staff on duty who can still sign in; if none, the shop's owners."""
    found = await on_duty(session, shop_id)
    if found:
        return found
    return await owners(session, shop_id)


async def owners(session: AsyncSession, shop_id: UUID) -> list[UUID]:
    found = await rows(
        session,
        "SELECT staff_id FROM shop_staff WHERE shop_id = :s AND active AND role = 'owner' ORDER BY staff_id",
        s=shop_id,
    )
    return [r.staff_id for r in found]
