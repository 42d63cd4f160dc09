"""A projector's change to one row, as data: the statement, the row it touches and its
values. A rebuild gathers a page of events' writes and sends each statement once with
all of its rows (asyncpg pipelines them); a live consumer stages a batch's writes the
same way (`StagedWrites`), so both run the same SQL, in the same order for every row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from .database import driver_connection


@dataclass(frozen=True)
class RowWrite:
    sql: TextClause  # a module-level statement: a page groups its writes by it
    row: Hashable  # the row it changes, e.g. ("conversations", conversation_id)
    params: Mapping[str, Any]
    # The parts of the row it reads and changes, when that is not all of it: writes that
    # share no part need no order between them (None: the whole row, after everything).
    parts: frozenset[str] | None = None


async def write(session: AsyncSession, writes: Iterable[RowWrite]) -> None:
    for each in writes:
        await session.execute(each.sql, dict(each.params))


async def copy_rows(
    connection: asyncpg.Connection,
    table: str,
    columns: Mapping[str, str],
    rows: Iterable[Mapping[str, Any]],
) -> None:
    """Rows built for a statement's named parameters, put into `table` by COPY (`columns`
    names each column's parameter): a rebuild fills its emptied tables with the very rows
    the live statements write, thousands in one round trip."""
    names = tuple(columns.values())
    records = [tuple(row[name] for name in names) for row in rows]
    if records:
        await connection.copy_records_to_table(table, records=records, columns=tuple(columns))


class WritePage:
    """The writes of many events, sent statement by statement in rounds.

    Writes to different rows commute, and so do writes to different parts of one row, so
    only the writes that share a part need their order. A write joins the round of the
    last write it must follow when that is the same statement (one statement's rows run in
    the order given), else the round after it; rounds run in order. A page of thousands of
    events is then a few dozen statements.
    """

    def __init__(self) -> None:
        self._rounds: list[dict[TextClause, list[Mapping[str, Any]]]] = []
        self._last: dict[Hashable, _RowWrites] = {}
        self.writes = 0

    def add(self, writes: Iterable[RowWrite]) -> None:
        for each in writes:
            last = self._last.setdefault(each.row, _RowWrites())
            round = max((_after(write, each.sql) for write in last.before(each.parts)), default=0)
            if round == len(self._rounds):
                self._rounds.append({})
            self._rounds[round].setdefault(each.sql, []).append(each.params)
            last.note(each.parts, (round, each.sql))
            self.writes += 1

    async def flush(self, session: AsyncSession | Connected) -> None:
        for statements in self._rounds:
            for sql, rows in statements.items():
                await session.execute(sql, [dict(row) for row in rows])
        self._rounds.clear()
        self._last.clear()
        self.writes = 0


_Placed = tuple[int, TextClause]  # a write's round and statement


@dataclass
class _RowWrites:
    """The last write of a row as a whole, and the last write of each part of it since."""

    whole: _Placed | None = None
    parts: dict[str, _Placed] = field(default_factory=dict)

    def before(self, parts: frozenset[str] | None) -> list[_Placed]:
        """The writes one to these parts must follow."""
        if parts is None:
            found = list(self.parts.values())
        else:
            found = [self.parts[part] for part in parts if part in self.parts]
        return found if self.whole is None else [self.whole, *found]

    def note(self, parts: frozenset[str] | None, placed: _Placed) -> None:
        if parts is None:
            self.whole = placed
            self.parts.clear()  # all of them in a round no later than this one
        else:
            self.parts.update(dict.fromkeys(parts, placed))


def _after(write: _Placed, sql: TextClause) -> int:
    """The first round a write of `sql` may go in after `write`."""
    round, written_by = write
    return round if written_by is sql else round + 1


class Connected:
    """Sends a page's statements on a transaction's own asyncpg connection, without
    SQLAlchemy: on a live batch its statement handling cost about as much as the rows."""

    def __init__(self, connection: asyncpg.Connection, dialect: Dialect) -> None:
        self._connection, self._dialect = connection, dialect

    async def execute(self, sql: TextClause, rows: list[dict[str, Any]]) -> None:
        query, names = _positional(sql, self._dialect)
        if len(rows) == 1:
            await self._connection.execute(query, *(rows[0][name] for name in names))
        else:
            await self._connection.executemany(query, [tuple(row[name] for name in names) for row in rows])

    async def fetch(self, sql: TextClause, params: Mapping[str, Any]) -> list[asyncpg.Record]:
        query, names = _positional(sql, self._dialect)
        found: list[asyncpg.Record] = await self._connection.fetch(query, *(params[name] for name in names))
        return found


@lru_cache(maxsize=512)
def _positional(sql: TextClause, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    """A statement's `:name` parameters as asyncpg's `$n`, and the names in their order."""
    compiled = sql.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ())


Finisher = Callable[[AsyncSession], Awaitable[None]]


class StagedWrites:
    """A transaction's read-model writes, held back and sent as one `WritePage` just
    before the next statement that could read them (`flush`) or the commit.

    A batch of commands then costs a few multi-row statements, not a few statements a
    command. A finisher runs once after the page, for what needs the rows written first
    (a figure computed in Python from them): the first one under its key counts.
    """

    def __init__(
        self, session: AsyncSession, connection: Callable[[], Awaitable[asyncpg.Connection]] | None = None
    ) -> None:
        self._session = session
        self._page = WritePage()
        self._finishers: dict[Hashable, Finisher] = {}
        self._connection_of = connection or (lambda: driver_connection(session))  # the transaction's own
        self._connected: Connected | None = None

    def add(self, *writes: RowWrite) -> None:
        self._page.add(writes)

    def then(self, key: Hashable, finisher: Finisher) -> None:
        self._finishers.setdefault(key, finisher)

    @property
    def pending(self) -> bool:
        return bool(self._page.writes or self._finishers)

    async def flush(self) -> None:
        if not self.pending:
            return
        finishers, self._finishers = self._finishers, {}
        await self._page.flush(await self._connection())
        for finisher in finishers.values():
            await finisher(self._session)

    async def fetch(self, sql: TextClause, params: Mapping[str, Any]) -> list[asyncpg.Record]:
        """A statement sent now, after what is staged (so it sees all of it), on the
        transaction's own connection: on a command's hot path SQLAlchemy's handling of a
        statement cost more than the statement."""
        await self.flush()
        return await (await self._connection()).fetch(sql, params)

    async def send(self, sql: TextClause, rows: list[dict[str, Any]]) -> None:
        """A statement sent now for each of these rows, after what is staged."""
        await self.flush()
        await (await self._connection()).execute(sql, rows)

    async def _connection(self) -> Connected:
        if self._connected is None:
            connection = await self._connection_of()
            self._connected = Connected(connection, self._session.get_bind().dialect)
        return self._connected

    def discard(self) -> None:
        """Forget what was staged (its savepoint was undone)."""
        self._page = WritePage()
        self._finishers = {}
