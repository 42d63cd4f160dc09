"""Internal read API: the knowledge base, the assistant's settings, and suggested replies
for staff. Always scoped by the shop the gateway passes in; clients never call it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters import dialogues
from ..domain import suggest_replies
from ..projections import conversations, knowledge
from ..service_layer.shops import ShopContexts, customer_pets

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])


class Translation(BaseModel):
    language: str
    question: str
    answer: str


class FaqEntry(BaseModel):
    entry_id: UUID
    question: str
    answer: str
    keywords: list[str]
    language: str | None
    translations: list[Translation]
    updated_at: datetime


class Settings(BaseModel):
    mode: str
    reply_after_minutes: int
    staff_quiet_minutes: int
    shop_kind: str
    name_en: str
    address: str
    address_en: str
    phone: str
    updated_at: datetime | None


class Suggestions(BaseModel):
    conversation_id: UUID
    seq: int
    text: str
    suggestions: list[str]


def _session(request: Request) -> AsyncSession:
    session: AsyncSession = request.app.state.sessions()
    return session


@router.get("/faq", response_model=list[FaqEntry])
async def faq(request: Request, shop_id: UUID) -> Any:
    async with _session(request) as session:
        return [vars(e) for e in await knowledge.entries(session, shop_id)]


@router.get("/faq/{entry_id}", response_model=FaqEntry)
async def faq_entry(request: Request, shop_id: UUID, entry_id: UUID) -> Any:
    async with _session(request) as session:
        found = await knowledge.entries(session, shop_id, entry_id)
    if not found:
        raise ApiError(404, "faq_entry_not_found", "No such entry in the knowledge base.")
    return vars(found[0])


@router.get("/assistant", response_model=Settings)
async def settings(request: Request, shop_id: UUID) -> Any:
    async with _session(request) as session:
        return vars(await knowledge.settings(session, shop_id))


@router.get("/conversations/{conversation_id}/suggestions", response_model=Suggestions)
async def suggestions(
    request: Request,
    shop_id: UUID,
    conversation_id: UUID,
    seq: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=5)] = 3,
) -> Any:
    """Replies a staff member can send for the customer's message at `seq` (or the last
    customer message before it; the latest if no seq)."""
    clock: Callable[[], datetime] = request.app.state.clock
    contexts: ShopContexts = request.app.state.shop_contexts
    async with _session(request) as session:
        conversation = await conversations.conversation(session, conversation_id)
        if conversation is None or conversation.shop_id != shop_id:
            raise ApiError(404, "conversation_not_found", "No such conversation.")
        message = await conversations.message_at(session, conversation_id, seq)
        shop = await contexts.get(session, shop_id)
        if message is None or shop is None:
            raise ApiError(404, "message_not_found", "No customer message to suggest replies for.")
        pets = await customer_pets(session, conversation.customer_id)
        state = await conversations.dialogue_state(session, conversation_id)
    dialogue = dialogues.load(state, shop.context, pets)
    found = suggest_replies(message.text, shop.context, clock(), pets, dialogue, limit)
    return Suggestions(conversation_id=conversation_id, seq=message.seq, text=message.text, suggestions=found)
