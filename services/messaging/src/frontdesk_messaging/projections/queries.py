"""Reads of the messaging read models, always scoped by shop (and reader)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from frontdesk_platform.reads import Read
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.model import StoredMessage
from .sql import rows as _rows

_CONVERSATION = """
SELECT c.id, c.shop_id, c.customer_id, c.opened_at, c.last_seq, c.last_activity_at,
       c.last_message_preview, c.status, c.assignee_id, c.assigned_at, c.handoff_note, c.labels,
       c.open_survey_id, c.change_cursor,
       COALESCE(m.read_seq, 0) AS read_seq,
       (CASE WHEN :role = 'customer' THEN c.shop_messages ELSE c.customer_messages END)
         - COALESCE(m.unread_base, 0) AS unread_count
FROM conversations c
LEFT JOIN read_marks m ON m.conversation_id = c.id AND m.reader_id = :reader
"""

_MESSAGE_COLUMNS = (
    "conversation_id, seq, message_id, sender_id, sender_role, sender_kind, client_msg_id, kind, "
    "CASE WHEN recalled THEN '' ELSE text END AS text, sent_at, recalled, edited_at, attachment, "
    "booking_update, call"
)


async def get_conversation(
    session: AsyncSession,
    conversation_id: UUID,
    shop_id: UUID,
    reader: UUID | None = None,
    role: str = "staff",
) -> dict[str, Any] | None:
    rows = await _rows(
        session,
        _CONVERSATION + "WHERE c.id = :id AND c.shop_id = :shop",
        id=conversation_id,
        shop=shop_id,
        reader=reader,
        role=role,
    )
    return rows[0] if rows else None


async def list_conversations(
    session: AsyncSession, shop_id: UUID, customer_id: UUID | None, reader: UUID | None, role: str, limit: int
) -> list[dict[str, Any]]:
    where = "WHERE c.shop_id = :shop" + (" AND c.customer_id = :customer" if customer_id else "")
    return await _rows(
        session,
        _CONVERSATION + where + " ORDER BY c.last_activity_at DESC, c.id LIMIT :n",
        shop=shop_id,
        customer=customer_id,
        reader=reader,
        role=role,
        n=limit,
    )


async def changed_conversations(
    session: AsyncSession,
    shop_id: UUID,
    customer_id: UUID | None,
    reader: UUID,
    role: str,
    after: int,
    limit: int,
) -> list[dict[str, Any]]:
    """Conversations changed after a cursor, oldest change first: a device pages through
    them once, then keeps the last cursor and asks only for what changed since."""
    where = "WHERE c.shop_id = :shop AND c.change_cursor > :after" + (
        " AND c.customer_id = :customer" if customer_id else ""
    )
    return await _rows(
        session,
        _CONVERSATION + where + " ORDER BY c.change_cursor LIMIT :n",
        shop=shop_id,
        customer=customer_id,
        reader=reader,
        role=role,
        after=after,
        n=limit,
    )


async def unread_total(
    session: AsyncSession, shop_id: UUID, customer_id: UUID | None, reader: UUID, role: str
) -> int:
    where = "WHERE c.shop_id = :shop" + (" AND c.customer_id = :customer" if customer_id else "")
    rows = await _rows(
        session,
        f"SELECT COALESCE(SUM(unread_count), 0) AS total FROM ({_CONVERSATION} {where}) t",
        shop=shop_id,
        customer=customer_id,
        reader=reader,
        role=role,
    )
    return int(rows[0]["total"])


async def page_messages(
    session: AsyncSession, conversation_id: UUID, *, after_seq: int | None, before_seq: int | None, limit: int
) -> list[dict[str, Any]]:
    """Messages in seq order: after a seq (catching up) or the newest before one (scrolling back)."""
    if before_seq is not None:
        return await _rows(
            session,
            f"SELECT * FROM (SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = :c "
            "AND seq < :seq ORDER BY seq DESC LIMIT :n) newest ORDER BY seq",
            c=conversation_id,
            seq=before_seq,
            n=limit,
        )
    return await _rows(
        session,
        f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = :c AND seq > :seq ORDER BY seq LIMIT :n",
        c=conversation_id,
        seq=after_seq or 0,
        n=limit,
    )


def sent_among(message_ids: list[UUID]) -> Read:
    """Which of these messages are stored already (their id and seq): a read to send along
    with others (frontdesk_platform.reads), its rows made a lookup by `sent_from`."""
    return Read(
        "SELECT message_id, seq FROM messages WHERE message_id = ANY($1::uuid[])",
        (message_ids,),
        ("message_id", "seq"),
    )


def sent_from(rows: list[dict[str, Any]]) -> dict[UUID, dict[str, Any]]:
    return {row["message_id"]: row for row in rows}


async def stored_message(
    session: AsyncSession, conversation_id: UUID, message_id: UUID
) -> StoredMessage | None:
    rows = await _rows(
        session,
        "SELECT message_id, seq, sender_id, sent_at, recalled FROM messages "
        "WHERE conversation_id = :c AND message_id = :m",
        c=conversation_id,
        m=message_id,
    )
    return StoredMessage(**rows[0]) if rows else None


async def notes(session: AsyncSession, conversation_id: UUID) -> list[dict[str, Any]]:
    return await _rows(
        session,
        "SELECT note_id, conversation_id, author_id, text, added_at FROM notes WHERE conversation_id = :c "
        "ORDER BY added_at",
        c=conversation_id,
    )


async def person(session: AsyncSession, user_id: UUID) -> dict[str, Any] | None:
    """Someone identity has announced: their shop and role (None: not heard of yet)."""
    rows = await _rows(session, "SELECT shop_id, role FROM people WHERE user_id = :u", u=user_id)
    return rows[0] if rows else None
