"""SQL for the owner's staff list: who works at a shop, their role and whether they may sign in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_COLUMNS = "id AS staff_id, login, name, role, status, created_at AS added_at"


async def lock_shop(session: AsyncSession, shop_id: UUID) -> None:
    """Staff changes of one shop take turns, so two owners demoting each other at once
    cannot leave the shop with none."""
    await session.execute(text("SELECT 1 FROM shops WHERE id = :s FOR UPDATE"), {"s": shop_id})


async def list_staff(session: AsyncSession, shop_id: UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            f"SELECT {_COLUMNS} FROM accounts WHERE shop_id = :s AND role IN ('owner', 'staff') "
            "AND status <> 'removed' ORDER BY created_at, id"
        ),
        {"s": shop_id},
    )
    return [dict(row) for row in rows.mappings()]


async def get_staff(session: AsyncSession, shop_id: UUID, staff_id: UUID) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(
                    f"SELECT {_COLUMNS} FROM accounts WHERE shop_id = :s AND id = :id "
                    "AND role IN ('owner', 'staff') AND status <> 'removed'"
                ),
                {"s": shop_id, "id": staff_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def active_owners(session: AsyncSession, shop_id: UUID) -> set[UUID]:
    rows = await session.execute(
        text("SELECT id FROM accounts WHERE shop_id = :s AND role = 'owner' AND status = 'active'"),
        {"s": shop_id},
    )
    return {row.id for row in rows}


async def update_staff(session: AsyncSession, shop_id: UUID, staff_id: UUID, **changes: str) -> None:
    assignments = ", ".join(f"{column} = :{column}" for column in changes)
    await session.execute(
        text(f"UPDATE accounts SET {assignments} WHERE shop_id = :shop_id AND id = :staff_id"),
        {**changes, "shop_id": shop_id, "staff_id": staff_id},
    )
