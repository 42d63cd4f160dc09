"""Conversations as the assistant follows them, the customer messages it answers
(turns, which are also its timers), and the dialogue state it keeps between them.

Two writers, two tables: the event consumer writes `conversations` and inserts
`turns`; the turn worker claims and writes `dialogues` (and settles turns).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_platform import shredding
from frontdesk_platform.row_writes import RowWrite, write
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from ..domain.speaking import ConversationState
from .sql import rows, run

_ERASED = shredding.ERASED_TEST.format(id="CAST(:cu AS uuid)")  # a message consumed after the erasure


@dataclass(frozen=True)
class ConversationRow:
    conversation_id: UUID
    shop_id: UUID
    customer_id: UUID
    assignee_id: UUID | None
    status: str
    assigned_by_person_at: datetime | None
    released_at: datetime | None
    last_staff_at: datetime | None


@dataclass(frozen=True)
class Turn:
    conversation_id: UUID
    seq: int
    shop_id: UUID
    customer_id: UUID
    text: str
    sent_at: datetime
    due_at: datetime
    attempts: int


@dataclass(frozen=True)
class DialogueRow:
    state: dict[str, Any]
    handed_off_at: datetime | None
    updated_at: datetime | None


_OPENED = text(
    "INSERT INTO conversations (conversation_id, shop_id, customer_id) VALUES (:c, :s, :cu) "
    "ON CONFLICT (conversation_id) DO NOTHING"
)
_ASSIGNED = text(
    "UPDATE conversations SET assignee_id = CAST(:a AS uuid), "
    "assigned_by_person_at = CASE WHEN CAST(:a AS uuid) IS NOT NULL AND :p THEN :at "
    "ELSE assigned_by_person_at END, "
    "released_at = CASE WHEN CAST(:a AS uuid) IS NULL THEN :at ELSE released_at END WHERE conversation_id = :c"
)
_STATUS_CHANGED = text(
    "UPDATE conversations SET status = CAST(:st AS text), "
    "released_at = CASE WHEN CAST(:st AS text) = 'resolved' THEN :at ELSE released_at END "
    "WHERE conversation_id = :c"
)
_STAFF_WROTE = text(
    "UPDATE conversations SET last_staff_at = GREATEST(COALESCE(last_staff_at, :at), :at) "
    "WHERE conversation_id = :c"
)


def _conversation_write(sql: TextClause, conversation_id: UUID, **params: Any) -> RowWrite:
    return RowWrite(sql, ("conversations", conversation_id), {"c": conversation_id, **params})


async def opened(session: AsyncSession, conversation_id: UUID, shop_id: UUID, customer_id: UUID) -> None:
    await write(session, [opened_write(conversation_id, shop_id, customer_id)])


def opened_write(conversation_id: UUID, shop_id: UUID, customer_id: UUID) -> RowWrite:
    return _conversation_write(_OPENED, conversation_id, s=shop_id, cu=customer_id)


def assigned_write(
    conversation_id: UUID, assignee_id: UUID | None, by_person: bool, at: datetime
) -> RowWrite:
    """A person assigning it by hand takes it; unassigning gives it back to the assistant."""
    return _conversation_write(_ASSIGNED, conversation_id, a=assignee_id, p=by_person, at=at)


def status_write(conversation_id: UUID, status: str, at: datetime) -> RowWrite:
    return _conversation_write(_STATUS_CHANGED, conversation_id, st=status, at=at)


def staff_wrote_write(conversation_id: UUID, at: datetime) -> RowWrite:
    return _conversation_write(_STAFF_WROTE, conversation_id, at=at)


async def conversation(session: AsyncSession, conversation_id: UUID) -> ConversationRow | None:
    found = await rows(
        session,
        "SELECT conversation_id, shop_id, customer_id, assignee_id, status, assigned_by_person_at, released_at, "
        "last_staff_at FROM conversations WHERE conversation_id = :c",
        c=conversation_id,
    )
    return ConversationRow(**found[0]._mapping) if found else None


def state_of(row: ConversationRow, handed_off_at: datetime | None) -> ConversationState:
    return ConversationState(
        handed_off_at=handed_off_at,
        assigned_by_person_at=row.assigned_by_person_at,
        released_at=row.released_at,
        last_staff_at=row.last_staff_at,
    )


async def add_turn(
    session: AsyncSession,
    *,
    conversation_id: UUID,
    seq: int,
    shop_id: UUID,
    customer_id: UUID,
    text: str,
    sent_at: datetime,
    due_at: datetime,
    answer: bool,
) -> None:
    """A customer's message: to be looked at when due, or only kept (for suggestions)."""
    await run(
        session,
        "INSERT INTO turns (conversation_id, seq, shop_id, customer_id, text, sent_at, due_at, status) "
        f"VALUES (:c, :seq, :s, :cu, CASE WHEN {_ERASED} THEN '' ELSE CAST(:t AS text) END, :sent, :due, "
        f"CASE WHEN {_ERASED} THEN 'erased' ELSE CAST(:st AS text) END) "
        "ON CONFLICT (conversation_id, seq) DO NOTHING",
        c=conversation_id,
        seq=seq,
        s=shop_id,
        cu=customer_id,
        t=text,
        sent=sent_at,
        due=due_at,
        st="pending" if answer else "kept",
    )
    await run(
        session,
        "INSERT INTO dialogues (conversation_id) VALUES (:c) ON CONFLICT (conversation_id) DO NOTHING",
        c=conversation_id,
    )


async def change_turn_text(session: AsyncSession, conversation_id: UUID, seq: int, text: str | None) -> None:
    """An edited message is read as edited; a recalled one is never answered or suggested on."""
    if text is None:
        await run(
            session,
            "UPDATE turns SET text = '', status = CASE WHEN status = 'pending' THEN 'recalled' ELSE status END "
            "WHERE conversation_id = :c AND seq = :seq",
            c=conversation_id,
            seq=seq,
        )
        return
    await run(
        session,
        "UPDATE turns SET text = :t WHERE conversation_id = :c AND seq = :seq",
        c=conversation_id,
        seq=seq,
        t=text,
    )


async def due_conversations(session: AsyncSession, now: datetime, limit: int) -> list[UUID]:
    found = await rows(
        session,
        "SELECT conversation_id FROM turns WHERE status = 'pending' AND due_at <= :now "
        "GROUP BY conversation_id ORDER BY min(due_at) LIMIT :n",
        now=now,
        n=limit,
    )
    return [row.conversation_id for row in found]


async def claim_dialogue(
    session: AsyncSession, conversation_id: UUID, claim: UUID, now: datetime, until: datetime
) -> DialogueRow | None:
    """Take the conversation for one worker until `until` (None if another has it). A claim,
    not a row lock: the worker then waits for the booking service outside any transaction,
    since an open transaction would hold back every outbox relay of the cluster."""
    found = await rows(
        session,
        "UPDATE dialogues SET claim = :k, claimed_until = :until WHERE conversation_id = :c "
        "AND (claimed_until IS NULL OR claimed_until < :now) RETURNING state, handed_off_at, updated_at",
        c=conversation_id,
        k=claim,
        now=now,
        until=until,
    )
    return DialogueRow(**found[0]._mapping) if found else None


async def release_dialogue(session: AsyncSession, conversation_id: UUID, claim: UUID) -> bool:
    """Give the conversation back; False if the claim had run out and another took it."""
    found = await rows(
        session,
        "UPDATE dialogues SET claim = NULL, claimed_until = NULL WHERE conversation_id = :c AND claim = :k "
        "RETURNING conversation_id",
        c=conversation_id,
        k=claim,
    )
    return bool(found)


async def due_turns(session: AsyncSession, conversation_id: UUID, now: datetime) -> list[Turn]:
    found = await rows(
        session,
        "SELECT conversation_id, seq, shop_id, customer_id, text, sent_at, due_at, attempts FROM turns "
        "WHERE conversation_id = :c AND status = 'pending' AND due_at <= :now ORDER BY seq",
        c=conversation_id,
        now=now,
    )
    return [Turn(**row._mapping) for row in found]


async def settle_turn(session: AsyncSession, turn: Turn, status: str, outcome: str, at: datetime) -> None:
    await run(
        session,
        "UPDATE turns SET status = :st, outcome = :o, answered_at = :at WHERE conversation_id = :c AND seq = :seq",
        c=turn.conversation_id,
        seq=turn.seq,
        st=status,
        o=outcome,
        at=at,
    )


async def retry_later(
    session: AsyncSession,
    conversation_id: UUID,
    now: datetime,
    due_at: datetime,
    max_attempts: int,
    error: str,
) -> None:
    """A round that failed: its due turns wait a little; after `max_attempts` they are given up."""
    await run(
        session,
        "UPDATE turns SET attempts = attempts + 1, due_at = :due, outcome = :e, "
        "status = CASE WHEN attempts + 1 >= :max THEN 'failed' ELSE status END "
        "WHERE conversation_id = :c AND status = 'pending' AND due_at <= :now",
        c=conversation_id,
        now=now,
        due=due_at,
        max=max_attempts,
        e=error[:500],
    )


async def save_dialogue(
    session: AsyncSession,
    conversation_id: UUID,
    state: dict[str, Any],
    handed_off_at: datetime | None,
    at: datetime,
) -> None:
    await run(
        session,
        "UPDATE dialogues SET state = CAST(:s AS jsonb), handed_off_at = :h, updated_at = :at "
        "WHERE conversation_id = :c",
        c=conversation_id,
        s=json.dumps(state, ensure_ascii=False),
        h=handed_off_at,
        at=at,
    )


async def message_at(session: AsyncSession, conversation_id: UUID, seq: int | None) -> Row[Any] | None:
    """The customer's message at `seq`, or the last one before it (the latest if no seq)."""
    found = await rows(
        session,
        "SELECT seq, text, sent_at FROM turns WHERE conversation_id = :c AND text <> '' "
        "AND (CAST(:seq AS bigint) IS NULL OR seq <= :seq) ORDER BY seq DESC LIMIT 1",
        c=conversation_id,
        seq=seq,
    )
    return found[0] if found else None


async def dialogue_state(session: AsyncSession, conversation_id: UUID) -> dict[str, Any]:
    """The dialogue as last saved (not locked: for suggestions)."""
    found = await rows(session, "SELECT state FROM dialogues WHERE conversation_id = :c", c=conversation_id)
    return dict(found[0].state) if found else {}
