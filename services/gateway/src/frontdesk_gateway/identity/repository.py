"""SQL for shops, accounts and refresh tokens (the gateway's own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


class LoginTaken(Exception):
    pass


async def add_shop(session: AsyncSession, shop_id: UUID, name: str, timezone: str, at: datetime) -> None:
    await session.execute(
        text("INSERT INTO shops (id, name, timezone, created_at) VALUES (:id, :name, :tz, :at)"),
        {"id": shop_id, "name": name, "tz": timezone, "at": at},
    )


async def get_shop(session: AsyncSession, shop_id: UUID) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text("SELECT id, name, timezone, created_at FROM shops WHERE id = :id"), {"id": shop_id}
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def add_account(
    session: AsyncSession,
    *,
    account_id: UUID,
    shop_id: UUID,
    role: str,
    login: str,
    name: str,
    password_hash: str | None,
    at: datetime,
) -> None:
    try:
        async with session.begin_nested():
            await session.execute(
                text(
                    "INSERT INTO accounts (id, shop_id, role, login, name, password_hash, created_at) "
                    "VALUES (:id, :shop, :role, :login, :name, :hash, :at)"
                ),
                {
                    "id": account_id,
                    "shop": shop_id,
                    "role": role,
                    "login": login,
                    "name": name,
                    "hash": password_hash,
                    "at": at,
                },
            )
    except IntegrityError as exc:
        raise LoginTaken(login) from exc


async def find_account(session: AsyncSession, shop_id: UUID, login: str) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(
                    "SELECT id, shop_id, role, login, name, password_hash, status FROM accounts "
                    "WHERE shop_id = :shop AND login = :login AND status <> 'removed'"
                ),
                {"shop": shop_id, "login": login},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def get_account(session: AsyncSession, account_id: UUID) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(
                    "SELECT id, shop_id, role, login, name, status, sessions_revoked_at "
                    "FROM accounts WHERE id = :id"
                ),
                {"id": account_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def store_refresh_token(
    session: AsyncSession, token_hash: str, account_id: UUID, expires_at: datetime
) -> None:
    await session.execute(
        text("INSERT INTO refresh_tokens (token_hash, account_id, expires_at) VALUES (:h, :a, :e)"),
        {"h": token_hash, "a": account_id, "e": expires_at},
    )


async def use_refresh_token(session: AsyncSession, token_hash: str, now: datetime) -> UUID | None:
    """Revoke a live refresh token and return its account, or None if it is not live."""
    row = (
        await session.execute(
            text(
                "UPDATE refresh_tokens SET revoked_at = :now WHERE token_hash = :h "
                "AND revoked_at IS NULL AND expires_at > :now RETURNING account_id"
            ),
            {"h": token_hash, "now": now},
        )
    ).first()
    return row.account_id if row else None


async def end_sessions(session: AsyncSession, account_id: UUID, now: datetime) -> None:
    """Revoke every refresh token of the account and note when its sessions ended."""
    await session.execute(
        text("UPDATE refresh_tokens SET revoked_at = :now WHERE account_id = :a AND revoked_at IS NULL"),
        {"a": account_id, "now": now},
    )
    await session.execute(
        text("UPDATE accounts SET sessions_revoked_at = :now WHERE id = :a"), {"a": account_id, "now": now}
    )


async def sessions_revoked_since(session: AsyncSession, since: datetime) -> list[tuple[UUID, datetime]]:
    rows = await session.execute(
        text("SELECT id, sessions_revoked_at FROM accounts WHERE sessions_revoked_at > :since"),
        {"since": since},
    )
    return [(row.id, row.sessions_revoked_at) for row in rows]
