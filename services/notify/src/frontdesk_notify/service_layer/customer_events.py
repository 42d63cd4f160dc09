"""Events → what notify knows of each shop's customers, for campaign segments: when they
signed up (identity), their bookings and pets (booking), their conversations' labels
(messaging).

Only the events a segment needs are kept, each once (tracking record in the same
transaction); every other event on these topics passes without touching the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_platform.pipeline import Pipeline, Route, Work
from sqlalchemy.ext.asyncio import AsyncSession

from ..projections import audience
from .deps import Dependencies

CONSUMER = "notify.customer-facts"


def events(deps: Dependencies) -> Pipeline[Work[Dependencies]]:
    def route(type_name: str) -> Route[Work[Dependencies]] | None:
        applier = _applier(type_name)
        if applier is None:
            return None

        async def apply(work: Work[Dependencies], event: Envelope) -> None:
            await applier(work.session, event)

        return Route(apply)

    return Pipeline(route, lambda uow, event: Work(deps, uow, event))


async def handle_customer_event(deps: Dependencies, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(deps).carry_out_one(CONSUMER, deps.unit_of_work, event)


Applier = Callable[[AsyncSession, Envelope], Awaitable[None]]


async def project(session: AsyncSession, event: Envelope) -> None:
    """The customer facts of one event: all a rebuild replays."""
    apply = _applier(event.type)
    if apply is not None:
        await apply(session, event)


def _applier(type_name: str) -> Applier | None:
    """By type without its version: a later version of these events still carries the fields."""
    name = type_name.rsplit(".", 1)[0]
    if name.startswith("booking.booking."):
        return _booking
    return _APPLIERS.get(name)


async def _booking(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    await audience.booking_changed(
        session,
        booking_id=UUID(data["booking_id"]),
        shop_id=UUID(data["shop_id"]),
        customer_id=UUID(data["customer_id"]),
        status=data["status"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        at=datetime.fromisoformat(data["at"]) if data.get("at") else event.time,
        version=event.aggregate_version or 0,
    )


async def _pet(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    await audience.pet_changed(
        session,
        pet_id=UUID(data["pet_id"]),
        shop_id=UUID(data["shop_id"]),
        customer_id=UUID(data["customer_id"]),
        species=data["profile"].get("species", ""),
        version=event.aggregate_version or 0,
    )


async def _labels(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    await audience.labels_changed(
        session,
        conversation_id=UUID(data["conversation_id"]),
        shop_id=UUID(data["shop_id"]),
        customer_id=UUID(data["customer_id"]),
        labels=data["labels"],
        version=event.aggregate_version or 0,
    )


async def _signed_up(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    await audience.customer_joined(session, UUID(data["shop_id"]), UUID(data["customer_id"]), event.time)


_APPLIERS: dict[str, Applier] = {
    "booking.pet.registered": _pet,
    "booking.pet.updated": _pet,
    "messaging.conversation.labels_changed": _labels,
    "identity.customer.registered": _signed_up,
}
