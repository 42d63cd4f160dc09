"""Notify's view of conversations: names, assignees, read marks, and pending chat alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_platform import shredding
from frontdesk_platform.row_writes import RowWrite
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from .store import rows, run

_SET_NAME = text(
    "INSERT INTO names (id, name) VALUES (:id, CASE WHEN "
    + shredding.ERASED_TEST.format(id=":id")
    + " THEN '' ELSE CAST(:n AS text) END) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name"
)


def name_write(id: UUID, name: str) -> RowWrite:
    return RowWrite(_SET_NAME, ("names", id), {"id": id, "n": name})


async def name(session: AsyncSession, id: UUID) -> str | None:
    found = await rows(session, "SELECT name FROM names WHERE id = :id", id=id)
    return str(found[0].name) if found else None


_SET_CONVERSATION = text(
    "INSERT INTO conversations (conversation_id, shop_id, customer_id, assignee_id) VALUES (:c, :s, :cu, :a) "
    "ON CONFLICT (conversation_id) DO UPDATE SET assignee_id = COALESCE(EXCLUDED.assignee_id, "
    "conversations.assignee_id)"
)
_ASSIGN = text("UPDATE conversations SET assignee_id = :a WHERE conversation_id = :c")


def conversation_write(
    conversation_id: UUID, shop_id: UUID, customer_id: UUID, assignee_id: UUID | None = None
) -> RowWrite:
    params = {"c": conversation_id, "s": shop_id, "cu": customer_id, "a": assignee_id}
    return RowWrite(_SET_CONVERSATION, ("conversations", conversation_id), params)


def assignee_write(conversation_id: UUID, assignee_id: UUID | None) -> RowWrite:
    return RowWrite(_ASSIGN, ("conversations", conversation_id), {"c": conversation_id, "a": assignee_id})


async def assignee(session: AsyncSession, conversation_id: UUID) -> UUID | None:
    found = await rows(
        session, "SELECT assignee_id FROM conversations WHERE conversation_id = :c", c=conversation_id
    )
    return found[0].assignee_id if found else None


_MARK_READ = text(
    "INSERT INTO read_marks (conversation_id, reader_id, seq) VALUES (:c, :r, :s) "
    "ON CONFLICT (conversation_id, reader_id) DO UPDATE SET seq = GREATEST(read_marks.seq, EXCLUDED.seq)"
)


def read_mark_write(conversation_id: UUID, reader_id: UUID, seq: int) -> RowWrite:
    params = {"c": conversation_id, "r": reader_id, "s": seq}
    return RowWrite(_MARK_READ, ("read_marks", conversation_id, reader_id), params)


async def add_to_alert(
    session: AsyncSession,
    *,
    conversation_id: UUID,
    shop_id: UUID,
    recipient_id: UUID,
    sender_id: UUID,
    seq: int,
    preview: str,
    due_at: datetime,
    unattended: bool = False,
    customer_id: UUID | None = None,
) -> None:
    """Fold the message into the recipient's pending alert for this conversation, or start
    one due at `due_at`: a burst of messages becomes one notification. `unattended`: the
    recipient stands in for an assignee the conversation does not have."""
    await run(
        session,
        "INSERT INTO chat_alerts (id, conversation_id, shop_id, recipient_id, sender_id, first_seq, last_seq, "
        "messages, preview, due_at, unattended) VALUES (:id, :c, :s, :r, :sender, :seq, :seq, 1, "
        f"CASE WHEN {shredding.ERASED_TEST.format(id='CAST(:cu AS uuid)')} THEN '' ELSE CAST(:p AS text) END, "
        ":due, :u) "
        "ON CONFLICT (conversation_id, recipient_id) WHERE status = 'scheduled' DO UPDATE SET "
        "last_seq = GREATEST(chat_alerts.last_seq, EXCLUDED.last_seq), messages = chat_alerts.messages + 1, "
        "preview = EXCLUDED.preview, sender_id = EXCLUDED.sender_id",
        id=f"chat:{conversation_id}:{recipient_id}:{seq}",
        c=conversation_id,
        s=shop_id,
        r=recipient_id,
        sender=sender_id,
        seq=seq,
        p=preview,
        due=due_at,
        u=unattended,
        cu=customer_id,
    )


async def attended(session: AsyncSession, conversation_id: UUID, seq: int) -> bool:
    """Someone of the shop has it by now: it was assigned meanwhile (messaging's round-robin
    gives it to the first staff member online) or a staff member read up to `seq`."""
    found = await rows(
        session,
        "SELECT c.assignee_id IS NOT NULL OR EXISTS (SELECT 1 FROM read_marks m WHERE "
        "m.conversation_id = c.conversation_id AND m.reader_id <> c.customer_id AND m.seq >= :seq) AS seen "
        "FROM conversations c WHERE c.conversation_id = :c",
        c=conversation_id,
        seq=seq,
    )
    return bool(found and found[0].seen)


async def due_alerts(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    return await rows(
        session,
        "SELECT a.*, COALESCE(m.seq, 0) AS read_seq FROM chat_alerts a LEFT JOIN read_marks m "
        "ON m.conversation_id = a.conversation_id AND m.reader_id = a.recipient_id "
        "WHERE a.status = 'scheduled' AND a.due_at <= :now ORDER BY a.due_at LIMIT :n FOR UPDATE OF a SKIP LOCKED",
        now=now,
        n=limit,
    )


async def settle_alert(session: AsyncSession, alert_id: str, status: str) -> None:
    await run(session, "UPDATE chat_alerts SET status = :st WHERE id = :id", id=alert_id, st=status)
