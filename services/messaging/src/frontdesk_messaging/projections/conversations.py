"""Read models of conversations, messages, receipts, notes and surveys, kept in the
write transaction (so a sender's ack and the history agree) and rebuildable from the
event store."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import events as e
from . import reports, search, shops
from .sql import run as _run

PREVIEW_LENGTH = 80
TABLES = (
    "messages",
    "conversations",
    "read_marks",
    "notes",
    "surveys",
    *reports.TABLES,
    *shops.TABLES,
    *search.TABLES,
)
_BUMP = "change_cursor = nextval('conversation_changes')"

Projector = Callable[[AsyncSession, Any], Awaitable[None]]


async def project(session: AsyncSession, event: e.Event) -> None:
    await _PROJECTORS[type(event)](session, event)
    if isinstance(event, e.MessageSent):
        await reports.on_message(session, event)
        await search.index(session, event)
    elif isinstance(event, e.StatusChanged):
        await reports.on_status(session, event)
    elif isinstance(event, e.ConversationAssigned) and event.assignee_id:
        await shops.note_assigned(session, event.assignee_id, event.assigned_at)
    elif isinstance(event, e.MessageRecalled):
        await search.remove(session, event.conversation_id, event.message_id)
    elif isinstance(event, e.MessageEdited):
        await search.reindex(session, event.conversation_id, event.message_id, event.text)


def row(conversation_id: Any) -> tuple[str, Any]:
    """What a conversation's read-model writes are ordered by: every row of a conversation
    (its messages, receipts, episodes...) changes in the order its events came. A write
    that names its parts (RowWrite.parts) is ordered only with those touching the same
    parts, and with every write of the whole conversation. A conversation's shop and
    customer are written once, as a whole, when it opens: reading them is no part."""
    return ("conversation", conversation_id)


SENT_PARTS = frozenset({"conversations", "messages"})  # what a sent message changes


async def _opened(session: AsyncSession, event: e.ConversationOpened) -> None:
    await _run(
        session,
        "INSERT INTO conversations (id, shop_id, customer_id, opened_at, last_activity_at) "
        "VALUES (:id, :shop, :customer, :at, :at) ON CONFLICT (id) DO NOTHING",
        row=row(event.conversation_id),
        id=event.conversation_id,
        shop=event.shop_id,
        customer=event.customer_id,
        at=event.opened_at,
    )


async def _sent(session: AsyncSession, event: e.MessageSent) -> None:
    from_customer = event.sender_role == "customer"
    # One statement for the conversation and the message, which carries the conversation's
    # counts after it (what unread counts start from): the messages of a conversation in a
    # batch then go in one round, not two each.
    await _run(
        session,
        "WITH c AS (UPDATE conversations SET last_seq = :seq, last_activity_at = :at, "
        "last_message_preview = :preview, customer_messages = customer_messages + :from_customer, "
        f"shop_messages = shop_messages + :from_shop, {_BUMP} WHERE id = :c "
        "RETURNING id, customer_messages, shop_messages) "
        "INSERT INTO messages (conversation_id, seq, message_id, sender_id, sender_role, client_msg_id, kind, "
        "text, sent_at, customer_messages, shop_messages, sender_kind, attachment, booking_update, call) "
        "SELECT c.id, :seq, :id, :sender, :role, :client, :message_kind, :text, :at, c.customer_messages, "
        "c.shop_messages, :kind, CAST(:attachment AS jsonb), CAST(:booking_update AS jsonb), CAST(:call AS jsonb) "
        "FROM c",
        row=row(event.conversation_id),
        parts=SENT_PARTS,
        c=event.conversation_id,
        seq=event.seq,
        preview=_preview(event),
        from_customer=int(from_customer),
        from_shop=int(not from_customer),
        id=event.message_id,
        sender=event.sender_id,
        role=event.sender_role,
        client=event.client_msg_id,
        text=event.text,
        at=event.sent_at,
        kind=event.sender_kind,
        message_kind=event.kind,
        attachment=json.dumps(event.attachment) if event.attachment else None,
        booking_update=json.dumps(event.booking_update) if event.booking_update else None,
        call=json.dumps(event.call, default=str) if event.call else None,
    )


def _preview(event: e.MessageSent) -> str:
    if event.kind == "text":
        return event.text[:PREVIEW_LENGTH]
    return f"[{event.kind}] {event.text}"[:PREVIEW_LENGTH].strip()


async def _recalled(session: AsyncSession, event: e.MessageRecalled) -> None:
    await _run(
        session,
        "UPDATE messages SET text = '', attachment = NULL, recalled = true WHERE message_id = :id",
        row=row(event.conversation_id),
        id=event.message_id,
    )
    await _run(
        session,
        "UPDATE conversations SET last_message_preview = CASE WHEN last_seq = :seq THEN NULL "
        f"ELSE last_message_preview END, {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
        seq=event.seq,
    )


async def _edited(session: AsyncSession, event: e.MessageEdited) -> None:
    await _run(
        session,
        "UPDATE messages SET text = :t, edited_at = :at WHERE message_id = :id",
        row=row(event.conversation_id),
        t=event.text,
        at=event.edited_at,
        id=event.message_id,
    )
    await _run(
        session,
        "UPDATE conversations SET last_message_preview = CASE WHEN last_seq = :seq THEN :p "
        f"ELSE last_message_preview END, {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
        seq=event.seq,
        p=event.text[:PREVIEW_LENGTH],
    )


async def _read(session: AsyncSession, event: e.MessagesRead) -> None:
    # unread_base: how many of the other side's messages the mark covers.
    other_side = "shop_messages" if event.reader_role == "customer" else "customer_messages"
    await _run(
        session,
        "INSERT INTO read_marks (conversation_id, reader_id, reader_role, read_seq, unread_base) "
        f"SELECT :c, :r, :role, :seq, {other_side} FROM messages WHERE conversation_id = :c AND seq = :seq "
        "ON CONFLICT (conversation_id, reader_id) DO UPDATE SET read_seq = EXCLUDED.read_seq, "
        "unread_base = EXCLUDED.unread_base",
        row=row(event.conversation_id),
        c=event.conversation_id,
        r=event.reader_id,
        role=event.reader_role,
        seq=event.up_to_seq,
    )
    await _run(
        session,
        f"UPDATE conversations SET {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
    )


async def _delivered(session: AsyncSession, event: e.MessagesDelivered) -> None:
    await _run(
        session,
        "INSERT INTO read_marks (conversation_id, reader_id, reader_role, delivered_seq) "
        "VALUES (:c, :r, :role, :seq) ON CONFLICT (conversation_id, reader_id) "
        "DO UPDATE SET delivered_seq = EXCLUDED.delivered_seq",
        row=row(event.conversation_id),
        c=event.conversation_id,
        r=event.reader_id,
        role=event.reader_role,
        seq=event.up_to_seq,
    )


async def _note(session: AsyncSession, event: e.NoteAdded) -> None:
    await _run(
        session,
        "INSERT INTO notes (note_id, conversation_id, author_id, text, added_at) VALUES (:n, :c, :a, :t, :at)",
        row=row(event.conversation_id),
        n=event.note_id,
        c=event.conversation_id,
        a=event.author_id,
        t=event.text,
        at=event.added_at,
    )


async def _assigned(session: AsyncSession, event: e.ConversationAssigned) -> None:
    await _run(
        session,
        "UPDATE conversations SET assignee_id = :a, assigned_at = :at, handoff_note = :note, "
        f"{_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
        a=event.assignee_id,
        at=event.assigned_at,
        note=event.handoff_note,
    )


async def _labels(session: AsyncSession, event: e.LabelsChanged) -> None:
    await _run(
        session,
        f"UPDATE conversations SET labels = :l, {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
        l=list(event.labels),
    )


async def _status(session: AsyncSession, event: e.StatusChanged) -> None:
    await _run(
        session,
        f"UPDATE conversations SET status = :s, {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
        s=event.status,
    )


async def _survey_requested(session: AsyncSession, event: e.SurveyRequested) -> None:
    await _run(
        session,
        "INSERT INTO surveys (survey_id, conversation_id, shop_id, assignee_id, requested_at) "
        "SELECT :s, c.id, c.shop_id, COALESCE(c.assignee_id, (SELECT r.responder_id FROM response_episodes r "
        "WHERE r.conversation_id = c.id AND r.responder_id IS NOT NULL ORDER BY r.started_at DESC LIMIT 1)), :at "
        "FROM conversations c WHERE c.id = :c",
        row=row(event.conversation_id),
        s=event.survey_id,
        c=event.conversation_id,
        at=event.requested_at,
    )
    await _run(
        session,
        f"UPDATE conversations SET open_survey_id = :s, {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
        s=event.survey_id,
    )


async def _survey_answered(session: AsyncSession, event: e.SurveyAnswered) -> None:
    await _run(
        session,
        "UPDATE surveys SET rating = :r, comment = :comment, answered_at = :at WHERE survey_id = :s",
        row=row(event.conversation_id),
        s=event.survey_id,
        r=event.rating,
        comment=event.comment,
        at=event.answered_at,
    )
    await _run(
        session,
        f"UPDATE conversations SET open_survey_id = NULL, {_BUMP} WHERE id = :c",
        row=row(event.conversation_id),
        c=event.conversation_id,
    )


async def _nothing(session: AsyncSession, event: Any) -> None:
    return None


_PROJECTORS: dict[type, Projector] = {
    e.ConversationOpened: _opened,
    e.MessageSent: _sent,
    e.MessageRecalled: _recalled,
    e.MessageEdited: _edited,
    e.MessagesRead: _read,
    e.MessagesDelivered: _delivered,
    e.NoteAdded: _note,
    e.ConversationAssigned: _assigned,
    e.LabelsChanged: _labels,
    e.StatusChanged: _status,
    e.SurveyRequested: _survey_requested,
    e.SurveyAnswered: _survey_answered,
    e.OutOfHoursReplied: _nothing,
    e.CallStarted: _nothing,  # the call's message, once it is over, is what the read models show
    e.CallAnswered: _nothing,
    e.CallEnded: _nothing,
}
