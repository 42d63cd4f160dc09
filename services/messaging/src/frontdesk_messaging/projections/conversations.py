"""Read models of conversations and their messages, kept in the write transaction
(so a sender's ack and the history agree) and rebuildable from the event store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.model import ConversationOpened, Event, MessageSent
from . import search

PREVIEW_LENGTH = 80
TABLES = ("messages", "conversations", *search.TABLES)


async def project(session: AsyncSession, event: Event) -> None:
    match event:
        case ConversationOpened():
            await session.execute(
                text(
                    "INSERT INTO conversations (id, shop_id, customer_id, opened_at, last_activity_at) "
                    "VALUES (:id, :shop, :customer, :at, :at) ON CONFLICT (id) DO NOTHING"
                ),
                {
                    "id": event.conversation_id,
                    "shop": event.shop_id,
                    "customer": event.customer_id,
                    "at": event.opened_at,
                },
            )
        case MessageSent():
            await session.execute(
                text(
                    "INSERT INTO messages (conversation_id, seq, message_id, sender_id, sender_role, "
                    "client_msg_id, kind, text, sent_at) VALUES (:c, :seq, :id, :sender, :role, "
                    ":client, 'text', :text, :at)"
                ),
                {
                    "c": event.conversation_id,
                    "seq": event.seq,
                    "id": event.message_id,
                    "sender": event.sender_id,
                    "role": event.sender_role,
                    "client": event.client_msg_id,
                    "text": event.text,
                    "at": event.sent_at,
                },
            )
            await session.execute(
                text(
                    "UPDATE conversations SET last_seq = :seq, last_activity_at = :at, "
                    "last_message_preview = :preview WHERE id = :c"
                ),
                {
                    "c": event.conversation_id,
                    "seq": event.seq,
                    "at": event.sent_at,
                    "preview": event.text[:PREVIEW_LENGTH],
                },
            )
    await search.index(session, event)


async def find_sent(
    session: AsyncSession, conversation_id: UUID, sender_id: UUID, client_msg_id: str
) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(
                    "SELECT message_id, seq FROM messages WHERE conversation_id = :c "
                    "AND sender_id = :s AND client_msg_id = :m"
                ),
                {"c": conversation_id, "s": sender_id, "m": client_msg_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def get_conversation(
    session: AsyncSession, conversation_id: UUID, shop_id: UUID
) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                text(f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id = :id AND shop_id = :shop"),
                {"id": conversation_id, "shop": shop_id},
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def list_conversations(
    session: AsyncSession, shop_id: UUID, customer_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    where = "shop_id = :shop" + (" AND customer_id = :customer" if customer_id else "")
    rows = await session.execute(
        text(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE {where} "
            "ORDER BY last_activity_at DESC, id LIMIT :n"
        ),
        {"shop": shop_id, "customer": customer_id, "n": limit},
    )
    return [dict(r) for r in rows.mappings()]


async def page_messages(
    session: AsyncSession,
    conversation_id: UUID,
    *,
    after_seq: int | None,
    before_seq: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Messages in seq order: after a seq (catching up) or the newest before one (scrolling back)."""
    if before_seq is not None:
        query = (
            f"SELECT * FROM (SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = :c "
            "AND seq < :seq ORDER BY seq DESC LIMIT :n) newest ORDER BY seq"
        )
        params = {"c": conversation_id, "seq": before_seq, "n": limit}
    else:
        query = (
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = :c AND seq > :seq "
            "ORDER BY seq LIMIT :n"
        )
        params = {"c": conversation_id, "seq": after_seq or 0, "n": limit}
    rows = await session.execute(text(query), params)
    return [dict(r) for r in rows.mappings()]


_CONVERSATION_COLUMNS = (
    "id, shop_id, customer_id, opened_at, last_seq, last_activity_at, last_message_preview"
)
_MESSAGE_COLUMNS = (
    "conversation_id, seq, message_id, sender_id, sender_role, client_msg_id, kind, text, sent_at"
)
