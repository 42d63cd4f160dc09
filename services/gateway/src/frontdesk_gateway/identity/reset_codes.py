"""SQL for one-time password reset codes (only their hashes are stored), and what a reset
changes on the account: its password and every refresh token."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def replace(
    session: AsyncSession,
    *,
    code_id: UUID,
    shop_id: UUID,
    account_id: UUID,
    code_hash: str,
    expires_at: datetime,
    tries: int,
    now: datetime,
) -> None:
    """The account's new code; any earlier one stops working (only the latest SMS counts)."""
    await session.execute(
        text("UPDATE password_reset_codes SET used_at = :now WHERE account_id = :a AND used_at IS NULL"),
        {"a": account_id, "now": now},
    )
    await session.execute(
        text(
            "INSERT INTO password_reset_codes (id, shop_id, account_id, code_hash, expires_at, tries_left, "
            "created_at) VALUES (:id, :shop, :a, :hash, :exp, :tries, :now)"
        ),
        {
            "id": code_id,
            "shop": shop_id,
            "a": account_id,
            "hash": code_hash,
            "exp": expires_at,
            "tries": tries,
            "now": now,
        },
    )


async def live(session: AsyncSession, account_id: UUID, now: datetime) -> dict[str, Any] | None:
    """The account's unused, unexpired code, locked until the transaction ends (two
    confirmations of one code: only one wins)."""
    row = (
        (
            await session.execute(
                text(
                    "SELECT id, code_hash, tries_left FROM password_reset_codes WHERE account_id = :a "
                    "AND used_at IS NULL AND expires_at > :now AND tries_left > 0 "
                    "ORDER BY created_at DESC LIMIT 1 FOR UPDATE"
                ),
                {"a": account_id, "now": now},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def spend_try(session: AsyncSession, code_id: UUID, now: datetime) -> None:
    """A wrong guess; the last one burns the code."""
    await session.execute(
        text(
            "UPDATE password_reset_codes SET tries_left = tries_left - 1, "
            "used_at = CASE WHEN tries_left <= 1 THEN :now ELSE used_at END WHERE id = :id"
        ),
        {"id": code_id, "now": now},
    )


async def use(session: AsyncSession, code_id: UUID, now: datetime) -> None:
    await session.execute(
        text("UPDATE password_reset_codes SET used_at = :now WHERE id = :id"), {"id": code_id, "now": now}
    )


async def set_password(session: AsyncSession, account_id: UUID, password_hash: str) -> None:
    await session.execute(
        text("UPDATE accounts SET password_hash = :h WHERE id = :a"), {"a": account_id, "h": password_hash}
    )
