"""Drives the booking handlers in-process against a real PostgreSQL database, the way the
command consumer does, with a clock the test moves."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from frontdesk_booking.adapters.repository import Repositories
from frontdesk_booking.service_layer.context import Dependencies
from frontdesk_booking.service_layer.handlers import handle_command
from frontdesk_contracts import Contract, Envelope, type_name
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.testing import Clock
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@dataclass
class Harness:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    @property
    def deps(self) -> Dependencies:
        return Dependencies(
            Repositories(EventStore()), lambda: UnitOfWork(self.sessions, lambda t: t), self.clock
        )

    async def send(self, payload: Contract, key: UUID, tenant: UUID | None = None) -> dict[str, Any]:
        """Handle one command and return its reply: {"type": ..., **data}."""
        command = Envelope(
            type=type_name(type(payload)),
            source="test",
            tenant_id=tenant,
            aggregate_id=str(key),
            data=payload.model_dump(mode="json"),
        )
        await handle_command(self.deps, command)
        async with self.sessions() as session:
            row = (
                await session.execute(
                    text(
                        "SELECT envelope FROM outbox WHERE type LIKE 'booking.command.%' "
                        "AND CAST(envelope AS jsonb)->>'causation_id' = :id"
                    ),
                    {"id": str(command.id)},
                )
            ).one()
        envelope = json.loads(row.envelope)
        return {"type": envelope["type"], **envelope["data"]}

    async def events(self, aggregate_id: UUID) -> list[str]:
        async with self.sessions() as session:
            rows = await session.execute(
                text(
                    "SELECT type FROM outbox WHERE key = :k AND type NOT LIKE 'booking.command.%' ORDER BY id"
                ),
                {"k": str(aggregate_id)},
            )
            return [r.type for r in rows]

    async def rows(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        async with self.sessions() as session:
            return [tuple(r) for r in await session.execute(text(query), params)]

    async def scalar(self, query: str, **params: Any) -> Any:
        async with self.sessions() as session:
            return (await session.execute(text(query), params)).scalar()
