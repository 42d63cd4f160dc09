"""Events → what notify knows of each shop's customers, for campaign segments: when they
signed up (identity), their bookings and pets (booking), their conversations' labels
(messaging).

Only the events a segment needs are kept, each once (tracking record in the same
transaction); every other event on these topics passes without touching the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_platform.pipeline import Pipeline, Route, Work
from frontdesk_platform.row_writes import RowWrite, write

from ..projections import audience
from .deps import Dependencies

CONSUMER = "notify.customer-facts"


def events(deps: Dependencies) -> Pipeline[Work[Dependencies]]:
    def route(type_name: str) -> Route[Work[Dependencies]] | None:
        fact = _fact(type_name)
        if fact is None:
            return None

        async def apply(work: Work[Dependencies], event: Envelope) -> None:
            await write(work.session, [fact(event)])

        return Route(apply)

    return Pipeline(route, lambda uow, event: Work(deps, uow, event))


async def handle_customer_event(deps: Dependencies, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(deps).carry_out_one(CONSUMER, deps.unit_of_work, event)


Fact = Callable[[Envelope], RowWrite]


def projects(type_name: str) -> bool:
    return _fact(type_name) is not None


def writes(event: Envelope) -> list[RowWrite]:
    """The customer facts of one event: all a rebuild replays."""
    fact = _fact(event.type)
    return [] if fact is None else [fact(event)]


def _fact(type_name: str) -> Fact | None:
    """By type without its version: a later version of these events still carries the fields."""
    name = type_name.rsplit(".", 1)[0]
    if name.startswith("booking.booking."):
        return _booking
    return _FACTS.get(name)


def _booking(event: Envelope) -> RowWrite:
    data = event.data
    return audience.booking_changed(
        booking_id=UUID(data["booking_id"]),
        shop_id=UUID(data["shop_id"]),
        customer_id=UUID(data["customer_id"]),
        status=data["status"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        at=datetime.fromisoformat(data["at"]) if data.get("at") else event.time,
        version=event.aggregate_version or 0,
    )


def _pet(event: Envelope) -> RowWrite:
    data = event.data
    return audience.pet_changed(
        pet_id=UUID(data["pet_id"]),
        shop_id=UUID(data["shop_id"]),
        customer_id=UUID(data["customer_id"]),
        species=data["profile"].get("species", ""),
        version=event.aggregate_version or 0,
    )


def _labels(event: Envelope) -> RowWrite:
    data = event.data
    return audience.labels_changed(
        conversation_id=UUID(data["conversation_id"]),
        shop_id=UUID(data["shop_id"]),
        customer_id=UUID(data["customer_id"]),
        labels=data["labels"],
        version=event.aggregate_version or 0,
    )


def _signed_up(event: Envelope) -> RowWrite:
    data = event.data
    return audience.customer_joined(UUID(data["shop_id"]), UUID(data["customer_id"]), event.time)


_FACTS: dict[str, Fact] = {
    "booking.pet.registered": _pet,
    "booking.pet.updated": _pet,
    "messaging.conversation.labels_changed": _labels,
    "identity.customer.registered": _signed_up,
}
