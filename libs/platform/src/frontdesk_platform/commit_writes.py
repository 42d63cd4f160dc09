"""A transaction's last writes in one statement: its events and snapshots, its tracking
records, its outbox rows and the relay's wake-up.

Each insert is a data-modifying WITH query of the statement; PostgreSQL runs every one of
them to completion whether or not the statement reads it, all or none of them take effect,
and a unique violation names the table it happened on, so it is still told apart (a
stream that moved on, a message already carried out). One round trip before COMMIT,
however many tables a batch writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True)
class Insert:
    """One INSERT whose parameters are numbered from $1 (no `$` in its literals), the
    table it writes, what a unique violation there means, and what to note once written."""

    sql: str
    params: Sequence[Any]
    table: str
    conflict: Callable[[asyncpg.UniqueViolationError], Exception] | None = None
    written: Callable[[], object] | None = None


class CommitWrites:
    def __init__(self) -> None:
        self._inserts: list[Insert] = []
        self._notify: str | None = None

    def add(self, *inserts: Insert) -> None:
        self._inserts.extend(inserts)

    def notify(self, channel: str) -> None:
        """Wake the channel's listeners at commit (NOTIFY is delivered only then)."""
        self._notify = channel

    def statement(self) -> tuple[str, list[Any]]:
        """The statement and its parameters: each insert's `$n` moved past the ones before it."""
        queries: list[str] = []
        params: list[Any] = []
        for n, insert in enumerate(self._inserts):
            queries.append(f"w{n} AS ({renumbered(insert.sql, len(params))})")
            params.extend(insert.params)
        last = f"SELECT pg_notify('{self._notify}', '')" if self._notify else "SELECT 1"
        return (f"WITH {', '.join(queries)} {last}" if queries else last), params

    async def send(self, connection: asyncpg.Connection) -> None:
        if not self._inserts and self._notify is None:
            return
        sql, params = self.statement()
        try:
            await connection.execute(sql, *params)
        except asyncpg.UniqueViolationError as exc:
            for insert in self._inserts:
                if insert.table == exc.table_name and insert.conflict is not None:
                    raise insert.conflict(exc) from exc
            raise
        for insert in self._inserts:
            if insert.written is not None:
                insert.written()


def renumbered(sql: str, offset: int) -> str:
    """A statement whose parameters are numbered from $1, with each moved `offset` on."""
    if offset == 0:
        return sql
    return _PARAMETER.sub(lambda found: f"${int(found.group(1)) + offset}", sql)


_PARAMETER = re.compile(r"\$(\d+)")
