"""Drives notify's customer-facts consumer and campaign command in-process against a real,
freshly migrated PostgreSQL database, with a clock the test moves."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_contracts import notify as contracts
from frontdesk_notify.bootstrap import MIGRATIONS
from frontdesk_notify.config import Settings
from frontdesk_notify.service_layer.commands import handle_command
from frontdesk_notify.service_layer.customer_events import handle_customer_event
from frontdesk_notify.service_layer.deps import Dependencies
from frontdesk_platform.database import create_engine, migrate, session_factory
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
        return Dependencies(lambda: UnitOfWork(self.sessions, lambda t: t), self.clock, "zh-CN")

    async def event(
        self,
        type: str,
        data: dict[str, Any],
        aggregate_id: UUID,
        version: int | None,
        at: datetime | None = None,
    ) -> Envelope:
        envelope = Envelope(
            type=type,
            source="test",
            aggregate_id=str(aggregate_id),
            aggregate_version=version,
            data=data,
            **({"time": at} if at else {}),
        )
        await self.deliver(envelope)
        return envelope

    async def deliver(self, envelope: Envelope) -> None:
        await handle_customer_event(self.deps, envelope)

    async def send(self, payload: contracts.SendCampaign) -> dict[str, Any]:
        """Handle the command as notify's command consumer does; returns its reply."""
        command = Envelope(
            type="notify.campaign.send.v1",
            source="test",
            tenant_id=payload.shop_id,
            aggregate_id=str(payload.shop_id),
            data=payload.model_dump(mode="json"),
        )
        await handle_command(self.deps, command)
        [reply] = await self.rows(
            "SELECT envelope FROM outbox WHERE CAST(envelope AS jsonb)->>'causation_id' = :id",
            id=str(command.id),
        )
        envelope = json.loads(reply.envelope)
        return {"type": envelope["type"], **envelope["data"]}

    async def rows(self, query: str, **params: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(text(query), params)).all())

    async def execute(self, query: str, **params: Any) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(text(query), params)


@asynccontextmanager
async def notify_database(endpoints: Any, now: datetime) -> AsyncIterator[Harness]:
    """A fresh, migrated notify database of its own (dropped with the test session)."""
    settings = Settings(
        **{
            **endpoints.service_settings("notify"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_notify_{uuid.uuid4().hex[:8]}",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    try:
        yield Harness(session_factory(engine), Clock(now))
    finally:
        await engine.dispose()
