"""The message search index: the terms of every message (see search_terms), kept in
the write transaction like the other read models and rebuilt with them.

One GIN index over (shop_id, customer_id, terms) answers a search scoped to one shop
or one customer's conversation without reading any other shop's postings; results come
newest first, paged by (sent_at, message_id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.events import Event, MessageSent
from . import search_terms
from .sql import run

TABLES = ("message_search",)
INDEXED = frozenset(TABLES)  # the part of a conversation a new message changes here (RowWrite.parts)


@dataclass(frozen=True)
class Position:
    """Where a page of results ends: the next page holds only older messages."""

    sent_at: datetime
    message_id: UUID


async def index(session: AsyncSession, event: Event) -> None:
    if not isinstance(event, MessageSent):
        return
    terms = search_terms.index_terms(event.text)
    if not terms:
        return  # nothing to find it by: only emoji or punctuation
    await run(
        session,
        "INSERT INTO message_search (message_id, shop_id, customer_id, sent_at, terms) "
        "SELECT :id, shop_id, customer_id, :at, array_to_tsvector(CAST(:terms AS text[])) "
        "FROM conversations WHERE id = :c ON CONFLICT (message_id) DO NOTHING",
        row=("conversation", event.conversation_id),
        parts=INDEXED,
        id=event.message_id,
        at=event.sent_at,
        terms=terms,
        c=event.conversation_id,
    )


async def reindex(session: AsyncSession, conversation_id: UUID, message_id: UUID, new_text: str) -> None:
    """An edited message is found by its new words only."""
    await remove(session, conversation_id, message_id)
    terms = search_terms.index_terms(new_text)
    if terms:
        await run(
            session,
            "INSERT INTO message_search (message_id, shop_id, customer_id, sent_at, terms) "
            "SELECT m.message_id, c.shop_id, c.customer_id, m.sent_at, "
            "array_to_tsvector(CAST(:terms AS text[])) FROM messages m "
            "JOIN conversations c ON c.id = m.conversation_id WHERE m.message_id = :id",
            row=("conversation", conversation_id),
            id=message_id,
            terms=terms,
        )


async def remove(session: AsyncSession, conversation_id: UUID, message_id: UUID) -> None:
    """Forget a message (it was recalled or deleted): no search finds it any more."""
    await run(
        session,
        "DELETE FROM message_search WHERE message_id = :id",
        row=("conversation", conversation_id),
        id=message_id,
    )


async def find(
    session: AsyncSession,
    shop_id: UUID,
    terms: list[str],
    *,
    customer_id: UUID | None = None,
    before: Position | None = None,
    limit: int,
) -> list[dict[str, Any]]:
    """Messages of the shop (or of one customer's conversation) holding every term,
    newest first."""
    rows = await session.execute(*find_query(shop_id, terms, customer_id, before, limit))
    return [dict(r) for r in rows.mappings()]


def find_query(
    shop_id: UUID, terms: list[str], customer_id: UUID | None, before: Position | None, limit: int
) -> tuple[TextClause, dict[str, Any]]:
    """The statement `find` runs (apart, so EXPLAIN can be shown of exactly it)."""
    where = ["shop_id = :shop", "terms @@ CAST(:query AS tsquery)"]
    params: dict[str, Any] = {"shop": shop_id, "query": search_terms.to_tsquery(terms), "n": limit}
    if customer_id is not None:
        where.append("customer_id = :customer")
        params["customer"] = customer_id
    if before is not None:
        where.append("(sent_at, message_id) < (:before_at, :before_id)")
        params |= {"before_at": before.sent_at, "before_id": before.message_id}
    statement = text(
        "SELECT m.conversation_id, m.seq, m.message_id, m.sender_role, m.sent_at, m.text "
        "FROM (SELECT message_id, sent_at FROM message_search "
        f"WHERE {' AND '.join(where)} ORDER BY sent_at DESC, message_id DESC LIMIT :n) hit "
        "JOIN messages m USING (message_id) ORDER BY hit.sent_at DESC, hit.message_id DESC"
    )
    return statement, params
