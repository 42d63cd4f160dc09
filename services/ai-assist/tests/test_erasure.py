"""An erased customer's texts and pets' names leave the assistant, and an event about them
published before the erasure but consumed after it (it came on another topic) writes
nothing of them either (docs/adr/0005)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from frontdesk_ai_assist.bootstrap import MIGRATIONS
from frontdesk_ai_assist.config import Settings
from frontdesk_ai_assist.service_layer.deps import Dependencies
from frontdesk_ai_assist.service_layer.events import handle_event
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .fakes.booking import FakeBooking
from .test_rebuild import event

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


async def test_an_erased_customer_is_forgotten_and_stays_forgotten(endpoints):
    settings = Settings(
        **{
            **endpoints.service_settings("ai-assist"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_ai_assist_{uuid.uuid4().hex[:8]}",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    deps = Dependencies(lambda: UnitOfWork(sessions, settings.topic), lambda: NOW, FakeBooking())
    shop, wang, li, pet, li_pet = (uuid.uuid4() for _ in range(5))
    at = NOW.isoformat()

    def pet_event(kind: str, pet_id: uuid.UUID, customer: uuid.UUID, name: str) -> object:
        profile = {"name": name, "species": "dog", "breed": "柴犬"}
        data = {
            "pet_id": str(pet_id),
            "shop_id": str(shop),
            "customer_id": str(customer),
            "profile": profile,
            "at": at,
        }
        return event(f"booking.pet.{kind}.v1", data, pet_id)

    def said(customer: uuid.UUID, seq: int, words: str) -> object:
        conversation = uuid.uuid5(shop, str(customer))
        data = {
            "conversation_id": str(conversation),
            "shop_id": str(shop),
            "customer_id": str(customer),
            "message_id": str(uuid.uuid4()),
            "client_msg_id": f"c{seq}",
            "kind": "text",
            "sent_at": at,
            "seq": seq,
            "sender_id": str(customer),
            "sender_role": "customer",
            "text": words,
        }
        return event("messaging.message.sent.v1", data, conversation)

    erased = event(
        "identity.customer.erased.v1",
        {"shop_id": str(shop), "customer_id": str(wang), "erased_at": at},
        shop,
    )
    try:
        for happened in [
            pet_event("registered", pet, wang, "旺财"),
            pet_event("registered", li_pet, li, "Lucky"),
            said(wang, 1, "我住在幸福路8号"),
            said(li, 1, "Lucky needs a bath"),
            erased,
            # late: published before the erasure, consumed after it
            pet_event("updated", pet, wang, "旺财二号"),
            said(wang, 2, "旺财明天来"),
        ]:
            await handle_event(deps, happened)  # type: ignore[arg-type]
        async with sessions() as session:
            pets = dict((await session.execute(text("SELECT name, breed FROM pets ORDER BY name"))).all())
            turns = (
                await session.execute(text("SELECT customer_id, text, status FROM turns ORDER BY 1, 2"))
            ).all()
        assert pets == {"": "", "Lucky": "柴犬"}
        theirs = {(t.text, t.status) for t in turns if t.customer_id == wang}
        assert {text for text, _ in theirs} == {""}
        assert {(t.text,) for t in turns if t.customer_id == li} == {("Lucky needs a bath",)}
    finally:
        await engine.dispose()
