"""Internal read API. Every query is scoped by the shop the gateway passes in, and
reader-specific figures (unread, read marks) by the reader it names."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from ..projections import queries

router = APIRouter(prefix="/internal", tags=["internal"])
Limit = Annotated[int, Query(ge=1, le=200)]


class Reader(BaseModel):
    shop_id: UUID
    reader_id: UUID | None = None
    reader_role: Literal["owner", "staff", "customer"] = "staff"
    customer_id: UUID | None = None


class Conversation(BaseModel):
    id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_at: datetime
    last_seq: int
    last_activity_at: datetime
    last_message_preview: str | None
    status: str
    assignee_id: UUID | None
    assigned_at: datetime | None
    handoff_note: str | None
    labels: list[str]
    open_survey_id: UUID | None
    change_cursor: int
    read_seq: int
    unread_count: int


class Message(BaseModel):
    conversation_id: UUID
    seq: int
    message_id: UUID
    sender_id: UUID
    sender_role: str
    sender_kind: str
    client_msg_id: str
    kind: str
    text: str
    sent_at: datetime
    recalled: bool
    edited_at: datetime | None
    attachment: dict[str, Any] | None
    booking_update: dict[str, Any] | None = None
    call: dict[str, Any] | None = None


class MessagePage(BaseModel):
    messages: list[Message]
    last_seq: int


class Changes(BaseModel):
    conversations: list[Conversation]
    next_cursor: int
    has_more: bool


class Note(BaseModel):
    note_id: UUID
    conversation_id: UUID
    author_id: UUID
    text: str
    added_at: datetime


def _session(request: Request) -> AsyncSession:
    session: AsyncSession = request.app.state.sessions()
    return session


async def _conversation(session: AsyncSession, conversation_id: UUID, reader: Reader) -> Conversation:
    row = await queries.get_conversation(
        session, conversation_id, reader.shop_id, reader.reader_id, reader.reader_role
    )
    if row is None or (reader.customer_id and row["customer_id"] != reader.customer_id):
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    return Conversation(**row)


@router.get("/conversations/{conversation_id}", response_model=Conversation)
async def get_conversation(
    request: Request, conversation_id: UUID, reader: Annotated[Reader, Depends()]
) -> Conversation:
    async with _session(request) as session:
        return await _conversation(session, conversation_id, reader)


@router.get("/conversations", response_model=list[Conversation])
async def list_conversations(
    request: Request, reader: Annotated[Reader, Depends()], limit: Limit = 50
) -> list[Conversation]:
    async with _session(request) as session:
        rows = await queries.list_conversations(
            session, reader.shop_id, reader.customer_id, reader.reader_id, reader.reader_role, limit
        )
    return [Conversation(**row) for row in rows]


@router.get("/changes", response_model=Changes)
async def changed_conversations(
    request: Request,
    reader: Annotated[Reader, Depends()],
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Limit = 200,
) -> Changes:
    if reader.reader_id is None:
        raise ApiError(422, "invalid_request", "reader_id is required.")
    async with _session(request) as session:
        rows = await queries.changed_conversations(
            session,
            reader.shop_id,
            reader.customer_id,
            reader.reader_id,
            reader.reader_role,
            after,
            limit + 1,
        )
    page = [Conversation(**row) for row in rows[:limit]]
    return Changes(
        conversations=page, next_cursor=page[-1].change_cursor if page else after, has_more=len(rows) > limit
    )


@router.get("/unread")
async def unread(request: Request, reader: Annotated[Reader, Depends()]) -> dict[str, int]:
    if reader.reader_id is None:
        raise ApiError(422, "invalid_request", "reader_id is required.")
    async with _session(request) as session:
        total = await queries.unread_total(
            session, reader.shop_id, reader.customer_id, reader.reader_id, reader.reader_role
        )
    return {"total": total}


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def page_messages(
    request: Request,
    conversation_id: UUID,
    reader: Annotated[Reader, Depends()],
    after_seq: Annotated[int | None, Query(ge=0)] = None,
    before_seq: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 50,
) -> MessagePage:
    if after_seq is not None and before_seq is not None:
        raise ApiError(422, "invalid_request", "Give after_seq or before_seq, not both.")
    async with _session(request) as session:
        conversation = await _conversation(session, conversation_id, reader)
        rows = await queries.page_messages(
            session, conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
        )
    return MessagePage(messages=[Message(**r) for r in rows], last_seq=conversation.last_seq)


@router.get("/conversations/{conversation_id}/notes", response_model=list[Note])
async def notes(request: Request, conversation_id: UUID, reader: Annotated[Reader, Depends()]) -> list[Note]:
    async with _session(request) as session:
        await _conversation(session, conversation_id, reader)
        rows = await queries.notes(session, conversation_id)
    return [Note(**row) for row in rows]
