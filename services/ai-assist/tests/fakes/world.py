"""A shop, a customer and their conversation as the assistant sees them: events fed to
its consumer on the real PostgreSQL, a booking service that answers as told, a clock
the test moves, and what the assistant sent read back from its outbox."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from frontdesk_ai_assist.service_layer.commands import handle_command
from frontdesk_ai_assist.service_layer.deps import Dependencies, Model
from frontdesk_ai_assist.service_layer.events import handle_event
from frontdesk_ai_assist.service_layer.shops import ShopContexts
from frontdesk_ai_assist.service_layer.turns import answer_conversation
from frontdesk_contracts import Contract, Envelope, assistant, type_name
from frontdesk_platform.testing import Clock
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .booking import FakeBooking

SHANGHAI_WEDNESDAY_9AM = datetime.fromisoformat("2026-11-18T09:00:00+08:00")


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=lambda: Clock(SHANGHAI_WEDNESDAY_9AM))
    booking: FakeBooking = field(default_factory=FakeBooking)
    model: Model | None = None
    contexts: ShopContexts = field(default_factory=ShopContexts)
    shop_id: uuid.UUID = field(default_factory=uuid.uuid4)
    owner_id: uuid.UUID = field(default_factory=uuid.uuid4)
    staff_id: uuid.UUID = field(default_factory=uuid.uuid4)
    customer_id: uuid.UUID = field(default_factory=uuid.uuid4)
    conversation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    service_id: uuid.UUID = field(default_factory=uuid.uuid4)
    seq: int = 0
    read: int = 0  # outbox rows already looked at

    @property
    def deps(self) -> Dependencies:
        return Dependencies(
            lambda: UnitOfWork(self.sessions, lambda t: t),
            self.clock,
            self.booking,
            self.model,
            self.contexts,
        )

    async def event(self, type_: str, **data: Any) -> None:
        await handle_event(self.deps, Envelope(type=type_, source="test", aggregate_id="x", data=data))

    async def command(self, payload: Contract) -> dict[str, Any]:
        """Send an assistant command; its reply (accepted or rejected)."""
        envelope = Envelope(
            type=type_name(type(payload)),
            source="test",
            aggregate_id=str(self.shop_id),
            data=payload.model_dump(mode="json"),
        )
        await handle_command(self.deps, envelope)
        caused = [e for e in await self.outbox() if e.causation_id == envelope.id]
        [reply] = [e for e in caused if e.type.startswith("assistant.command.")]
        return {"type": reply.type, **reply.data}

    def actor(self, role: str = "owner") -> assistant.Actor:
        user = {"owner": self.owner_id, "staff": self.staff_id, "customer": self.customer_id}[role]
        return assistant.Actor(user_id=user, role=role, shop_id=self.shop_id)

    async def set_up(self, mode: str = "always", timezone: str = "Asia/Shanghai", **settings: Any) -> None:
        """A pet shop with one service, Bath (60 min, ¥120), and the customer's conversation."""
        now = self.clock().isoformat()
        await self.event(
            "identity.shop.registered.v1",
            shop_id=str(self.shop_id),
            name="爪爪宠物",
            timezone=timezone,
            registered_at=now,
        )
        policy = {"hold_minutes": 10, "cancel_cutoff_hours": 2, "reschedule_cutoff_hours": 2}
        await self.event(
            "booking.shop.configured.v1", shop_id=str(self.shop_id), timezone=timezone, policy=policy, at=now
        )
        service = {
            "service_id": str(self.service_id),
            "name": "Bath",
            "duration_minutes": 60,
            "price_cents": 12000,
        }
        await self.event("booking.service.defined.v1", shop_id=str(self.shop_id), service=service, at=now)
        await self.command(
            assistant.SetAssistantSettings(shop_id=self.shop_id, mode=mode, actor=self.actor(), **settings)
        )
        await self.event(
            "messaging.conversation.opened.v1",
            conversation_id=str(self.conversation_id),
            shop_id=str(self.shop_id),
            customer_id=str(self.customer_id),
            opened_by=str(self.customer_id),
            opened_at=now,
        )
        await self.said()  # forget the set-up's replies

    async def message(
        self, text_: str, role: str = "customer", sender: uuid.UUID | None = None, kind: str = "person"
    ) -> int:
        self.seq += 1
        await self.event(
            "messaging.message.sent.v1",
            conversation_id=str(self.conversation_id),
            shop_id=str(self.shop_id),
            customer_id=str(self.customer_id),
            message_id=str(uuid.uuid4()),
            seq=self.seq,
            sender_id=str(sender or (self.customer_id if role == "customer" else self.staff_id)),
            sender_role=role,
            client_msg_id=uuid.uuid4().hex,
            text=text_,
            sent_at=self.clock().isoformat(),
            sender_kind=kind,
        )
        return self.seq

    async def customer_says(self, text_: str) -> list[str]:
        """The customer writes; the assistant answers what is due now; what it said."""
        await self.message(text_)
        await self.answer()
        return await self.said()

    async def answer(self) -> int:
        return await answer_conversation(self.deps, self.conversation_id)

    async def outbox(self) -> list[Envelope]:
        async with self.sessions() as session:
            found = (
                await session.execute(
                    text("SELECT envelope FROM outbox WHERE key IN (:c, :s) ORDER BY id"),
                    {"c": str(self.conversation_id), "s": str(self.shop_id)},
                )
            ).all()
        return [Envelope.model_validate(json.loads(row.envelope)) for row in found]

    async def new_commands(self) -> list[Envelope]:
        rows = await self.outbox()
        fresh, self.read = rows[self.read :], len(rows)
        return [e for e in fresh if e.type.startswith("messaging.")]

    async def said(self) -> list[str]:
        self.last = await self.new_commands()
        return [e.data["text"] for e in self.last if e.type == "messaging.message.send.v1"]

    def handoffs(self) -> list[dict[str, Any]]:
        return [e.data for e in self.last if e.type == "messaging.conversation.assign.v1"]

    async def turn_outcomes(self) -> list[tuple[int, str, str | None]]:
        async with self.sessions() as session:
            found = await session.execute(
                text("SELECT seq, status, outcome FROM turns WHERE conversation_id = :c ORDER BY seq"),
                {"c": self.conversation_id},
            )
        return [tuple(row) for row in found.all()]
