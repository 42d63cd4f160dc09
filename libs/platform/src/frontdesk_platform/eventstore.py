"""The PostgreSQL event store: streams of events, optimistic concurrency, snapshots.

Each event row is (stream_id, version, type, data); the primary key on
(stream_id, version) makes two writers that loaded the same version collide, and
the loser gets ConcurrencyError and retries from a fresh read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .commit_writes import CommitWrites, Insert
from .observability import APPENDED, CONFLICTS
from .reads import Read


class ConcurrencyError(Exception):
    """The stream moved on since it was read; reload and decide again."""


@dataclass(frozen=True)
class NewEvent:
    type: str
    data: dict[str, Any]
    event_id: UUID = field(default_factory=uuid4)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedEvent:
    stream_id: str
    version: int
    event_id: UUID
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    position: int
    recorded_at: datetime


Snapshot = tuple[int, dict[str, Any]]


@dataclass
class History:
    """A stream as this transaction sees it: its stored snapshot, the events after it
    (stored and staged), and its version."""

    snapshot: Snapshot | None
    events: list[RecordedEvent | NewEvent] = field(default_factory=list)
    stored: int = 0  # how many of `events` were read from the table (the rest are staged)

    @property
    def version(self) -> int:
        return (self.snapshot[0] if self.snapshot else 0) + len(self.events)


_COLUMNS = "stream_id, version, event_id, type, data, metadata, position, recorded_at"
_EVENT_COLUMNS = ", ".join(f"e.{column}" for column in _COLUMNS.split(", "))


class EventStore:
    def __init__(self, name: str = "events") -> None:
        self.name = name

    async def read_stream(
        self, session: AsyncSession, stream_id: str, after_version: int = 0
    ) -> list[RecordedEvent]:
        rows = await session.execute(
            text(f"SELECT {_COLUMNS} FROM events WHERE stream_id = :s AND version > :v ORDER BY version"),
            {"s": stream_id, "v": after_version},
        )
        return [_recorded(row) for row in rows]

    async def read_all(
        self, session: AsyncSession, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]:
        rows = await session.execute(
            text(f"SELECT {_COLUMNS} FROM events WHERE position > :p ORDER BY position LIMIT :n"),
            {"p": after_position, "n": limit},
        )
        return [_recorded(row) for row in rows]

    async def append(
        self,
        session: AsyncSession,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
    ) -> None:
        if not events:
            return
        rows = [
            {
                "s": stream_id,
                "v": expected_version + offset,
                "id": event.event_id,
                "t": event.type,
                "d": json.dumps(event.data, default=str, ensure_ascii=False),
                "m": json.dumps(event.metadata, default=str),
            }
            for offset, event in enumerate(events, start=1)
        ]
        try:
            await session.execute(
                text(
                    "INSERT INTO events (stream_id, version, event_id, type, data, metadata) "
                    "VALUES (:s, :v, :id, :t, CAST(:d AS jsonb), CAST(:m AS jsonb))"
                ),
                rows,
            )
        except IntegrityError as exc:
            CONFLICTS.labels(self.name).inc()
            raise ConcurrencyError(f"stream {stream_id} is past version {expected_version}") from exc
        APPENDED.labels(self.name).inc(len(events))

    async def load_many(self, connection: asyncpg.Connection, stream_ids: list[str]) -> dict[str, History]:
        """Each stream's snapshot (if any) and the events after it, in one round trip."""
        return self.histories(await connection.fetch(_LOAD_MANY, stream_ids))

    def read_many(self, stream_ids: list[str]) -> Read:
        """`load_many` as a read to send along with others (reads.read_together); its rows
        go to `histories`."""
        return Read(_LOAD_MANY, (stream_ids,), _LOAD_MANY_COLUMNS)

    def histories(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, History]:
        """The streams `load_many`'s rows hold (each stream's rows in version order)."""
        histories: dict[str, History] = {}
        for row in rows:
            history = histories.get(row["wanted"])
            if history is None:
                snapshot = (
                    (row["snapshot_version"], row["state"]) if row["snapshot_version"] is not None else None
                )
                history = histories[row["wanted"]] = History(snapshot)
            if row["stream_id"] is not None:
                history.events.append(_recorded(row))
        for history in histories.values():
            history.events.sort(key=_version)  # a read's array keeps the order given, as a rule
            history.stored = len(history.events)
        return histories

    async def append_many(
        self,
        connection: asyncpg.Connection,
        appends: Sequence[tuple[str, int, NewEvent]],
        snapshots: Mapping[str, tuple[int, dict[str, Any]]] | None = None,
    ) -> None:
        """(stream, version, event) rows in one statement, in the order given (their
        positions follow it), and the streams' new snapshots in the same statement."""
        writes = CommitWrites()
        writes.add(*self.inserts(appends, snapshots or {}))
        await writes.send(connection)

    async def save_snapshots(
        self, connection: asyncpg.Connection, snapshots: Mapping[str, tuple[int, dict[str, Any]]]
    ) -> None:
        await self.append_many(connection, [], snapshots)

    def inserts(
        self,
        appends: Sequence[tuple[str, int, NewEvent]],
        snapshots: Mapping[str, tuple[int, dict[str, Any]]],
    ) -> list[Insert]:
        """The events (in the order given: their positions follow it) and the snapshots, as
        inserts of a transaction's last statement (see commit_writes)."""
        inserts: list[Insert] = []
        if appends:
            events = [
                [stream for stream, _, _ in appends],
                [version for _, version, _ in appends],
                [event.event_id for _, _, event in appends],
                [event.type for _, _, event in appends],
                [json.dumps(event.data, default=str, ensure_ascii=False) for _, _, event in appends],
                [json.dumps(event.metadata, default=str) for _, _, event in appends],
            ]
            inserts.append(
                Insert(
                    _APPEND_MANY,
                    events,
                    "events",
                    conflict=lambda exc: self._moved_on(len(appends)),
                    written=lambda: APPENDED.labels(self.name).inc(len(appends)),
                )
            )
        if snapshots:
            # a snapshot never conflicts (it is an upsert): a unique violation is the events' own
            inserts.append(Insert(_SAVE_SNAPSHOTS, _snapshot_columns(snapshots), "snapshots"))
        return inserts

    def _moved_on(self, appended: int) -> ConcurrencyError:
        CONFLICTS.labels(self.name).inc()
        return ConcurrencyError(f"a stream of {appended} new events moved on")


def _snapshot_columns(snapshots: Mapping[str, tuple[int, dict[str, Any]]]) -> list[list[Any]]:
    return [
        list(snapshots),
        [version for version, _ in snapshots.values()],
        [json.dumps(state, default=str) for _, state in snapshots.values()],
    ]


_LOAD_MANY = (
    f"SELECT wanted.id AS wanted, s.version AS snapshot_version, s.state, {_EVENT_COLUMNS} "
    "FROM unnest($1::text[]) AS wanted(id) "
    "LEFT JOIN snapshots s ON s.stream_id = wanted.id "
    # LATERAL, and ordered so it stays a subquery: each stream's events after its snapshot
    # come from the (stream_id, version) index, never a scan of every stream's events
    "LEFT JOIN LATERAL (SELECT * FROM events e WHERE e.stream_id = wanted.id "
    "AND e.version > COALESCE(s.version, 0) ORDER BY e.version) e ON true "
    "ORDER BY wanted.id, e.version"
)
_LOAD_MANY_COLUMNS = ("wanted", "snapshot_version", "state", *_COLUMNS.split(", "))
_APPEND_MANY = (
    "INSERT INTO events (stream_id, version, event_id, type, data, metadata) "
    "SELECT s, v, id, t, CAST(d AS jsonb), CAST(m AS jsonb) FROM unnest("
    "$1::text[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[]"
    ") WITH ORDINALITY AS r(s, v, id, t, d, m, n) ORDER BY n"
)
_SAVE_SNAPSHOTS = (
    "INSERT INTO snapshots (stream_id, version, state) "
    "SELECT s, v, CAST(st AS jsonb) FROM unnest($1::text[], $2::int[], $3::text[]) AS r(s, v, st) "
    "ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state"
)


def _version(event: RecordedEvent | NewEvent) -> int:
    assert isinstance(event, RecordedEvent)
    return event.version


def _recorded(row: Any) -> RecordedEvent:
    """From a SQLAlchemy row, an asyncpg record or a read's row (reads.read_together)."""
    if isinstance(row, asyncpg.Record | dict):
        return RecordedEvent(**{column: row[column] for column in _FIELDS})
    return RecordedEvent(**{column: getattr(row, column) for column in _FIELDS})


_FIELDS = _COLUMNS.split(", ")
