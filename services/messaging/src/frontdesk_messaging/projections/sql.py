"""The two ways the read models talk to PostgreSQL: run a statement, or fetch rows as dicts.

Inside a command's unit of work a write that names the row it changes (`row`) is staged
and sent with the batch's other writes (frontdesk_platform.row_writes.StagedWrites);
any other statement first sends what is staged, so it sees all of it, and goes on the
transaction's own asyncpg connection too.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from frontdesk_platform.row_writes import RowWrite, StagedWrites
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession


async def run(
    session: AsyncSession,
    sql: str,
    *,
    row: Hashable | None = None,
    parts: frozenset[str] | None = None,
    **params: Any,
) -> None:
    """`parts`: what of the row the statement reads and changes, when not all of it
    (RowWrite.parts); writes to other parts of the row need not wait for it."""
    staged = staged_writes(session)
    if staged is not None and row is not None:
        staged.add(RowWrite(statement(sql), row, params, parts))
        return
    await execute(session, sql, params)


async def rows(session: AsyncSession, sql: str, **params: Any) -> list[dict[str, Any]]:
    staged = staged_writes(session)
    if staged is not None:
        return [dict(r) for r in await staged.fetch(statement(sql), params)]
    return [dict(r) for r in (await session.execute(statement(sql), params)).mappings()]


async def execute(session: AsyncSession, sql: str | TextClause, params: dict[str, Any]) -> None:
    """Run a statement now, after what is staged."""
    clause = statement(sql) if isinstance(sql, str) else sql
    staged = staged_writes(session)
    if staged is not None:
        await staged.fetch(clause, params)
    else:
        await session.execute(clause, params)


def staged_writes(session: AsyncSession) -> StagedWrites | None:
    uow = session.info.get("uow")
    return uow.writes if uow is not None else None


@lru_cache(maxsize=512)
def statement(sql: str) -> TextClause:
    """One TextClause per statement text: a write page groups rows by it."""
    return text(sql)
