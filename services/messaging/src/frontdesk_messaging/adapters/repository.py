"""Loads and stores Conversations in the event store, with a snapshot per stream so a
conversation with years of messages loads in one row plus its newest events."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from frontdesk_platform.eventstore import EventStore, NewEvent, RecordedEvent
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.model import Conversation, ConversationOpened, Event, MessageSent

EVENT_TYPES: dict[str, type[Event]] = {
    "conversation.opened": ConversationOpened,
    "message.sent": MessageSent,
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
        conversation = Conversation(conversation_id)
        stream = stream_id(conversation_id)
        snapshot = await self._store.load_snapshot(session, stream)
        if snapshot:
            version, state = snapshot
            conversation.shop_id = UUID(state["shop_id"])
            conversation.customer_id = UUID(state["customer_id"])
            conversation.last_seq = state["last_seq"]
            conversation.version = version
        for recorded in await self._store.read_stream(session, stream, conversation.version):
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
        await self._store.save_snapshot(
            session,
            stream,
            conversation.version,
            {
                "shop_id": str(conversation.shop_id),
                "customer_id": str(conversation.customer_id),
                "last_seq": conversation.last_seq,
            },
        )
        return events
