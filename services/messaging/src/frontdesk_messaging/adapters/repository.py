"""Loads and stores Conversations in the event store, with a snapshot per stream so a
conversation with years of messages loads in one row plus its newest events."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from frontdesk_platform.eventstore import EventStore, NewEvent, RecordedEvent
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import events, shop
from ..domain.events import Event
from ..domain.model import Conversation
from ..domain.shop import ShopEvent, ShopSettings

EVENT_TYPES: dict[str, type[Event]] = {
    "conversation.opened": events.ConversationOpened,
    "message.sent": events.MessageSent,
    "message.recalled": events.MessageRecalled,
    "message.edited": events.MessageEdited,
    "messages.read": events.MessagesRead,
    "messages.delivered": events.MessagesDelivered,
    "note.added": events.NoteAdded,
    "conversation.assigned": events.ConversationAssigned,
    "labels.changed": events.LabelsChanged,
    "status.changed": events.StatusChanged,
    "survey.requested": events.SurveyRequested,
    "survey.answered": events.SurveyAnswered,
    "out_of_hours.replied": events.OutOfHoursReplied,
}
_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}
_ADAPTERS: dict[type[Event], TypeAdapter[Any]] = {cls: TypeAdapter(cls) for cls in EVENT_TYPES.values()}


def stream_id(conversation_id: UUID) -> str:
    return f"conversation-{conversation_id}"


def to_new_event(event: Event) -> NewEvent:
    return NewEvent(type=_NAMES[type(event)], data=asdict(event))


def from_recorded(recorded: RecordedEvent) -> Event:
    cls = EVENT_TYPES[recorded.type]
    event: Event = _ADAPTERS[cls].validate_python(recorded.data)
    return event


class ConversationRepository:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    async def get(self, session: AsyncSession, conversation_id: UUID) -> Conversation:
        """The conversation as of now; a new, unopened one if it has no events."""
        snapshot, since = await self._store.load_latest(session, stream_id(conversation_id))
        conversation = (
            Conversation.restore(conversation_id, *snapshot) if snapshot else Conversation(conversation_id)
        )
        for recorded in since:
            conversation.apply(from_recorded(recorded))
        return conversation

    async def save(self, session: AsyncSession, conversation: Conversation) -> list[Event]:
        events, conversation.pending = conversation.pending, []
        if not events:
            return []
        stream = stream_id(conversation.id)
        await self._store.append(
            session, stream, conversation.version - len(events), [to_new_event(e) for e in events]
        )
        await self._store.save_snapshot(session, stream, conversation.version, conversation.snapshot())
        return events


SHOP_EVENT_TYPES: dict[str, type[ShopEvent]] = {
    "shop.business_hours_set": shop.BusinessHoursSet,
    "shop.template_saved": shop.TemplateSaved,
    "shop.template_deleted": shop.TemplateDeleted,
    "shop.staff_capacity_set": shop.StaffCapacitySet,
    "shop.assistant_set": shop.AssistantSet,
}
_SHOP_NAMES = {cls: name for name, cls in SHOP_EVENT_TYPES.items()}
_SHOP_ADAPTERS: dict[type[ShopEvent], TypeAdapter[Any]] = {
    cls: TypeAdapter(cls) for cls in SHOP_EVENT_TYPES.values()
}


def from_recorded_shop(recorded: RecordedEvent) -> ShopEvent:
    cls = SHOP_EVENT_TYPES[recorded.type]
    event: ShopEvent = _SHOP_ADAPTERS[cls].validate_python(recorded.data)
    return event


class ShopRepository:
    """A shop's settings are a short stream (a few changes a year): replayed in full."""

    def __init__(self, store: EventStore) -> None:
        self._store = store

    async def get(self, session: AsyncSession, shop_id: UUID) -> ShopSettings:
        settings = ShopSettings(shop_id)
        for recorded in await self._store.read_stream(session, f"shop-{shop_id}"):
            settings.apply(from_recorded_shop(recorded))
        return settings

    async def save(self, session: AsyncSession, settings: ShopSettings) -> list[ShopEvent]:
        events, settings.pending = settings.pending, []
        new = [NewEvent(type=_SHOP_NAMES[type(e)], data=asdict(e)) for e in events]
        await self._store.append(session, f"shop-{settings.shop_id}", settings.version - len(events), new)
        return events


def from_stored_json(stream_id: str, type_name: str, data: str) -> Event | ShopEvent:
    """An event straight from its stored JSON text (a rebuild reads many: pydantic parses
    the text faster than json.loads and then validating the dict)."""
    if stream_id.startswith("shop-"):
        shop_event: ShopEvent = _SHOP_ADAPTERS[SHOP_EVENT_TYPES[type_name]].validate_json(data)
        return shop_event
    event: Event = _ADAPTERS[EVENT_TYPES[type_name]].validate_json(data)
    return event
