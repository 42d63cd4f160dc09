"""Loads and stores Conversations in the event store, with a snapshot per stream so a
conversation with years of messages loads in one row plus its newest events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any
from uuid import UUID

from frontdesk_platform.eventstore import EventStore, NewEvent, RecordedEvent
from frontdesk_platform.shredding import CustomerKey, is_sealed, open_sealed
from frontdesk_platform.staged import StagedStreams
from pydantic import TypeAdapter

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
    "call.started": events.CallStarted,
    "call.answered": events.CallAnswered,
    "call.ended": events.CallEnded,
}
_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}
_ADAPTERS: dict[type[Event], TypeAdapter[Any]] = {cls: TypeAdapter(cls) for cls in EVENT_TYPES.values()}


def stream_id(conversation_id: UUID) -> str:
    return f"conversation-{conversation_id}"


# Personal text, stored sealed under the conversation's customer's key (docs/adr/0005): a
# conversation is one customer's, so the shop's replies and notes about them are sealed too.
SEALED: dict[type[Event], tuple[str, ...]] = {
    events.MessageSent: ("text",),
    events.MessageEdited: ("text",),
    events.NoteAdded: ("text",),
    events.ConversationAssigned: ("handoff_note",),
    events.SurveyAnswered: ("comment",),
}


# The same, as paths in the stored JSON (for `frontdesk-messaging reseal`), with a file's name.
SEALED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    _NAMES[cls]: tuple((name,) for name in names) for cls, names in SEALED.items()
}
SEALED_FIELDS["message.sent"] += (("attachment", "name"),)


def to_new_event(event: Event, key: CustomerKey | None = None) -> NewEvent:
    data = event_data(event)
    if key is not None:
        for name in SEALED.get(type(event), ()):
            if data[name] is not None:
                data[name] = key.seal(data[name])
        attachment = data.get("attachment")
        if attachment and attachment.get("name"):  # a file's name says what is in it
            data["attachment"] = {**attachment, "name": key.seal(attachment["name"])}
    return NewEvent(type=_NAMES[type(event)], data=data)


def needs_key(pending: list[Event]) -> bool:
    return any(type(event) in SEALED for event in pending)


def event_data(event: Event | ShopEvent) -> dict[str, Any]:
    """An event's fields by name. Not dataclasses.asdict: that deep-copies every UUID and
    datetime, and an event's values are never changed in place."""
    names = _FIELD_NAMES.get(type(event))
    if names is None:
        names = _FIELD_NAMES[type(event)] = tuple(f.name for f in fields(event))
    return {name: getattr(event, name) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def from_recorded(recorded: RecordedEvent | NewEvent) -> Event:
    cls = EVENT_TYPES[recorded.type]
    event: Event = _ADAPTERS[cls].validate_python(recorded.data)
    return event


class ConversationRepository:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    @property
    def store(self) -> EventStore:
        return self._store

    async def get(self, streams: StagedStreams, conversation_id: UUID) -> Conversation:
        """The conversation as this transaction sees it; a new, unopened one if it has no events."""
        history = await streams.history(stream_id(conversation_id))
        staged = streams.staged_snapshot(stream_id(conversation_id))
        if staged is not None:  # an earlier command of the batch left it so
            return Conversation.restore(conversation_id, *staged)
        conversation = (
            Conversation.restore(conversation_id, *history.snapshot)
            if history.snapshot
            else Conversation(conversation_id)
        )
        for recorded in history.events:
            conversation.apply(from_recorded(recorded))
        return conversation

    def save(
        self, streams: StagedStreams, conversation: Conversation, key: CustomerKey | None = None
    ) -> list[Event]:
        """Stage the new events (personal text sealed with `key`) and the snapshot after them
        (written at commit). The aggregate keeps its texts sealed when it loads: it never
        decides by them."""
        events, conversation.pending = conversation.pending, []
        if not events:
            return []
        streams.stage(
            stream_id(conversation.id),
            conversation.version - len(events),
            [to_new_event(e, key) for e in events],
            conversation.snapshot(),
        )
        return events


SHOP_EVENT_TYPES: dict[str, type[ShopEvent]] = {
    "shop.business_hours_set": shop.BusinessHoursSet,
    "shop.template_saved": shop.TemplateSaved,
    "shop.template_deleted": shop.TemplateDeleted,
    "shop.staff_capacity_set": shop.StaffCapacitySet,
    "shop.assistant_set": shop.AssistantSet,
    "shop.calls_set": shop.CallsSet,
}
_SHOP_NAMES = {cls: name for name, cls in SHOP_EVENT_TYPES.items()}
_SHOP_ADAPTERS: dict[type[ShopEvent], TypeAdapter[Any]] = {
    cls: TypeAdapter(cls) for cls in SHOP_EVENT_TYPES.values()
}


def from_recorded_shop(recorded: RecordedEvent | NewEvent) -> ShopEvent:
    cls = SHOP_EVENT_TYPES[recorded.type]
    event: ShopEvent = _SHOP_ADAPTERS[cls].validate_python(recorded.data)
    return event


def shop_stream_id(shop_id: UUID) -> str:
    return f"shop-{shop_id}"


class ShopRepository:
    """A shop's settings are a short stream (a few changes a year): replayed in full."""

    def __init__(self, store: EventStore) -> None:
        self._store = store

    async def get(self, streams: StagedStreams, shop_id: UUID) -> ShopSettings:
        settings = ShopSettings(shop_id)
        for recorded in (await streams.history(shop_stream_id(shop_id))).events:
            settings.apply(from_recorded_shop(recorded))
        return settings

    def save(self, streams: StagedStreams, settings: ShopSettings) -> list[ShopEvent]:
        events, settings.pending = settings.pending, []
        if events:
            new = [NewEvent(type=_SHOP_NAMES[type(e)], data=event_data(e)) for e in events]
            streams.stage(shop_stream_id(settings.shop_id), settings.version - len(events), new, None)
        return events


def from_stored_json(
    stream_id: str, type_name: str, data: str, keys: Mapping[UUID, bytes | None] | None = None
) -> Event | ShopEvent:
    """An event straight from its stored JSON text (a rebuild reads many: pydantic parses
    the text faster than json.loads and then validating the dict), its sealed text opened
    with `keys` ("" where the key was destroyed)."""
    if stream_id.startswith("shop-"):
        shop_event: ShopEvent = _SHOP_ADAPTERS[SHOP_EVENT_TYPES[type_name]].validate_json(data)
        return shop_event
    cls = EVENT_TYPES[type_name]
    event: Event = _ADAPTERS[cls].validate_json(data)
    sealed = [name for name in SEALED.get(cls, ()) if is_sealed(getattr(event, name))]
    if sealed:
        opened: dict[str, Any] = {name: open_sealed(getattr(event, name), keys or {}) for name in sealed}
        event = replace(event, **opened)
    if isinstance(event, events.MessageSent) and event.attachment and is_sealed(event.attachment.get("name")):
        name = open_sealed(event.attachment["name"], keys or {})
        event = replace(event, attachment={**event.attachment, "name": name})
    return event
