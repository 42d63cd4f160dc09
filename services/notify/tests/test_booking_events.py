"""Booking events into notifications and reminders, on the real PostgreSQL: what a
customer hears when a booking is confirmed, a change is proposed, it moves or it is
cancelled; reminders follow the booking; repeats and late old events change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from frontdesk_contracts import Envelope
from frontdesk_notify.service_layer.booking_events import handle_booking_event

from .campaign_harness import Harness, notify_database

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
STARTS = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # Saturday 10:00 in Shanghai


@pytest.fixture
async def harness(endpoints) -> AsyncIterator[Harness]:
    async with notify_database(endpoints, NOW) as found:
        yield found


class Booking:
    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.shop, self.customer, self.service, self.id = uuid4(), uuid4(), uuid4(), uuid4()
        self.version = 0

    async def setup(self) -> None:
        shop = {"shop_id": str(self.shop), "at": NOW.isoformat()}
        await self.event(
            "booking.shop.configured.v1", {**shop, "timezone": "Asia/Shanghai", "policy": {}}, self.shop
        )
        service = {"service_id": str(self.service), "name": "洗澡", "duration_minutes": 60}
        await self.event("booking.service.defined.v1", {**shop, "service": service}, self.shop)

    async def event(self, type: str, data: dict[str, Any], key: UUID, version: int | None = None) -> Envelope:
        envelope = Envelope(
            type=type, source="test", aggregate_id=str(key), aggregate_version=version, data=data
        )
        await handle_booking_event(self.harness.deps, envelope)
        return envelope

    async def step(self, name: str, status: str, starts_at: datetime = STARTS, **extra: Any) -> Envelope:
        self.version += 1
        data = {
            "booking_id": str(self.id),
            "shop_id": str(self.shop),
            "customer_id": str(self.customer),
            "service_id": str(self.service),
            "status": status,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
            "staff_id": str(uuid4()),
            "at": NOW.isoformat(),
            **extra,
        }
        return await self.event(f"booking.booking.{name}.v1", data, self.id, self.version)

    async def notifications(self) -> list[tuple[str, str]]:
        found = await self.harness.rows(
            "SELECT category, body FROM notifications WHERE user_id = :u ORDER BY created_at, id",
            u=self.customer,
        )
        return [(r.category, r.body) for r in found]

    async def reminders(self) -> list[tuple[str, str, datetime]]:
        found = await self.harness.rows(
            "SELECT kind, status, due_at FROM reminders WHERE booking_id = :b ORDER BY due_at, status",
            b=self.id,
        )
        return [(r.kind, r.status, r.due_at) for r in found]


@pytest.fixture
async def booking(harness) -> Booking:
    made = Booking(harness)
    await made.setup()
    return made


async def test_a_confirmed_booking_is_announced_and_its_reminders_planned(booking):
    await booking.step("held", "held")
    confirmed = await booking.step("confirmed", "confirmed")
    await handle_booking_event(booking.harness.deps, confirmed)  # Kafka delivers it again

    assert await booking.notifications() == [("booking_confirmed", "您已预约洗澡，时间：11月21日 10:00。")]
    assert await booking.reminders() == [
        ("day_before", "scheduled", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),  # 18:00 Shanghai
        ("morning", "scheduled", datetime(2026, 11, 21, 0, 0, tzinfo=UTC)),  # 08:00 Shanghai
    ]


async def test_a_proposal_is_announced_and_an_accepted_one_moves_the_reminders(booking):
    await booking.step("confirmed", "confirmed")
    later = STARTS + timedelta(days=1, hours=4)  # Sunday 14:00 in Shanghai
    proposed = {"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()}
    await booking.step("change_proposed", "confirmed", proposed={**proposed, "staff_id": str(uuid4())})
    await booking.step("change_accepted", "confirmed", starts_at=later)

    categories = [(c, b) for c, b in await booking.notifications()]
    assert categories[1:] == [
        ("booking_change_proposed", "店铺建议把您的洗澡预约改到11月22日 14:00，请确认。"),
        ("booking_rescheduled", "您的洗澡预约已改到11月22日 14:00。"),
    ]
    assert [(k, s) for k, s, _ in await booking.reminders()] == [
        ("day_before", "moved"),
        ("morning", "moved"),
        ("day_before", "scheduled"),
        ("morning", "scheduled"),
    ]


async def test_a_cancelled_booking_is_announced_and_never_reminded_and_late_old_events_change_nothing(
    booking,
):
    confirmed = await booking.step("confirmed", "confirmed")
    await booking.step("cancelled", "cancelled")
    stale = Envelope(**{**confirmed.model_dump(), "id": uuid4()})  # the old event, republished
    await handle_booking_event(booking.harness.deps, stale)

    assert [c for c, _ in await booking.notifications()] == ["booking_confirmed", "booking_cancelled"]
    assert [s for _, s, _ in await booking.reminders()] == ["cancelled", "cancelled"]
