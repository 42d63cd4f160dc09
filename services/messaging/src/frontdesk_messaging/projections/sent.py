"""A sent message's read-model rows in one round trip: the conversation's counters and
preview, the message, its search terms and (from a customer) a response episode, as
`conversations`, `search` and `reports` would write them one statement at a time.

The hot path of every send, so it runs on the transaction's asyncpg connection.
"""

from __future__ import annotations

import json

from frontdesk_platform.database import driver_connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import events as e
from . import reports, search_terms

_SENT = """
WITH c AS (
    UPDATE conversations SET last_seq = $2, last_activity_at = $3, last_message_preview = $4,
        customer_messages = customer_messages + $5, shop_messages = shop_messages + $6,
        change_cursor = nextval('conversation_changes')
    WHERE id = $1 RETURNING id, shop_id, customer_id, customer_messages, shop_messages
), message AS (
    INSERT INTO messages (conversation_id, seq, message_id, sender_id, sender_role, client_msg_id, kind,
        text, sent_at, customer_messages, shop_messages, sender_kind, attachment, booking_update)
    SELECT c.id, $2, $7, $8, $9, $10, $11, $12, $3, c.customer_messages, c.shop_messages, $13,
        CAST($14::text AS jsonb), CAST($15::text AS jsonb)
    FROM c
), found_by AS (
    INSERT INTO message_search (message_id, shop_id, customer_id, sent_at, terms)
    SELECT $7, c.shop_id, c.customer_id, $3, array_to_tsvector($16::text[])
    FROM c WHERE cardinality($16::text[]) > 0
    ON CONFLICT (message_id) DO NOTHING
), episode AS (
    INSERT INTO response_episodes (conversation_id, started_at, shop_id)
    SELECT c.id, $3, c.shop_id FROM c WHERE $5 = 1 AND NOT EXISTS (
        SELECT 1 FROM response_episodes r WHERE r.conversation_id = $1 AND r.resolved_at IS NULL)
)
SELECT count(*) FROM c
"""


async def project(session: AsyncSession, event: e.MessageSent, preview: str) -> None:
    from_customer = event.sender_role == "customer"
    connection = await driver_connection(session)
    updated = await connection.fetchval(
        _SENT,
        event.conversation_id,
        event.seq,
        event.sent_at,
        preview,
        int(from_customer),
        int(not from_customer),
        event.message_id,
        event.sender_id,
        event.sender_role,
        event.client_msg_id,
        event.kind,
        event.text,
        event.sender_kind,
        json.dumps(event.attachment) if event.attachment else None,
        json.dumps(event.booking_update) if event.booking_update else None,
        search_terms.index_terms(event.text),
    )
    if updated != 1:
        raise LookupError(f"conversation {event.conversation_id} has no read-model row")
    if not from_customer:
        await reports.on_message(session, event)
