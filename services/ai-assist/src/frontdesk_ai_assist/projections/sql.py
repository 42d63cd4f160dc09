"""The two ways the projections talk to PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession


async def run(session: AsyncSession, sql: str, **params: Any) -> None:
    await session.execute(text(sql), params)


async def rows(session: AsyncSession, sql: str, **params: Any) -> Sequence[Row[Any]]:
    return (await session.execute(text(sql), params)).all()
