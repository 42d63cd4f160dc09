"""The read models folded in memory from replayed events, for a rebuild.

Each event changes the rows exactly as its live projector (conversations, shops, reports,
search) would, but in Python: a rebuild then writes whole pages of rows with COPY
instead of several statements per event. The conversations, receipts, surveys, response
episodes and shop settings stay in memory until the end (a conversation changes until its
last event); messages and notes are handed over page by page (`take_page`), and a later
change to a message already written is kept as a `LateChange` for the writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from ..domain import events as e
from ..domain import shop as s
from ..domain.hours import Weekly, open_seconds_between, parse_weekly
from .conversations import PREVIEW_LENGTH
from .conversations import _preview as preview

MESSAGE_COLUMNS = (
    "conversation_id",
    "seq",
    "message_id",
    "sender_id",
    "sender_role",
    "client_msg_id",
    "kind",
    "text",
    "sent_at",
    "customer_messages",
    "shop_messages",
    "sender_kind",
    "attachment",
    "booking_update",
    "call",
    "recalled",
    "edited_at",
)
_TEXT, _ATTACHMENT, _RECALLED, _EDITED_AT = (
    MESSAGE_COLUMNS.index(c) for c in ("text", "attachment", "recalled", "edited_at")
)


@dataclass
class Episode:
    started_at: datetime
    first_response_at: datetime | None = None
    responder_id: UUID | None = None
    frt_seconds: float | None = None
    resolved_at: datetime | None = None
    resolution_seconds: float | None = None


@dataclass
class Conversation:
    id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_at: datetime
    last_activity_at: datetime
    changed: int  # when it last changed in the replay: the order of the change cursors
    last_seq: int = 0
    last_message_preview: str | None = None
    status: str = "open"
    assignee_id: UUID | None = None
    assigned_at: datetime | None = None
    handoff_note: str | None = None
    labels: list[str] = field(default_factory=list)
    customer_messages: int = 0
    shop_messages: int = 0
    open_survey_id: UUID | None = None
    # seq → (customer, shop) messages up to it: what a read mark's unread base counts from
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    episodes: list[Episode] = field(default_factory=list)


@dataclass
class ReadMark:
    reader_role: str
    read_seq: int = 0
    unread_base: int = 0
    delivered_seq: int = 0


@dataclass(frozen=True)
class LateChange:
    """A recall or edit of a message written in an earlier page."""

    message_id: UUID
    text: str
    recalled: bool
    edited_at: datetime | None
    conversation: Conversation


@dataclass
class Page:
    messages: list[list[Any]]
    notes: list[tuple[Any, ...]]
    # (message_id, shop_id, customer_id, sent_at, text): the writer finds the terms, and a
    # message without any is not indexed, as in projections.sent
    search: list[tuple[Any, ...]]
    late_changes: list[LateChange]


class ReplayedReadModels:
    def __init__(self) -> None:
        self.conversations: dict[UUID, Conversation] = {}
        self.read_marks: dict[tuple[UUID, UUID], ReadMark] = {}
        self.surveys: dict[UUID, list[Any]] = {}
        self.hours: dict[UUID, tuple[str, dict[str, Any], str | None]] = {}
        self.templates: dict[tuple[UUID, UUID], tuple[str, str, datetime]] = {}
        self.capacity: dict[tuple[UUID, UUID], int] = {}
        self.calls: dict[UUID, tuple[str, int]] = {}
        self.last_assigned: dict[UUID, datetime] = {}
        self._changes = 0
        self._opening: dict[UUID, tuple[str, Weekly]] = {}
        self._messages: dict[UUID, list[Any]] = {}
        self._search: dict[UUID, tuple[Any, ...]] = {}
        self._notes: list[tuple[Any, ...]] = []
        self._late: list[LateChange] = []

    def take_page(self) -> Page:
        """The messages, notes and search rows since the last page, to be written now."""
        page = Page(list(self._messages.values()), self._notes, list(self._search.values()), self._late)
        self._messages, self._search, self._notes, self._late = {}, {}, [], []
        return page

    def apply_shop(self, event: s.ShopEvent) -> None:
        match event:
            case s.BusinessHoursSet():
                self.hours[event.shop_id] = (event.timezone, event.weekly, event.auto_reply_text)
                self._opening[event.shop_id] = (
                    event.timezone,
                    parse_weekly(event.weekly) if event.weekly else {},
                )
            case s.TemplateSaved():
                self.templates[(event.shop_id, event.template_id)] = (event.name, event.text, event.saved_at)
            case s.TemplateDeleted():
                self.templates.pop((event.shop_id, event.template_id), None)
            case s.StaffCapacitySet():
                self.capacity[(event.shop_id, event.staff_id)] = event.capacity
            case s.CallsSet():
                self.calls[event.shop_id] = (event.policy, event.live_view_minutes)

    def apply(self, event: e.Event) -> None:
        if isinstance(event, e.ConversationOpened):
            if event.conversation_id not in self.conversations:
                at = event.opened_at
                self.conversations[event.conversation_id] = Conversation(
                    event.conversation_id, event.shop_id, event.customer_id, at, at, self._change()
                )
            return
        if isinstance(event, e.MessagesDelivered):
            key = (event.conversation_id, event.reader_id)
            self.read_marks.setdefault(key, ReadMark(event.reader_role)).delivered_seq = event.up_to_seq
            return
        if isinstance(event, e.NoteAdded):
            self._notes.append(
                (event.note_id, event.conversation_id, event.author_id, event.text, event.added_at)
            )
            return
        conversation = self.conversations.get(event.conversation_id)
        if conversation is None:
            return  # live, every statement of such an event finds no conversation row
        match event:
            case e.MessageSent():
                self._sent(conversation, event)
            case e.MessageRecalled():
                self._change_message(conversation, event.message_id, "", recalled=True, edited_at=None)
                if conversation.last_seq == event.seq:
                    conversation.last_message_preview = None
                conversation.changed = self._change()
            case e.MessageEdited():
                self._change_message(
                    conversation, event.message_id, event.text, recalled=False, edited_at=event.edited_at
                )
                if conversation.last_seq == event.seq:
                    conversation.last_message_preview = event.text[:PREVIEW_LENGTH]
                conversation.changed = self._change()
            case e.MessagesRead():
                self._read(conversation, event)
            case e.ConversationAssigned():
                conversation.assignee_id = event.assignee_id
                conversation.assigned_at = event.assigned_at
                conversation.handoff_note = event.handoff_note
                conversation.changed = self._change()
                if event.assignee_id:
                    self.last_assigned[event.assignee_id] = event.assigned_at
            case e.LabelsChanged():
                conversation.labels = list(event.labels)
                conversation.changed = self._change()
            case e.StatusChanged():
                conversation.status = event.status
                conversation.changed = self._change()
                if event.status == "resolved":
                    self._resolve(conversation, event.changed_at)
            case e.SurveyRequested():
                self._survey_requested(conversation, event)
            case e.SurveyAnswered():
                survey = self.surveys.get(event.survey_id)
                if survey is not None:
                    survey[5:8] = [event.rating, event.comment, event.answered_at]
                conversation.open_survey_id = None
                conversation.changed = self._change()

    def _change(self) -> int:
        self._changes += 1
        return self._changes

    def _sent(self, conversation: Conversation, event: e.MessageSent) -> None:
        from_customer = event.sender_role == "customer"
        conversation.last_seq = event.seq
        conversation.last_activity_at = event.sent_at
        conversation.last_message_preview = preview(event)
        conversation.customer_messages += from_customer
        conversation.shop_messages += not from_customer
        conversation.changed = self._change()
        counts = (conversation.customer_messages, conversation.shop_messages)
        conversation.counts[event.seq] = counts
        self._messages[event.message_id] = [
            event.conversation_id,
            event.seq,
            event.message_id,
            event.sender_id,
            event.sender_role,
            event.client_msg_id,
            event.kind,
            event.text,
            event.sent_at,
            *counts,
            event.sender_kind,
            json.dumps(event.attachment) if event.attachment else None,
            json.dumps(event.booking_update) if event.booking_update else None,
            json.dumps(event.call, default=str) if event.call else None,
            False,
            None,
        ]
        self._on_message(conversation, event)
        if event.message_id not in self._search:
            self._search[event.message_id] = (
                event.message_id,
                conversation.shop_id,
                conversation.customer_id,
                event.sent_at,
                event.text,
            )

    def _on_message(self, conversation: Conversation, event: e.MessageSent) -> None:
        """Response episodes, as reports.on_message keeps them."""
        if event.sender_role == "customer":
            if all(episode.resolved_at is not None for episode in conversation.episodes):
                conversation.episodes.append(Episode(event.sent_at))
            return
        if event.sender_kind != "person":
            return
        timezone, weekly = self._opening.get(conversation.shop_id, ("UTC", {}))
        for episode in conversation.episodes:
            if episode.first_response_at is None:
                episode.first_response_at = event.sent_at
                episode.responder_id = event.sender_id
                episode.frt_seconds = open_seconds_between(
                    weekly,
                    timezone or "UTC",
                    episode.started_at,
                    event.sent_at,
                )

    def _resolve(self, conversation: Conversation, at: datetime) -> None:
        for episode in conversation.episodes:
            if episode.resolved_at is None:
                episode.resolved_at = at
                episode.resolution_seconds = (at - episode.started_at).total_seconds()

    def _change_message(
        self,
        conversation: Conversation,
        message_id: UUID,
        text: str,
        *,
        recalled: bool,
        edited_at: datetime | None,
    ) -> None:
        row = self._messages.get(message_id)
        if row is None:
            self._late.append(LateChange(message_id, text, recalled, edited_at, conversation))
            return
        row[_TEXT] = text
        if recalled:
            row[_ATTACHMENT], row[_RECALLED] = None, True
        else:
            row[_EDITED_AT] = edited_at
        self._search.pop(message_id, None)
        if not recalled:
            self._search[message_id] = (
                message_id,
                conversation.shop_id,
                conversation.customer_id,
                row[8],
                text,
            )

    def _read(self, conversation: Conversation, event: e.MessagesRead) -> None:
        counts = conversation.counts.get(event.up_to_seq)
        if counts is not None:
            other_side = counts[1] if event.reader_role == "customer" else counts[0]
            key = (event.conversation_id, event.reader_id)
            mark = self.read_marks.setdefault(key, ReadMark(event.reader_role))
            mark.read_seq, mark.unread_base = event.up_to_seq, other_side
        conversation.changed = self._change()

    def _survey_requested(self, conversation: Conversation, event: e.SurveyRequested) -> None:
        assignee = conversation.assignee_id
        if assignee is None:
            answered = [ep for ep in conversation.episodes if ep.responder_id is not None]
            assignee = max(answered, key=lambda ep: ep.started_at).responder_id if answered else None
        self.surveys[event.survey_id] = [
            event.survey_id,
            conversation.id,
            conversation.shop_id,
            assignee,
            event.requested_at,
            None,
            None,
            None,
        ]
        conversation.open_survey_id = event.survey_id
        conversation.changed = self._change()
