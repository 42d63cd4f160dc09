"""Calls in a conversation (voice, video, and a booking's live view), as messaging records
them. The gateway runs the call itself (signalling over the socket, state in Redis) and
sends one `messaging.call.record.v1` per step; messaging turns them into these events and,
when the call is over, one message in the conversation (`sender_kind` "call")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .messaging import CallMedia as Media
from .messaging import CallOutcome as Outcome
from .messaging import CallSummary as CallSummary
from .messaging import ConversationCommand, ConversationEvent, Role
from .registry import contract
from .topics import MESSAGING_COMMANDS, MESSAGING_EVENTS

Phase = Literal["started", "answered", "ended"]


@contract("messaging.call.record.v1", topic=MESSAGING_COMMANDS, kind="command")
class RecordCall(ConversationCommand):
    """One step of a call, from the gateway that carried it out (the actor is the caller,
    or for `answered` the one who answered)."""

    call_id: UUID
    phase: Phase
    media: Media
    caller_id: UUID
    caller_role: Role
    at: datetime
    started_at: datetime
    answered_by: UUID | None = None
    answered_at: datetime | None = None
    outcome: Outcome | None = Field(default=None, description="Required when phase is ended.")
    booking_id: UUID | None = None
    customer_id: UUID | None = Field(
        default=None,
        description="The conversation's customer: a call opens the conversation if it was not yet.",
    )


@contract("messaging.call.started.v1", topic=MESSAGING_EVENTS, kind="event")
class CallStarted(ConversationEvent):
    """Someone called (or staff started a live view of a booking): it rings now."""

    call_id: UUID
    media: Media
    caller_id: UUID
    caller_role: Role
    started_at: datetime
    booking_id: UUID | None = None


@contract("messaging.call.answered.v1", topic=MESSAGING_EVENTS, kind="event")
class CallAnswered(ConversationEvent):
    """The call was answered, on one device of `answered_by`."""

    call_id: UUID
    answered_by: UUID
    answered_at: datetime


@contract("messaging.call.ended.v1", topic=MESSAGING_EVENTS, kind="event")
class CallEnded(ConversationEvent):
    """The call is over; `duration_ms` counts from the answer."""

    call_id: UUID
    media: Media
    outcome: Outcome
    caller_id: UUID
    answered_by: UUID | None
    ended_at: datetime
    duration_ms: int
    booking_id: UUID | None = None
