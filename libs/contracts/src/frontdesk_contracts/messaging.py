"""Contracts of the messaging service: its commands, events and command replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from .registry import Contract, contract
from .topics import MESSAGING_COMMANDS, MESSAGING_EVENTS, MESSAGING_REPLIES

Role = Literal["owner", "staff", "customer"]
CONVERSATION_NAMESPACE = UUID("5b0f8a36-5d0c-4d0a-9d6f-0f7c3c1e2a41")


def conversation_id_for(shop_id: UUID, customer_id: UUID) -> UUID:
    """A customer has exactly one conversation per shop; its id is derived from both."""
    return uuid5(CONVERSATION_NAMESPACE, f"{shop_id}/{customer_id}")


Status = Literal["open", "pending", "resolved"]


class Actor(BaseModel):
    """Who asked: the gateway fills this from the caller's verified token."""

    user_id: UUID
    role: Role
    shop_id: UUID


MessageKind = Literal["text", "image", "voice", "video", "file"]


class Attachment(BaseModel):
    """Metadata of an uploaded file; the bytes stay in object storage behind the gateway."""

    attachment_id: UUID
    name: str
    mime: str
    size: int
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_id: UUID | None = None


@contract("messaging.conversation.open.v1", topic=MESSAGING_COMMANDS, kind="command")
class OpenConversation(Contract):
    """Open the 1:1 conversation between a shop and one of its customers (idempotent)."""

    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    actor: Actor


@contract("messaging.message.send.v1", topic=MESSAGING_COMMANDS, kind="command")
class SendMessage(Contract):
    """Send a message; the same client_msg_id from the same sender is stored once."""

    conversation_id: UUID
    client_msg_id: str = Field(min_length=1, max_length=64)
    text: str
    actor: Actor
    kind: MessageKind = "text"
    attachment: Attachment | None = None
    as_assistant: bool = Field(
        default=False,
        description="Sent by the shop's assistant (a staff-role actor): stored with sender_kind assistant.",
    )


@contract("messaging.conversation.opened.v1", topic=MESSAGING_EVENTS, kind="event")
class ConversationOpened(Contract):
    """A conversation between a shop and a customer exists from now on."""

    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_by: UUID
    opened_at: datetime


class BookingUpdate(BaseModel):
    """A booking's day-of-service progress update, posted into the customer's conversation."""

    booking_id: UUID
    update_id: UUID
    photo_ref: str | None = None


CallMedia = Literal["audio", "video", "live_view"]
CallOutcome = Literal["completed", "missed", "declined", "cancelled", "failed"]


class CallSummary(BaseModel):
    """What a call message says: kept on the message, so history shows it without events."""

    call_id: UUID
    media: CallMedia
    outcome: CallOutcome
    caller_id: UUID
    answered_by: UUID | None = None
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime
    duration_ms: int = Field(description="From answer to end; 0 for a call nobody answered.")
    booking_id: UUID | None = Field(default=None, description="A live view: the booking it showed.")


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
    kind: MessageKind = "text"
    text: str = Field(description="The text, or an attachment's caption (may be empty).")
    sent_at: datetime
    sender_kind: str = Field(
        default="person",
        description="person, auto_reply (the shop's automatic answer), assistant, booking_update, "
        "waitlist_offer or call (a call is over: `call` says how it went)",
    )
    attachment: Attachment | None = None
    booking_update: BookingUpdate | None = None
    call: CallSummary | None = Field(default=None, description="sender_kind call: how the call went.")


@contract("messaging.command.accepted.v1", topic=MESSAGING_REPLIES, kind="reply")
class CommandAccepted(Contract):
    """Reply to a command that took effect (or had already taken effect: duplicate=true)."""

    command_id: UUID
    command_type: str
    conversation_id: UUID | None = None
    shop_id: UUID | None = Field(default=None, description="Set for shop-level commands.")
    message_id: UUID | None = None
    seq: int | None = None
    client_msg_id: str | None = None
    duplicate: bool = False
    details: dict[str, Any] | None = None


@contract("messaging.command.rejected.v1", topic=MESSAGING_REPLIES, kind="reply")
class CommandRejected(Contract):
    """Reply to a command that was refused; nothing was written."""

    command_id: UUID
    command_type: str
    conversation_id: UUID | None = None
    shop_id: UUID | None = Field(default=None, description="Set for shop-level commands.")
    code: str
    message: str
    client_msg_id: str | None = None


class ConversationCommand(Contract):
    conversation_id: UUID
    actor: Actor


class ConversationEvent(Contract):
    """Every conversation event names its shop and customer, so fan-out needs no lookup."""

    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID


@contract("messaging.message.recall.v1", topic=MESSAGING_COMMANDS, kind="command")
class RecallMessage(ConversationCommand):
    """Take back one's own message within the recall window."""

    message_id: UUID


@contract("messaging.message.edit.v1", topic=MESSAGING_COMMANDS, kind="command")
class EditMessage(ConversationCommand):
    """Change the text of one's own message within the edit window."""

    message_id: UUID
    text: str


@contract("messaging.receipt.mark_read.v1", topic=MESSAGING_COMMANDS, kind="command")
class MarkRead(ConversationCommand):
    """The reader has read everything up to this seq."""

    up_to_seq: int = Field(ge=0)


@contract("messaging.receipt.mark_delivered.v1", topic=MESSAGING_COMMANDS, kind="command")
class MarkDelivered(ConversationCommand):
    """A device of the reader has received everything up to this seq."""

    up_to_seq: int = Field(ge=0)


@contract("messaging.note.add.v1", topic=MESSAGING_COMMANDS, kind="command")
class AddNote(ConversationCommand):
    """An internal note: staff only, never shown to the customer."""

    note_id: UUID
    text: str


@contract("messaging.conversation.assign.v1", topic=MESSAGING_COMMANDS, kind="command")
class AssignConversation(ConversationCommand):
    """Assign to a staff member (or transfer, with a handoff note); None unassigns."""

    assignee_id: UUID | None
    handoff_note: str | None = Field(default=None, max_length=2000)
    next_in_rotation: bool = Field(
        default=False,
        description="A handoff to a person (the assistant's): with assignee_id None, the conversation "
        "stays with its assignee or goes to the next staff member in rotation, and the note is kept.",
    )


@contract("messaging.conversation.set_labels.v1", topic=MESSAGING_COMMANDS, kind="command")
class SetLabels(ConversationCommand):
    """Replace the conversation's labels."""

    labels: list[str]


@contract("messaging.conversation.set_status.v1", topic=MESSAGING_COMMANDS, kind="command")
class SetStatus(ConversationCommand):
    """Move the conversation to open, pending or resolved."""

    status: Status


@contract("messaging.survey.answer.v1", topic=MESSAGING_COMMANDS, kind="command")
class AnswerSurvey(ConversationCommand):
    """The customer's satisfaction rating (1-5) for a resolved conversation."""

    survey_id: UUID
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)


@contract("messaging.message.recalled.v1", topic=MESSAGING_EVENTS, kind="event")
class MessageRecalled(ConversationEvent):
    """A message was recalled; its content is gone everywhere."""

    message_id: UUID
    seq: int
    recalled_by: UUID
    recalled_at: datetime


@contract("messaging.message.edited.v1", topic=MESSAGING_EVENTS, kind="event")
class MessageEdited(ConversationEvent):
    """A message's text was changed by its sender."""

    message_id: UUID
    seq: int
    text: str
    edited_by: UUID
    edited_at: datetime


@contract("messaging.receipt.read.v1", topic=MESSAGING_EVENTS, kind="event")
class MessagesRead(ConversationEvent):
    """A reader has read the conversation up to a seq."""

    reader_id: UUID
    reader_role: Role
    up_to_seq: int
    read_at: datetime


@contract("messaging.receipt.delivered.v1", topic=MESSAGING_EVENTS, kind="event")
class MessagesDelivered(ConversationEvent):
    """A reader's device has received the conversation up to a seq."""

    reader_id: UUID
    reader_role: Role
    up_to_seq: int
    delivered_at: datetime


@contract("messaging.note.added.v1", topic=MESSAGING_EVENTS, kind="event")
class NoteAdded(ConversationEvent):
    """An internal staff note. Never deliver it to a customer."""

    note_id: UUID
    author_id: UUID
    text: str
    added_at: datetime


@contract("messaging.conversation.assigned.v1", topic=MESSAGING_EVENTS, kind="event")
class ConversationAssigned(ConversationEvent):
    """The conversation's assignee changed (manual, transfer with handoff note, or auto)."""

    assignee_id: UUID | None
    previous_assignee_id: UUID | None
    assigned_by: UUID | None
    reason: Literal["manual", "transfer", "auto"]
    handoff_note: str | None
    assigned_at: datetime


@contract("messaging.conversation.labels_changed.v1", topic=MESSAGING_EVENTS, kind="event")
class LabelsChanged(ConversationEvent):
    """The conversation's labels are now exactly these."""

    labels: list[str]
    changed_by: UUID
    changed_at: datetime


@contract("messaging.conversation.status_changed.v1", topic=MESSAGING_EVENTS, kind="event")
class StatusChanged(ConversationEvent):
    """open / pending / resolved."""

    status: Status
    previous_status: Status
    changed_by: UUID
    changed_at: datetime


@contract("messaging.survey.requested.v1", topic=MESSAGING_EVENTS, kind="event")
class SurveyRequested(ConversationEvent):
    """The customer is asked to rate the conversation (sent when it is resolved)."""

    survey_id: UUID
    requested_at: datetime


@contract("messaging.survey.answered.v1", topic=MESSAGING_EVENTS, kind="event")
class SurveyAnswered(ConversationEvent):
    """The customer's satisfaction rating."""

    survey_id: UUID
    rating: int
    comment: str | None
    answered_by: UUID
    answered_at: datetime


@contract("messaging.conversation.out_of_hours_replied.v1", topic=MESSAGING_EVENTS, kind="event")
class OutOfHoursReplied(ConversationEvent):
    """The shop's automatic out-of-hours answer was sent (at most once a local day)."""

    local_day: str
    replied_at: datetime
