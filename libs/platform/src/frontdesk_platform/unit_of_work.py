"""One database transaction that carries the effect, its outbox rows and its tracking record.

Ordering matters for the outbox relay: a transaction must read the state it builds
on before its first write. Its transaction id (xid) is assigned at the first write,
so a later writer of the same stream always gets a larger xid than the earlier one,
and the relay's (xid, id) order is commit order per stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from frontdesk_contracts import Envelope, contract_type
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .commit_writes import CommitWrites, Insert
from .database import driver_connection
from .eventstore import EventStore
from .reads import Read, Rows, read_together
from .row_writes import StagedWrites
from .staged import StagedStreams

OUTBOX_CHANNEL = "frontdesk_outbox"


class LocalRelay(Protocol):
    """The outbox relay of this process (frontdesk_platform.outbox.OutboxRelay)."""

    is_leader: bool

    def wake(self) -> None: ...


class AlreadyProcessed(Exception):
    """Another delivery of the same message won the race; this one changes nothing."""


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        topic: Callable[[str], str],
        relay: LocalRelay | None = None,
    ) -> None:
        self._sessions = sessions
        self._topic = topic
        self._relay = relay
        self._outbox: list[dict[str, Any]] = []
        self._after_commit: list[Callable[[], object]] = []
        self._committed = False
        self._connection: asyncpg.Connection | None = None
        self._streams: StagedStreams | None = None
        self._tracked: list[Insert] = []

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.session.info["uow"] = self  # read models stage their writes here (`writes`)
        self.writes = StagedWrites(self.session, self.connection)
        self.memo: dict[str, Any] = {}  # what a batch looked up once; forgotten with an undone savepoint
        await self.session.begin()
        self._outbox = []
        self._after_commit = []
        self._committed = False
        self._connection = None
        self._streams = None
        self._tracked = []
        return self

    async def connection(self) -> asyncpg.Connection:
        """The session's own asyncpg connection, inside this transaction (see
        database.driver_connection)."""
        if self._connection is None:
            self._connection = await driver_connection(self.session)
        return self._connection

    async def streams(self, store: EventStore) -> StagedStreams:
        """The event streams this transaction reads and changes, written at commit."""
        if self._streams is None:
            self._streams = StagedStreams(store, await self.connection())
        return self._streams

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    def publish(self, envelope: Envelope) -> None:
        """Queue an envelope for Kafka; it is written to the outbox at commit."""
        self._outbox.append(
            {
                "topic": self._topic(contract_type(envelope.type).topic),
                "key": envelope.aggregate_id,
                "event_id": envelope.id,
                "type": envelope.type,
                "envelope": envelope.model_dump_json(),
                "traceparent": envelope.traceparent,
            }
        )

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the transaction is committed (wake a worker for what it wrote)."""
        self._after_commit.append(callback)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that is undone, with what it queued for the outbox
        and after the commit, if it raises."""
        await self._write_staged()  # what is staged from now on is this savepoint's alone
        queued, callbacks = len(self._outbox), len(self._after_commit)
        staged = self._streams.mark() if self._streams is not None else None
        try:
            async with self.session.begin_nested():
                # SQLAlchemy sends SAVEPOINT with its own next statement: a raw one may come first
                await self.session.connection()
                yield
                await self._write_staged()  # a failing write (an event it cannot store) fails its savepoint
        except BaseException:
            del self._outbox[queued:]
            del self._after_commit[callbacks:]
            self.writes.discard()
            self.memo.clear()
            if self._streams is not None:
                if staged is None:
                    self._streams = None  # first read in this savepoint: read again if needed
                else:
                    self._streams.undo(staged)
            raise

    async def already_processed(self, consumer: str, message_id: UUID) -> bool:
        found = await self.session.execute(
            text("SELECT 1 FROM processed_messages WHERE consumer = :c AND message_id = :m"),
            {"c": consumer, "m": message_id},
        )
        return found.first() is not None

    async def mark_processed(self, consumer: str, message_id: UUID) -> None:
        try:
            await self.session.execute(
                text("INSERT INTO processed_messages (consumer, message_id) VALUES (:c, :m)"),
                {"c": consumer, "m": message_id},
            )
        except IntegrityError as exc:
            raise AlreadyProcessed(str(message_id)) from exc

    async def processed_among(
        self, consumer: str, message_ids: Collection[UUID], reads: Mapping[str, Read] | None = None
    ) -> tuple[set[UUID], dict[str, Rows]]:
        """Which of these messages this consumer has carried out already, and the rows of
        `reads` (what the batch will need): one round trip for a whole batch."""
        tracked = Read(_TRACKED_AMONG, (consumer, list(message_ids)), ("message_id",))
        found = await read_together(await self.connection(), {_TRACKED: tracked, **(reads or {})})
        return {row["message_id"] for row in found.pop(_TRACKED)}, found

    def mark_all_processed(self, consumer: str, message_ids: Collection[UUID]) -> None:
        """The tracking records of a batch, written with the commit's statement; a message
        another delivery carried out meanwhile makes the commit raise AlreadyProcessed."""
        if message_ids:
            self._tracked.append(
                Insert(
                    _TRACKING_INSERT, (consumer, list(message_ids)), "processed_messages", _already(consumer)
                )
            )

    async def _write_staged(self) -> None:
        await self.writes.flush()
        if self._streams is not None:
            writes = CommitWrites()
            writes.add(*self._streams.inserts())
            await writes.send(await self.connection())

    async def commit(self) -> None:
        await self.writes.flush()
        writes = CommitWrites()
        if self._streams is not None:
            writes.add(*self._streams.inserts())
        writes.add(*self._tracked)
        # The relay is woken at commit. When it runs in this process it is woken here, not
        # by NOTIFY: PostgreSQL queues a NOTIFY under one lock per database held through
        # the commit's WAL flush, so transactions that notify cannot share a flush.
        relay = self._relay if self._relay is not None and self._relay.is_leader else None
        if self._outbox:
            # ids follow the order rows were queued in: the relay's order per key
            rows = self._outbox
            writes.add(Insert(_OUTBOX_INSERT, [[row[c] for row in rows] for c in _OUTBOX_COLUMNS], "outbox"))
            if relay is None:
                writes.notify(OUTBOX_CHANNEL)
        await writes.send(await self.connection())
        await self.session.commit()
        self._committed = True
        if self._outbox and relay is not None:
            relay.wake()
        for callback in self._after_commit:
            callback()


def _already(consumer: str) -> Callable[[asyncpg.UniqueViolationError], Exception]:
    return lambda exc: AlreadyProcessed(f"a message of {consumer} was carried out meanwhile")


_TRACKED = "tracked"  # the tracking records' read among a batch's first reads
_TRACKED_AMONG = (
    "SELECT message_id FROM processed_messages WHERE consumer = $1 AND message_id = ANY($2::uuid[])"
)
_TRACKING_INSERT = "INSERT INTO processed_messages (consumer, message_id) SELECT $1, unnest($2::uuid[])"
_OUTBOX_COLUMNS = ("topic", "key", "event_id", "type", "envelope", "traceparent")
_OUTBOX_INSERT = (
    "INSERT INTO outbox (topic, key, event_id, type, envelope, traceparent) "
    "SELECT topic, key, event_id, type, envelope, traceparent FROM unnest("
    "$1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[]"
    ") WITH ORDINALITY AS r(topic, key, event_id, type, envelope, traceparent, n) ORDER BY n"
)
