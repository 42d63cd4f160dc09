"""Internal read API. Every query is scoped by the shop the gateway passes in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from ..projections import conversations as read_model

router = APIRouter(prefix="/internal", tags=["internal"])


class Conversation(BaseModel):
    id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_at: datetime
    last_seq: int
    last_activity_at: datetime
    last_message_preview: str | None


class Message(BaseModel):
    conversation_id: UUID
    seq: int
    message_id: UUID
    sender_id: UUID
    sender_role: Literal["owner", "staff", "customer"]
    client_msg_id: str
    kind: str
    text: str
    sent_at: datetime


class MessagePage(BaseModel):
    messages: list[Message]
    last_seq: int


def _session(request: Request) -> AsyncSession:
    session: AsyncSession = request.app.state.sessions()
    return session


@router.get("/conversations/{conversation_id}", response_model=Conversation)
async def get_conversation(request: Request, conversation_id: UUID, shop_id: UUID) -> Conversation:
    async with _session(request) as session:
        row = await read_model.get_conversation(session, conversation_id, shop_id)
    if row is None:
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    return Conversation(**row)


@router.get("/conversations", response_model=list[Conversation])
async def list_conversations(
    request: Request,
    shop_id: UUID,
    customer_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[Conversation]:
    async with _session(request) as session:
        rows = await read_model.list_conversations(session, shop_id, customer_id, limit)
    return [Conversation(**row) for row in rows]


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def page_messages(
    request: Request,
    conversation_id: UUID,
    shop_id: UUID,
    after_seq: Annotated[int | None, Query(ge=0)] = None,
    before_seq: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    if after_seq is not None and before_seq is not None:
        raise ApiError(422, "invalid_request", "Give after_seq or before_seq, not both.")
    async with _session(request) as session:
        conversation = await read_model.get_conversation(session, conversation_id, shop_id)
        if conversation is None:
            raise ApiError(404, "conversation_not_found", "No such conversation.")
        rows = await read_model.page_messages(
            session, conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
        )
    return MessagePage(messages=[Message(**r) for r in rows], last_seq=conversation["last_seq"])
