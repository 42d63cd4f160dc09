"""The Conversation aggregate: who talks with whom, and the gapless message sequence.

Pure Python: no database, no Kafka. Handlers load it, ask it to decide, and store the
events it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

Role = Literal["owner", "staff", "customer"]
MAX_TEXT_LENGTH = 4000


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    role: Role
    shop_id: UUID

    @property
    def is_staff(self) -> bool:
        return self.role in ("owner", "staff")


@dataclass(frozen=True)
class ConversationOpened:
    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_by: UUID
    opened_at: datetime


@dataclass(frozen=True)
class MessageSent:
    conversation_id: UUID
    message_id: UUID
    seq: int
    sender_id: UUID
    sender_role: Role
    client_msg_id: str
    text: str
    sent_at: datetime


Event = ConversationOpened | MessageSent


class Refused(Exception):
    """A command the conversation will not carry out; nothing is written."""

    code = "refused"


class ConversationNotFound(Refused):
    code = "conversation_not_found"


class InvalidMessage(Refused):
    code = "invalid_message"


@dataclass
class Conversation:
    id: UUID
    shop_id: UUID | None = None
    customer_id: UUID | None = None
    last_seq: int = 0
    version: int = 0
    pending: list[Event] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.shop_id is not None

    def may_access(self, actor: Actor) -> bool:
        if not self.is_open or actor.shop_id != self.shop_id:
            return False
        return actor.is_staff or actor.user_id == self.customer_id

    def open(self, shop_id: UUID, customer_id: UUID, actor: Actor, at: datetime) -> None:
        if self.is_open:
            if (self.shop_id, self.customer_id) != (shop_id, customer_id):
                raise ConversationNotFound("this conversation belongs to someone else")
            return
        if actor.shop_id != shop_id or (not actor.is_staff and actor.user_id != customer_id):
            raise ConversationNotFound("you cannot open a conversation for someone else")
        self._record(ConversationOpened(self.id, shop_id, customer_id, actor.user_id, at))

    def send(
        self, actor: Actor, message_id: UUID, client_msg_id: str, text: str, at: datetime
    ) -> MessageSent:
        if not self.may_access(actor):
            raise ConversationNotFound("no such conversation")
        if not text.strip():
            raise InvalidMessage("a message needs some text")
        if len(text) > MAX_TEXT_LENGTH:
            raise InvalidMessage(f"a message has at most {MAX_TEXT_LENGTH} characters")
        event = MessageSent(
            self.id, message_id, self.last_seq + 1, actor.user_id, actor.role, client_msg_id, text, at
        )
        self._record(event)
        return event

    def apply(self, event: Event) -> None:
        match event:
            case ConversationOpened():
                self.shop_id, self.customer_id = event.shop_id, event.customer_id
            case MessageSent():
                self.last_seq = event.seq
        self.version += 1

    def _record(self, event: Event) -> None:
        self.apply(event)
        self.pending.append(event)
