"""The assistant's projections rebuilt by replaying the real Kafka topics equal what the
live consumer built; its own state (turns) is left as it was."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from frontdesk_ai_assist.bootstrap import MIGRATIONS
from frontdesk_ai_assist.config import Settings
from frontdesk_ai_assist.service_layer.deps import Dependencies
from frontdesk_ai_assist.service_layer.events import handle_event
from frontdesk_ai_assist.service_layer.rebuild import PROJECTED, SOURCES, rebuild_projections
from frontdesk_contracts import Envelope
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.kafka import Publisher, create_producer, ensure_topics
from frontdesk_platform.signing import CommandSigner
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .fakes.booking import FakeBooking

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


def history() -> list[Envelope]:
    shop, customer, staff, service, pet = (uuid.uuid4() for _ in range(5))
    conversation, at = uuid.uuid4(), NOW.isoformat()
    talk = {"conversation_id": str(conversation), "shop_id": str(shop), "customer_id": str(customer)}
    message = {**talk, "message_id": str(uuid.uuid4()), "client_msg_id": "c1", "kind": "text", "sent_at": at}
    later = [(NOW + timedelta(minutes=m)).isoformat() for m in range(4)]
    return [
        event("identity.shop.registered.v1", {"shop_id": str(shop), "name": "Golden Paws", "timezone": "Asia/Shanghai", "registered_at": at}, shop),
        event("booking.shop.configured.v1", {"shop_id": str(shop), "timezone": "Asia/Shanghai", "policy": {"cancel_cutoff_hours": 2}, "at": at}, shop),
        event("booking.service.defined.v1", {"shop_id": str(shop), "service": {"service_id": str(service), "name": "洗澡", "duration_minutes": 60, "price_cents": 12000}, "at": at}, shop),
        event("booking.pet.registered.v1", {"pet_id": str(pet), "shop_id": str(shop), "customer_id": str(customer), "profile": {"name": "Momo", "species": "dog", "breed": "金毛"}, "at": at}, pet),
        event("messaging.conversation.opened.v1", {**talk, "opened_by": str(customer), "opened_at": at}, conversation),
        event("messaging.message.sent.v1", {**message, "seq": 1, "sender_id": str(customer), "sender_role": "customer", "text": "洗澡多少钱"}, conversation),
        event("messaging.message.sent.v1", {**message, "seq": 2, "sender_id": str(staff), "sender_role": "staff", "text": "120 元"}, conversation),
        event("messaging.conversation.assigned.v1", {**talk, "assignee_id": str(staff), "previous_assignee_id": None, "assigned_by": str(staff), "reason": "manual", "handoff_note": None, "assigned_at": at}, conversation),
        # rows changed again, by the same statement and by others, in the order they must run
        event("messaging.conversation.status_changed.v1", {**talk, "status": "resolved", "previous_status": "open", "changed_by": str(staff), "changed_at": later[1]}, conversation),
        event("messaging.conversation.assigned.v1", {**talk, "assignee_id": None, "previous_assignee_id": str(staff), "assigned_by": str(staff), "reason": "manual", "handoff_note": None, "assigned_at": later[2]}, conversation),
        event("messaging.message.sent.v1", {**message, "seq": 3, "sender_id": str(staff), "sender_role": "staff", "text": "好的", "sent_at": later[3]}, conversation),
        event("booking.pet.updated.v1", {"pet_id": str(pet), "shop_id": str(shop), "customer_id": str(customer), "profile": {"name": "Momo", "species": "dog", "breed": "柯基"}, "at": at}, pet),
        event("booking.service.defined.v1", {"shop_id": str(shop), "service": {"service_id": str(service), "name": "洗澡 (大)", "duration_minutes": 90, "price_cents": 15000}, "at": at}, shop),
    ]  # fmt: skip


def event(type: str, data: dict[str, Any], key: uuid.UUID) -> Envelope:
    return Envelope(type=type, source="test", aggregate_id=str(key), data=data, time=NOW)


async def snapshot(sessions) -> dict[str, list]:
    async with sessions() as session:
        tables = {t: (await session.execute(text(f"SELECT * FROM {t} ORDER BY 1"))).all() for t in PROJECTED}
        tables["turns"] = (await session.execute(text("SELECT * FROM turns ORDER BY 1, 2"))).all()
    return {t: [tuple(r) for r in rows] for t, rows in tables.items()}


async def test_projections_rebuilt_from_the_topics_equal_the_live_ones(endpoints):
    settings = Settings(
        **{
            **endpoints.service_settings("ai-assist"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_ai_assist_{uuid.uuid4().hex[:8]}",
            "kafka_namespace": f"{endpoints.namespace}{uuid.uuid4().hex[:6]}.",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    deps = Dependencies(lambda: UnitOfWork(sessions, settings.topic), lambda: NOW, FakeBooking())
    producer = create_producer(settings.kafka_connection())
    await producer.start()
    try:
        await ensure_topics(settings.kafka_connection(), [settings.topic(t) for t in SOURCES], 3)
        publisher = Publisher(producer, settings.topic, CommandSigner(settings.command_signing_keys()))
        events = history()
        for envelope in events:
            await publisher.publish(envelope)
            await handle_event(deps, envelope)
        live = await snapshot(sessions)

        replayed = await rebuild_projections(settings)  # one page: later changes to rows of the page
        rebuilt = await snapshot(sessions)
        await rebuild_projections(settings, page=2)  # many pages: changes to rows of earlier pages
        rebuilt_in_small_pages = await snapshot(sessions)
    finally:
        await producer.stop()
        await engine.dispose()

    assert replayed == len(events)
    assert all(live[t] for t in (*PROJECTED, "turns"))
    assert NOW + timedelta(minutes=2) in live["conversations"][0]  # released: unassigned after resolved
    assert rebuilt == live
    assert rebuilt_in_small_pages == live
