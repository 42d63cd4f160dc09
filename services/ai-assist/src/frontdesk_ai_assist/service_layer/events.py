"""Other services' events → what the assistant knows: shops (identity, booking, messaging
settings), pets, conversations and the customer messages it may answer.

Each event is applied once (tracking record in the same transaction). A customer's
message becomes a turn due at once, or after the shop's `reply_after` in mode
`no_staff_reply` (a durable timer); the worker is woken when one is due now. A staff
member's own message (not the assistant's, not an automatic one) marks the
conversation as handled by a person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope, identity
from frontdesk_contracts.assistant import assistant_id_for
from frontdesk_platform.pipeline import Pipeline, Route, Work
from frontdesk_platform.row_writes import RowWrite, write
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.speaking import due_at
from ..projections import conversations, erasure, knowledge, shops
from .deps import Dependencies
from .shops import assistant_settings

CONSUMER = "ai-assist.events"
Apply = Callable[[AsyncSession, Dependencies, dict[str, Any]], Awaitable[bool]]


def events(deps: Callable[[], Dependencies]) -> Pipeline[Work[Dependencies]]:
    """Its dependencies are known once the app has started, hence asked for each batch."""
    return Pipeline(_route, lambda uow, event: Work(deps(), uow, event))


async def handle_event(deps: Dependencies, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(lambda: deps).carry_out_one(CONSUMER, deps.unit_of_work, event)


def _route(type_name: str) -> Route[Work[Dependencies]] | None:
    apply = _HANDLED.get(_kind(type_name))
    if apply is None:
        return None

    async def carry_out(work: Work[Dependencies], event: Envelope) -> None:
        if await apply(work.session, work.deps, event.data):
            work.uow.after_commit(work.deps.wake)  # a turn is due now: the worker answers it

    return Route(carry_out)


def _kind(type_name: str) -> str:
    """`booking.booking.held.v2` → `booking.booking.held` (either version of a type)."""
    return type_name.rsplit(".", 1)[0]


def _shop_registered(data: dict[str, Any]) -> list[RowWrite]:
    return [shops.name_write(UUID(data["shop_id"]), data["name"], data["timezone"])]


def _shop_configured(data: dict[str, Any]) -> list[RowWrite]:
    return [shops.booking_terms_write(UUID(data["shop_id"]), data["timezone"], data["policy"])]


def _service_defined(data: dict[str, Any]) -> list[RowWrite]:
    per_night = bool((data.get("schedule") or {}).get("per_night"))
    return shops.service_writes(UUID(data["shop_id"]), data["service"], per_night)


def _pet(data: dict[str, Any]) -> list[RowWrite]:
    ids = UUID(data["pet_id"]), UUID(data["shop_id"]), UUID(data["customer_id"])
    return [shops.pet_write(*ids, data["profile"])]


def _hours(data: dict[str, Any]) -> list[RowWrite]:
    return [shops.hours_write(UUID(data["shop_id"]), data["timezone"], data["weekly"])]


def _opened(data: dict[str, Any]) -> list[RowWrite]:
    ids = UUID(data["conversation_id"]), UUID(data["shop_id"]), UUID(data["customer_id"])
    return [conversations.opened_write(*ids)]


def _staff_wrote(data: dict[str, Any]) -> list[RowWrite]:
    """A staff member's own message (not the assistant's, not an automatic one)."""
    shop_id = UUID(data["shop_id"])
    if data["sender_role"] != "customer" and data.get("sender_kind", "person") == "person":
        if UUID(data["sender_id"]) != assistant_id_for(shop_id):
            sent_at = datetime.fromisoformat(data["sent_at"])
            return [conversations.staff_wrote_write(UUID(data["conversation_id"]), sent_at)]
    return []


async def _sent(session: AsyncSession, deps: Dependencies, data: dict[str, Any]) -> bool:
    if data["sender_role"] != "customer":
        await write(session, _staff_wrote(data))
        return False
    conversation_id, shop_id = UUID(data["conversation_id"]), UUID(data["shop_id"])
    sent_at = datetime.fromisoformat(data["sent_at"])
    await conversations.opened(session, conversation_id, shop_id, UUID(data["customer_id"]))
    settings = assistant_settings(await knowledge.settings(session, shop_id))
    text = (data.get("text") or "").strip()
    answer = settings.mode != "off" and bool(text)
    due = due_at(settings, sent_at)
    await conversations.add_turn(
        session,
        conversation_id=conversation_id,
        seq=int(data["seq"]),
        shop_id=shop_id,
        customer_id=UUID(data["customer_id"]),
        text=text,
        sent_at=sent_at,
        due_at=due,
        answer=answer,
    )
    return answer and due <= deps.clock()


async def _recalled(session: AsyncSession, deps: Dependencies, data: dict[str, Any]) -> bool:
    await conversations.change_turn_text(session, UUID(data["conversation_id"]), int(data["seq"]), None)
    return False


async def _edited(session: AsyncSession, deps: Dependencies, data: dict[str, Any]) -> bool:
    await conversations.change_turn_text(
        session, UUID(data["conversation_id"]), int(data["seq"]), data["text"]
    )
    return False


async def _erased(session: AsyncSession, deps: Dependencies, data: dict[str, Any]) -> bool:
    await erasure.erase(session, identity.CustomerErased.model_validate(data))
    return False


def _assigned(data: dict[str, Any]) -> list[RowWrite]:
    by = data.get("assigned_by")
    assistant = assistant_id_for(UUID(data["shop_id"]))
    by_person = by is not None and UUID(by) != assistant and data.get("reason") != "auto"
    assignee = UUID(data["assignee_id"]) if data.get("assignee_id") else None
    at = datetime.fromisoformat(data["assigned_at"])
    return [conversations.assigned_write(UUID(data["conversation_id"]), assignee, by_person, at)]


def _status(data: dict[str, Any]) -> list[RowWrite]:
    at = datetime.fromisoformat(data["changed_at"])
    return [conversations.status_write(UUID(data["conversation_id"]), data["status"], at)]


Project = Callable[[dict[str, Any]], list[RowWrite]]
_PROJECTIONS: dict[str, Project] = {
    "identity.shop.registered": _shop_registered,
    "booking.shop.configured": _shop_configured,
    "booking.service.defined": _service_defined,
    "booking.pet.registered": _pet,
    "booking.pet.updated": _pet,
    "messaging.shop.business_hours_set": _hours,
    "messaging.conversation.opened": _opened,
    "messaging.conversation.assigned": _assigned,
    "messaging.conversation.status_changed": _status,
}


def _projected(project: Project) -> Apply:
    async def apply(session: AsyncSession, deps: Dependencies, data: dict[str, Any]) -> bool:
        await write(session, project(data))
        return False

    return apply


_HANDLED: dict[str, Apply] = {
    **{kind: _projected(project) for kind, project in _PROJECTIONS.items()},
    "messaging.message.sent": _sent,
    "messaging.message.recalled": _recalled,
    "messaging.message.edited": _edited,
    "identity.customer.erased": _erased,
}


def projects(type_name: str) -> bool:
    """Whether a rebuild has anything to write for events of this type."""
    kind = _kind(type_name)
    return kind == "messaging.message.sent" or kind in _PROJECTIONS


def writes(event: Envelope) -> list[RowWrite]:
    """What a rebuild replays: shops, services, pets and conversations as events left
    them; customer messages are not turned into turns again (they were answered)."""
    kind = _kind(event.type)
    if kind == "messaging.message.sent":
        return _staff_wrote(event.data)
    project = _PROJECTIONS.get(kind)
    return [] if project is None else project(event.data)
