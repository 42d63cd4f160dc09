"""Notify's projections rebuilt by replaying the real Kafka topics equal what the live
consumers built, and the replay notifies nobody again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from frontdesk_contracts import Envelope
from frontdesk_notify.bootstrap import MIGRATIONS
from frontdesk_notify.config import Settings
from frontdesk_notify.service_layer.booking_events import handle_booking_event
from frontdesk_notify.service_layer.chat_events import handle_chat_event
from frontdesk_notify.service_layer.customer_events import handle_customer_event
from frontdesk_notify.service_layer.deps import Dependencies
from frontdesk_notify.service_layer.rebuild import PROJECTED, SOURCES, rebuild_projections
from frontdesk_platform.database import create_engine, migrate, session_factory
from frontdesk_platform.kafka import Publisher, create_producer, ensure_topics
from frontdesk_platform.signing import CommandSigner
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


def history() -> list[Envelope]:
    """A shop's week in events: setup, a customer who books, moves, has a pet, chats."""
    shop, customer, staff, service = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    colleague, pet = uuid.uuid4(), uuid.uuid4()
    booking, conversation, at = uuid.uuid4(), uuid.uuid4(), NOW.isoformat()
    ids = {"shop_id": str(shop), "customer_id": str(customer)}
    starts = NOW + timedelta(days=3)

    def booked(step: str, status: str, version: int, starts_at: datetime) -> Envelope:
        data = {**ids, "booking_id": str(booking), "service_id": str(service), "status": status}
        data |= {"starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=1)).isoformat()}
        data |= {"staff_id": str(staff), "at": at}
        return event(f"booking.booking.{step}.v1", data, booking, version)

    talk = {**ids, "conversation_id": str(conversation)}
    return [
        event("identity.shop.registered.v1", {"shop_id": str(shop), "name": "Golden Paws", "timezone": "Asia/Shanghai", "registered_at": at}, shop),
        event("identity.customer.registered.v1", {**ids, "name": "Wang"}, customer),
        event("booking.shop.configured.v1", {"shop_id": str(shop), "timezone": "Asia/Shanghai", "policy": {}, "at": at}, shop, 1),
        event("booking.service.defined.v1", {"shop_id": str(shop), "service": {"service_id": str(service), "name": "洗澡", "duration_minutes": 60}, "at": at}, shop, 2),
        booked("held", "held", 1, starts),
        booked("confirmed", "confirmed", 2, starts),
        booked("rescheduled", "confirmed", 3, starts + timedelta(hours=2)),
        event("booking.pet.registered.v1", {**ids, "pet_id": str(pet), "profile": {"name": "Momo", "species": "dog"}, "at": at}, pet, 1),
        event("messaging.conversation.opened.v1", {**talk, "opened_by": str(customer), "opened_at": at}, conversation, 1),
        event("messaging.conversation.assigned.v1", {**talk, "assignee_id": str(staff), "previous_assignee_id": None, "assigned_by": None, "reason": "auto", "handoff_note": None, "assigned_at": at}, conversation, 2),
        event("messaging.conversation.labels_changed.v1", {**talk, "labels": ["VIP"], "changed_by": str(staff), "changed_at": at}, conversation, 3),
        event("messaging.receipt.read.v1", {**talk, "reader_id": str(staff), "reader_role": "staff", "up_to_seq": 4, "read_at": at}, conversation, 4),
        # rows changed again, by the same statement and by others, in the order they must run
        event("messaging.conversation.assigned.v1", {**talk, "assignee_id": str(colleague), "previous_assignee_id": str(staff), "assigned_by": str(staff), "reason": "manual", "handoff_note": None, "assigned_at": at}, conversation, 5),
        event("messaging.receipt.read.v1", {**talk, "reader_id": str(staff), "reader_role": "staff", "up_to_seq": 9, "read_at": at}, conversation, 6),
        event("messaging.conversation.labels_changed.v1", {**talk, "labels": ["VIP", "猫"], "changed_by": str(staff), "changed_at": at}, conversation, 7),
        event("booking.pet.updated.v1", {**ids, "pet_id": str(pet), "profile": {"name": "Momo", "species": "cat"}, "at": at}, pet, 2),
        event("booking.service.defined.v1", {"shop_id": str(shop), "service": {"service_id": str(service), "name": "洗澡 (大)", "duration_minutes": 90}, "at": at}, shop, 3),
        booked("completed", "completed", 4, starts + timedelta(hours=2)),
    ]  # fmt: skip


def event(type: str, data: dict[str, Any], key: uuid.UUID, version: int | None = None) -> Envelope:
    return Envelope(
        type=type, source="test", aggregate_id=str(key), aggregate_version=version, data=data, time=NOW
    )


async def snapshot(sessions) -> dict[str, list]:
    async with sessions() as session:
        tables = {
            t: (await session.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))).all() for t in PROJECTED
        }
        tables["shops"] = (await session.execute(text("SELECT * FROM shops ORDER BY 1"))).all()
        tables["notifications"] = (
            await session.execute(text("SELECT id FROM notifications ORDER BY 1"))
        ).all()
    return {t: [tuple(r) for r in rows] for t, rows in tables.items()}


async def test_projections_rebuilt_from_the_topics_equal_the_live_ones(endpoints):
    settings = Settings(
        **{
            **endpoints.service_settings("notify"),
            "database_name": f"{endpoints.namespace.rstrip('.')}_notify_{uuid.uuid4().hex[:8]}",
            "kafka_namespace": f"{endpoints.namespace}{uuid.uuid4().hex[:6]}.",
        }
    )
    await migrate(settings, MIGRATIONS)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    deps = Dependencies(lambda: UnitOfWork(sessions, settings.topic), lambda: NOW)
    producer = create_producer(settings.kafka_connection())
    await producer.start()
    try:
        await ensure_topics(settings.kafka_connection(), [settings.topic(t) for t in SOURCES], 3)
        publisher = Publisher(producer, settings.topic, CommandSigner(settings.command_signing_keys()))
        events = history()
        for envelope in events:  # what the topics hold, and what the live consumers saw
            await publisher.publish(envelope)
            await handle_booking_event(deps, envelope)
            await handle_chat_event(deps, timedelta(seconds=60), envelope)
            await handle_customer_event(deps, envelope)
        live = await snapshot(sessions)

        replayed = await rebuild_projections(settings)  # one page: later changes to rows of the page
        rebuilt = await snapshot(sessions)
        await rebuild_projections(settings, page=2)  # many pages: changes to rows of earlier pages
        rebuilt_in_small_pages = await snapshot(sessions)
    finally:
        await producer.stop()
        await engine.dispose()

    assert replayed == len(events)
    assert rebuilt_in_small_pages == live
    assert all(live[t] for t in ("services", "bookings", "names", "conversations", "read_marks", "shops"))
    assert rebuilt == live  # and notifications: the confirmation and the move, not again
    assert len(live["notifications"]) == 2
