"""One database transaction that carries the effect, its outbox rows and its tracking record.

Ordering matters for the outbox relay: a transaction must read the state it builds
on before its first write. Its transaction id (xid) is assigned at the first write,
so a later writer of the same stream always gets a larger xid than the earlier one,
and the relay's (xid, id) order is commit order per stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope, contract_type
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

OUTBOX_CHANNEL = "frontdesk_outbox"


class AlreadyProcessed(Exception):
    """Another delivery of the same message won the race; this one changes nothing."""


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], topic: Callable[[str], str]) -> None:
        self._sessions = sessions
        self._topic = topic
        self._outbox: list[dict[str, Any]] = []
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        await self.session.begin()
        self._outbox = []
        self._committed = False
        return self

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

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that is undone, with what it queued for the outbox,
        if it raises."""
        queued = len(self._outbox)
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            del self._outbox[queued:]
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

    async def commit(self) -> None:
        if self._outbox:
            await self.session.execute(
                text(
                    "INSERT INTO outbox (topic, key, event_id, type, envelope, traceparent) "
                    "VALUES (:topic, :key, :event_id, :type, :envelope, :traceparent)"
                ),
                self._outbox,
            )
            await self.session.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))
        await self.session.commit()
        self._committed = True
