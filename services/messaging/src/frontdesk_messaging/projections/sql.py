"""The two ways the read models talk to PostgreSQL: run a statement, or fetch rows as dicts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def run(session: AsyncSession, sql: str, **params: Any) -> Any:
    return await session.execute(text(sql), params)


async def rows(session: AsyncSession, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in (await session.execute(text(sql), params)).mappings()]
