"""Contracts of the messaging service: its commands, events and command replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from .registry import Contract, contract
from .topics import MESSAGING_COMMANDS, MESSAGING_EVENTS, MESSAGING_REPLIES

Role = Literal["owner", "staff", "customer"]


class Actor(BaseModel):
    """Who asked: the gateway fills this from the caller's verified token."""

    user_id: UUID
    role: Role
    shop_id: UUID


@contract("messaging.conversation.open.v1", topic=MESSAGING_COMMANDS, kind="command")
class OpenConversation(Contract):
    """Open the 1:1 conversation between a shop and one of its customers (idempotent)."""

    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    actor: Actor


@contract("messaging.message.send.v1", topic=MESSAGING_COMMANDS, kind="command")
class SendMessage(Contract):
    """Send a text message; the same client_msg_id from the same sender is stored once."""

    conversation_id: UUID
    client_msg_id: str = Field(min_length=1, max_length=64)
    text: str
    actor: Actor


@contract("messaging.conversation.opened.v1", topic=MESSAGING_EVENTS, kind="event")
class ConversationOpened(Contract):
    """A conversation between a shop and a customer exists from now on."""

    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_by: UUID
    opened_at: datetime


@contract("messaging.message.sent.v1", topic=MESSAGING_EVENTS, kind="event")
class MessageSent(Contract):
    """A message was stored with its gapless per-conversation sequence number."""

    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    message_id: UUID
    seq: int
    sender_id: UUID
    sender_role: Role
    client_msg_id: str
    kind: Literal["text"] = "text"
    text: str
    sent_at: datetime


@contract("messaging.command.accepted.v1", topic=MESSAGING_REPLIES, kind="reply")
class CommandAccepted(Contract):
    """Reply to a command that took effect (or had already taken effect: duplicate=true)."""

    command_id: UUID
    command_type: str
    conversation_id: UUID
    message_id: UUID | None = None
    seq: int | None = None
    client_msg_id: str | None = None
    duplicate: bool = False


@contract("messaging.command.rejected.v1", topic=MESSAGING_REPLIES, kind="reply")
class CommandRejected(Contract):
    """Reply to a command that was refused; nothing was written."""

    command_id: UUID
    command_type: str
    conversation_id: UUID
    code: str
    message: str
    client_msg_id: str | None = None
