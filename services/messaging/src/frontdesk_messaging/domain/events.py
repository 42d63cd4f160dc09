"""What happens in a conversation, as the messaging service records it.

These stay inside the service; handlers translate them into the versioned contracts
other services read. Field names match the contracts', so translation is mechanical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

Role = Literal["owner", "staff", "customer"]
Status = Literal["open", "pending", "resolved"]


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
    sender_kind: str = "person"
    kind: str = "text"
    attachment: dict[str, Any] | None = None
    booking_update: dict[str, Any] | None = None
    call: dict[str, Any] | None = None


@dataclass(frozen=True)
class MessageRecalled:
    conversation_id: UUID
    message_id: UUID
    seq: int
    recalled_by: UUID
    recalled_at: datetime


@dataclass(frozen=True)
class MessageEdited:
    conversation_id: UUID
    message_id: UUID
    seq: int
    text: str
    edited_by: UUID
    edited_at: datetime


@dataclass(frozen=True)
class MessagesRead:
    conversation_id: UUID
    reader_id: UUID
    reader_role: Role
    up_to_seq: int
    read_at: datetime


@dataclass(frozen=True)
class MessagesDelivered:
    conversation_id: UUID
    reader_id: UUID
    reader_role: Role
    up_to_seq: int
    delivered_at: datetime


@dataclass(frozen=True)
class NoteAdded:
    conversation_id: UUID
    note_id: UUID
    author_id: UUID
    text: str
    added_at: datetime


@dataclass(frozen=True)
class ConversationAssigned:
    conversation_id: UUID
    assignee_id: UUID | None
    previous_assignee_id: UUID | None
    assigned_by: UUID | None
    reason: Literal["manual", "transfer", "auto"]
    handoff_note: str | None
    assigned_at: datetime


@dataclass(frozen=True)
class LabelsChanged:
    conversation_id: UUID
    labels: tuple[str, ...]
    changed_by: UUID
    changed_at: datetime


@dataclass(frozen=True)
class StatusChanged:
    conversation_id: UUID
    status: Status
    previous_status: Status
    changed_by: UUID
    changed_at: datetime


@dataclass(frozen=True)
class SurveyRequested:
    conversation_id: UUID
    survey_id: UUID
    requested_at: datetime


@dataclass(frozen=True)
class SurveyAnswered:
    conversation_id: UUID
    survey_id: UUID
    rating: int
    comment: str | None
    answered_by: UUID
    answered_at: datetime


@dataclass(frozen=True)
class OutOfHoursReplied:
    conversation_id: UUID
    local_day: str
    replied_at: datetime


@dataclass(frozen=True)
class CallStarted:
    conversation_id: UUID
    call_id: UUID
    media: str
    caller_id: UUID
    caller_role: Role
    started_at: datetime
    booking_id: UUID | None = None


@dataclass(frozen=True)
class CallAnswered:
    conversation_id: UUID
    call_id: UUID
    answered_by: UUID
    answered_at: datetime


@dataclass(frozen=True)
class CallEnded:
    conversation_id: UUID
    call_id: UUID
    media: str
    outcome: str
    caller_id: UUID
    answered_by: UUID | None
    ended_at: datetime
    duration_ms: int
    booking_id: UUID | None = None


Event = (
    ConversationOpened
    | MessageSent
    | MessageRecalled
    | MessageEdited
    | MessagesRead
    | MessagesDelivered
    | NoteAdded
    | ConversationAssigned
    | LabelsChanged
    | StatusChanged
    | SurveyRequested
    | SurveyAnswered
    | OutOfHoursReplied
    | CallStarted
    | CallAnswered
    | CallEnded
)
