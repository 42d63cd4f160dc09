"""The public API of the shop's assistant: its knowledge base (staff), its settings
(staff read, the owner changes them), and suggested replies for a customer's message
(staff). See docs/assistant.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response
from frontdesk_contracts import assistant as c
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import Int32, StoredBody
from pydantic import BaseModel, Field

from ..assistant import ShopAssistant
from ..identity.tokens import Principal
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["assistant"])


class Translation(StoredBody):
    language: Literal["zh", "en"]
    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(min_length=1, max_length=2000)


class FaqBody(StoredBody):
    question: str = Field(min_length=1, max_length=500, examples=["打完疫苗多久可以洗澡？"])
    answer: str = Field(min_length=1, max_length=2000, examples=["打完疫苗 7 天后再洗澡。"])
    keywords: list[str] = Field(
        default_factory=list,
        max_length=30,
        description="Other ways customers ask",
        examples=[["疫苗", "vaccine"]],
    )
    language: Literal["zh", "en"] | None = Field(
        default=None, description="Absent: the answer's own language"
    )
    translations: list[Translation] = Field(default_factory=list, max_length=1)


class FaqEntry(FaqBody):
    entry_id: UUID
    updated_at: datetime


class AssistantSettings(StoredBody):
    mode: c.Mode = Field(
        description="off (default), always, outside_hours (while the shop is closed by its business hours), "
        "no_staff_reply (when no staff member answered within reply_after_minutes)"
    )
    reply_after_minutes: int = Field(default=5, ge=1, le=1440)
    staff_quiet_minutes: int = Field(
        default=30, ge=0, le=1440, description="Quiet this long after a staff member wrote in a conversation"
    )
    shop_kind: Literal["pet", "baby", "nails"] = Field(
        default="pet", description="Whom health worries are about"
    )
    name_en: str = Field(default="", max_length=100)
    address: str = Field(default="", max_length=300)
    address_en: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)


class SettingsView(AssistantSettings):
    updated_at: datetime | None


class Suggestions(BaseModel):
    conversation_id: UUID
    seq: int = Field(description="The customer's message the suggestions answer")
    text: str
    suggestions: list[str] = Field(description="Up to three replies, best first")


def _assistant(request: Request) -> ShopAssistant:
    found: ShopAssistant = request.app.state.assistant
    return found


def _staff_of(caller: Principal, shop_id: UUID) -> None:
    if caller.shop_id != shop_id or not caller.is_staff:
        raise ApiError(404, "shop_not_found", "No such shop.")


def _actor(caller: Principal) -> c.Actor:
    return c.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id)


@router.get(
    "/shops/{shop_id}/faq", response_model=list[FaqEntry], summary="The shop's knowledge base (staff)"
)
async def faq(request: Request, caller: Caller, shop_id: UUID) -> Any:
    _staff_of(caller, shop_id)
    return await _assistant(request).get(caller, "/faq")


@router.post(
    "/shops/{shop_id}/faq",
    response_model=FaqEntry,
    status_code=201,
    summary="Add a knowledge-base entry (staff)",
)
async def add_entry(request: Request, caller: Caller, shop_id: UUID, body: FaqBody) -> Any:
    return await _save(request, caller, shop_id, uuid4(), body)


@router.get(
    "/shops/{shop_id}/faq/{entry_id}", response_model=FaqEntry, summary="One knowledge-base entry (staff)"
)
async def get_entry(request: Request, caller: Caller, shop_id: UUID, entry_id: UUID) -> Any:
    _staff_of(caller, shop_id)
    return await _assistant(request).entry(caller, entry_id)


@router.put(
    "/shops/{shop_id}/faq/{entry_id}", response_model=FaqEntry, summary="Create or replace an entry (staff)"
)
async def put_entry(request: Request, caller: Caller, shop_id: UUID, entry_id: UUID, body: FaqBody) -> Any:
    return await _save(request, caller, shop_id, entry_id, body)


@router.delete("/shops/{shop_id}/faq/{entry_id}", status_code=204, summary="Remove an entry (staff)")
async def delete_entry(request: Request, caller: Caller, shop_id: UUID, entry_id: UUID) -> Response:
    _staff_of(caller, shop_id)
    command = c.DeleteFaqEntry(shop_id=shop_id, entry_id=entry_id, actor=_actor(caller))
    await _assistant(request).run(caller, command)
    return Response(status_code=204)


@router.get(
    "/shops/{shop_id}/assistant", response_model=SettingsView, summary="The assistant's settings (staff)"
)
async def get_settings(request: Request, caller: Caller, shop_id: UUID) -> Any:
    _staff_of(caller, shop_id)
    return await _assistant(request).get(caller, "/assistant")


@router.put(
    "/shops/{shop_id}/assistant", response_model=SettingsView, summary="When the assistant answers (owner)"
)
async def set_settings(request: Request, caller: Caller, shop_id: UUID, body: AssistantSettings) -> Any:
    _staff_of(caller, shop_id)
    if caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner sets how its assistant works.")
    assistant = _assistant(request)
    await assistant.run(
        caller, c.SetAssistantSettings(shop_id=shop_id, actor=_actor(caller), **body.model_dump())
    )
    return await assistant.get(caller, "/assistant")


@router.get(
    "/conversations/{conversation_id}/suggestions",
    response_model=Suggestions,
    summary="Replies to pick for the customer's message at `seq` (staff)",
)
async def suggestions(
    request: Request,
    caller: Caller,
    conversation_id: UUID,
    seq: Annotated[Int32 | None, Query(ge=1, description="Absent: the latest customer message")] = None,
) -> Any:
    if not caller.is_staff:
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    params = {"seq": seq} if seq is not None else {}
    return await _assistant(request).get(caller, f"/conversations/{conversation_id}/suggestions", params)


async def _save(request: Request, caller: Principal, shop_id: UUID, entry_id: UUID, body: FaqBody) -> Any:
    _staff_of(caller, shop_id)
    if body.language is not None and any(t.language == body.language for t in body.translations):
        raise ApiError(422, "invalid_request", "A translation is in another language than the entry.")
    assistant = _assistant(request)
    command = c.SaveFaqEntry(
        shop_id=shop_id,
        entry_id=entry_id,
        actor=_actor(caller),
        **body.model_dump(),
    )
    await assistant.run(caller, command)
    return await assistant.entry(caller, entry_id)
