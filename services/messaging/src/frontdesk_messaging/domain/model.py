"""The Conversation aggregate: who talks with whom, the gapless message sequence, and
the shop's work on it (assignment, labels, status, survey).

Pure Python: no database, no Kafka (`Refused` is the platform's one refusal type, with
no I/O). Handlers load it, ask it to decide, and store the events it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid5

from frontdesk_platform.refusals import Refused as Refused  # the kinds below name their codes

from .events import (
    CallAnswered,
    CallEnded,
    CallStarted,
    ConversationAssigned,
    ConversationOpened,
    Event,
    LabelsChanged,
    MessageEdited,
    MessageRecalled,
    MessagesDelivered,
    MessageSent,
    MessagesRead,
    NoteAdded,
    OutOfHoursReplied,
    Role,
    Status,
    StatusChanged,
    SurveyAnswered,
    SurveyRequested,
)

MAX_TEXT_LENGTH = 4000
MAX_LABELS = 20
SYSTEM = UUID(int=0)


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    role: Role
    shop_id: UUID

    @property
    def is_staff(self) -> bool:
        return self.role in ("owner", "staff")


@dataclass(frozen=True)
class StoredMessage:
    """What a decision about an existing message needs to know of it."""

    message_id: UUID
    seq: int
    sender_id: UUID
    sent_at: datetime
    recalled: bool


class ConversationNotFound(Refused):
    code = "conversation_not_found"


class InvalidMessage(Refused):
    code = "invalid_message"


class MessageNotFound(Refused):
    code = "message_not_found"


class NotAllowed(Refused):
    code = "not_allowed"


class WindowClosed(Refused):
    code = "window_closed"


@dataclass
class Conversation:
    id: UUID
    shop_id: UUID | None = None
    customer_id: UUID | None = None
    last_seq: int = 0
    status: Status = "open"
    assignee_id: UUID | None = None
    labels: tuple[str, ...] = ()
    read: dict[UUID, int] = field(default_factory=dict)
    delivered: dict[UUID, int] = field(default_factory=dict)
    open_survey: UUID | None = None
    out_of_hours_day: str | None = None
    # A person has it: assigned by hand or handed off by the assistant (not the
    # round-robin), until it is resolved or unassigned. The assistant is quiet meanwhile.
    with_person: bool = False
    version: int = 0
    pending: list[Event] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.shop_id is not None

    def may_access(self, actor: Actor) -> bool:
        if not self.is_open or actor.shop_id != self.shop_id:
            return False
        return actor.is_staff or actor.user_id == self.customer_id

    # -- decisions -------------------------------------------------------------------

    def open(self, shop_id: UUID, customer_id: UUID, actor: Actor, at: datetime) -> None:
        if self.is_open:
            if (self.shop_id, self.customer_id) != (shop_id, customer_id):
                raise ConversationNotFound("this conversation belongs to someone else")
            return
        if actor.shop_id != shop_id or (not actor.is_staff and actor.user_id != customer_id):
            raise ConversationNotFound("you cannot open a conversation for someone else")
        self._record(ConversationOpened(self.id, shop_id, customer_id, actor.user_id, at))

    def send(
        self,
        actor: Actor,
        message_id: UUID,
        client_msg_id: str,
        text: str,
        at: datetime,
        kind: str = "text",
        attachment: dict[str, Any] | None = None,
        as_assistant: bool = False,
    ) -> MessageSent:
        """`as_assistant` marks the shop's assistant's message; only staff-role actors have one."""
        self._check_access(actor)
        if kind == "text" or attachment is None:
            if kind != "text":
                raise InvalidMessage(f"a {kind} message needs its attachment")
            _check_text(text)
        elif len(text) > MAX_TEXT_LENGTH:
            raise InvalidMessage(f"a caption has at most {MAX_TEXT_LENGTH} characters")
        sent = MessageSent(
            self.id,
            message_id,
            self.last_seq + 1,
            actor.user_id,
            actor.role,
            client_msg_id,
            text,
            at,
            kind=kind,
            attachment=attachment,
            sender_kind="assistant" if as_assistant and actor.is_staff else "person",
        )
        self._record(sent)
        if not actor.is_staff and self.status == "resolved":
            self._record(StatusChanged(self.id, "open", "resolved", actor.user_id, at))
        return sent

    def reply_out_of_hours(self, local_day: str, text: str, at: datetime) -> MessageSent | None:
        """The shop's automatic answer outside business hours: at most once a local day."""
        if self.out_of_hours_day == local_day:
            return None
        self._record(OutOfHoursReplied(self.id, local_day, at))
        sent = MessageSent(
            self.id,
            uuid5(self.id, f"out-of-hours:{local_day}"),
            self.last_seq + 1,
            SYSTEM,
            "staff",
            f"out-of-hours:{local_day}",
            text,
            at,
            sender_kind="auto_reply",
        )
        self._record(sent)
        return sent

    def post_booking_update(
        self,
        shop_id: UUID,
        customer_id: UUID,
        staff_id: UUID,
        update: dict[str, Any],
        text: str,
        at: datetime,
    ) -> None:
        """A booking's progress update, shown in the customer's conversation as the staff
        member's message (the conversation opens if it had not yet)."""
        if not self.is_open:
            self._record(ConversationOpened(self.id, shop_id, customer_id, staff_id, at))
        elif (self.shop_id, self.customer_id) != (shop_id, customer_id):
            raise ConversationNotFound("this conversation belongs to someone else")
        client_msg_id = f"booking-update:{update['update_id']}"
        self._record(
            MessageSent(
                self.id,
                uuid5(self.id, client_msg_id),
                self.last_seq + 1,
                staff_id,
                "staff",
                client_msg_id,
                text,
                at,
                sender_kind="booking_update",
                booking_update=update,
            )
        )

    def tell_waitlist_offer(
        self, shop_id: UUID, customer_id: UUID, booking_id: UUID, text: str, at: datetime
    ) -> None:
        """A time the customer waited for came free and is held for them: the shop says so
        in their conversation; `booking_update.booking_id` is the hold to confirm."""
        if not self.is_open:
            self._record(ConversationOpened(self.id, shop_id, customer_id, SYSTEM, at))
        elif (self.shop_id, self.customer_id) != (shop_id, customer_id):
            raise ConversationNotFound("this conversation belongs to someone else")
        client_msg_id = f"waitlist-offer:{booking_id}"
        offer = {"booking_id": str(booking_id), "update_id": str(uuid5(booking_id, "waitlist-offer"))}
        self._record(
            MessageSent(
                self.id,
                uuid5(self.id, client_msg_id),
                self.last_seq + 1,
                SYSTEM,
                "staff",
                client_msg_id,
                text,
                at,
                sender_kind="waitlist_offer",
                booking_update=offer,
            )
        )

    def start_call(self, actor: Actor, started: CallStarted, customer_id: UUID | None = None) -> None:
        """A call may be the first thing in a conversation (a live view of a booking, a
        customer who calls before writing): it opens the conversation then."""
        if not self.is_open and customer_id is not None:
            self.open(actor.shop_id, customer_id, actor, started.started_at)
        self._check_access(actor)
        if actor.user_id != started.caller_id:
            raise NotAllowed("a call is started by its caller")
        self._record(started)

    def answer_call(self, actor: Actor, answered: CallAnswered) -> None:
        self._check_access(actor)
        if actor.user_id != answered.answered_by:
            raise NotAllowed("a call is answered by whoever answers it")
        self._record(answered)

    def end_call(
        self, actor: Actor, ended: CallEnded, caller_role: Role, text: str, summary: dict[str, Any]
    ) -> None:
        """The call is over: an event, and a message from the caller that says how it went
        (it counts as unread for the other side, and notifies like any message)."""
        self._check_access(actor)
        self._record(ended)
        client_msg_id = f"call:{ended.call_id}"
        self._record(
            MessageSent(
                self.id,
                uuid5(self.id, client_msg_id),
                self.last_seq + 1,
                ended.caller_id,
                caller_role,
                client_msg_id,
                text,
                ended.ended_at,
                sender_kind="call",
                call=summary,
            )
        )

    def recall(self, actor: Actor, message: StoredMessage, at: datetime, window: timedelta) -> None:
        self._check_own_message(actor, message)
        if at - message.sent_at > window:
            raise WindowClosed(f"a message can be recalled within {int(window.total_seconds())} seconds")
        self._record(MessageRecalled(self.id, message.message_id, message.seq, actor.user_id, at))

    def edit(self, actor: Actor, message: StoredMessage, text: str, at: datetime, window: timedelta) -> None:
        self._check_own_message(actor, message)
        _check_text(text)
        if at - message.sent_at > window:
            raise WindowClosed(f"a message can be edited within {int(window.total_seconds())} seconds")
        self._record(MessageEdited(self.id, message.message_id, message.seq, text, actor.user_id, at))

    def mark_read(self, actor: Actor, up_to_seq: int, at: datetime) -> int:
        """Move the reader's mark forward (never back); returns the mark now in force."""
        self._check_access(actor)
        seq = min(up_to_seq, self.last_seq)
        if seq > self.read.get(actor.user_id, 0):
            self._record(MessagesRead(self.id, actor.user_id, actor.role, seq, at))
            if seq > self.delivered.get(actor.user_id, 0):
                self._record(MessagesDelivered(self.id, actor.user_id, actor.role, seq, at))
        return self.read.get(actor.user_id, 0)

    def mark_delivered(self, actor: Actor, up_to_seq: int, at: datetime) -> int:
        self._check_access(actor)
        seq = min(up_to_seq, self.last_seq)
        if seq > self.delivered.get(actor.user_id, 0):
            self._record(MessagesDelivered(self.id, actor.user_id, actor.role, seq, at))
        return self.delivered.get(actor.user_id, 0)

    def add_note(self, actor: Actor, note_id: UUID, text: str, at: datetime) -> None:
        self._check_staff(actor)
        _check_text(text)
        self._record(NoteAdded(self.id, note_id, actor.user_id, text, at))

    def assign(
        self, actor: Actor | None, assignee_id: UUID | None, at: datetime, handoff_note: str | None = None
    ) -> None:
        """Manual assignment or transfer by staff; actor None means the automatic round-robin.

        A person assigning is an act even to whoever has the conversation already (taking
        one the round-robin gave them, or leaving a handoff note): it is recorded, so the
        note is kept, staff see it, and the assistant steps back."""
        if actor is not None:
            self._check_staff(actor)
        if assignee_id == self.assignee_id and (actor is None or assignee_id is None):
            return
        reason: Literal["manual", "transfer", "auto"] = "auto"
        if actor is not None:
            reason = "transfer" if self.assignee_id not in (None, assignee_id) else "manual"
        note = handoff_note.strip() if handoff_note else None
        self._record(
            ConversationAssigned(
                self.id, assignee_id, self.assignee_id, actor.user_id if actor else None, reason, note, at
            )
        )

    def hand_off(self, actor: Actor, assignee_id: UUID, at: datetime, handoff_note: str | None) -> None:
        """The assistant gives the conversation to a person: a transfer that carries the
        note even when that person already had it, so they always get the summary."""
        self._check_staff(actor)
        note = handoff_note.strip() if handoff_note else None
        self._record(
            ConversationAssigned(self.id, assignee_id, self.assignee_id, actor.user_id, "transfer", note, at)
        )

    def set_labels(self, actor: Actor, labels: list[str], at: datetime) -> None:
        self._check_staff(actor)
        cleaned = tuple(sorted({label.strip() for label in labels if label.strip()}))
        if len(cleaned) > MAX_LABELS or any(len(label) > 40 for label in cleaned):
            raise InvalidMessage(f"at most {MAX_LABELS} labels of at most 40 characters")
        if cleaned != self.labels:
            self._record(LabelsChanged(self.id, cleaned, actor.user_id, at))

    def set_status(self, actor: Actor, status: Status, at: datetime) -> None:
        self._check_staff(actor)
        if status == self.status:
            return
        self._record(StatusChanged(self.id, status, self.status, actor.user_id, at))
        if status == "resolved":
            self._record(SurveyRequested(self.id, uuid5(self.id, f"survey:{self.version}"), at))

    def answer_survey(
        self, actor: Actor, survey_id: UUID, rating: int, comment: str | None, at: datetime
    ) -> None:
        self._check_access(actor)
        if actor.user_id != self.customer_id:
            raise NotAllowed("only the customer answers the satisfaction survey")
        if self.open_survey != survey_id:
            raise NotAllowed("this survey is not open")
        if not 1 <= rating <= 5:
            raise InvalidMessage("the rating is 1 to 5")
        self._record(SurveyAnswered(self.id, survey_id, rating, comment, actor.user_id, at))

    # -- state -----------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        match event:
            case ConversationOpened():
                self.shop_id, self.customer_id = event.shop_id, event.customer_id
            case MessageSent():
                self.last_seq = event.seq
            case MessagesRead():
                self.read[event.reader_id] = event.up_to_seq
            case MessagesDelivered():
                self.delivered[event.reader_id] = event.up_to_seq
            case ConversationAssigned():
                self.assignee_id = event.assignee_id
                self.with_person = event.assignee_id is not None and event.reason != "auto"
            case LabelsChanged():
                self.labels = tuple(event.labels)
            case StatusChanged():
                self.status = event.status
                self.with_person = self.with_person and event.status != "resolved"
            case SurveyRequested():
                self.open_survey = event.survey_id
            case SurveyAnswered():
                self.open_survey = None
            case OutOfHoursReplied():
                self.out_of_hours_day = event.local_day
        self.version += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "shop_id": str(self.shop_id),
            "customer_id": str(self.customer_id),
            "last_seq": self.last_seq,
            "status": self.status,
            "assignee_id": str(self.assignee_id) if self.assignee_id else None,
            "labels": list(self.labels),
            "read": {str(k): v for k, v in self.read.items()},
            "delivered": {str(k): v for k, v in self.delivered.items()},
            "open_survey": str(self.open_survey) if self.open_survey else None,
            "out_of_hours_day": self.out_of_hours_day,
            "with_person": self.with_person,
        }

    @classmethod
    def restore(cls, conversation_id: UUID, version: int, state: dict[str, Any]) -> Conversation:
        def uuid_or_none(value: str | None) -> UUID | None:
            return UUID(value) if value else None

        return cls(
            conversation_id,
            shop_id=UUID(state["shop_id"]),
            customer_id=UUID(state["customer_id"]),
            last_seq=state["last_seq"],
            status=state.get("status", "open"),
            assignee_id=uuid_or_none(state.get("assignee_id")),
            labels=tuple(state.get("labels", ())),
            read={UUID(k): v for k, v in state.get("read", {}).items()},
            delivered={UUID(k): v for k, v in state.get("delivered", {}).items()},
            open_survey=uuid_or_none(state.get("open_survey")),
            out_of_hours_day=state.get("out_of_hours_day"),
            with_person=state.get("with_person", False),
            version=version,
        )

    def _record(self, event: Event) -> None:
        self.apply(event)
        self.pending.append(event)

    def _check_access(self, actor: Actor) -> None:
        if not self.may_access(actor):
            raise ConversationNotFound("no such conversation")

    def _check_staff(self, actor: Actor) -> None:
        self._check_access(actor)
        if not actor.is_staff:
            raise NotAllowed("only the shop's staff can do that")

    def _check_own_message(self, actor: Actor, message: StoredMessage) -> None:
        self._check_access(actor)
        if message.recalled:
            raise MessageNotFound("that message was recalled")
        if message.sender_id != actor.user_id:
            raise NotAllowed("only the sender can change a message")


def _check_text(text: str) -> None:
    if not text.strip():
        raise InvalidMessage("a message needs some text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidMessage(f"a message has at most {MAX_TEXT_LENGTH} characters")
