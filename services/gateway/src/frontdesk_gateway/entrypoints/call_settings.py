"""A shop's call policy (docs/calls.md): calls off, at any time, or only in its business
hours, and how long a live view of a service may run. Kept with the shop's other messaging
settings in messaging; the gateway checks it when a call starts."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from frontdesk_platform.storable import StoredBody
from pydantic import Field

from ..calls.policy import CallPolicies
from ..conversations import Conversations
from .auth import Caller, own_shop
from .schemas import ERRORS

router = APIRouter(prefix="/v1/shops/{shop_id}", responses=ERRORS, tags=["calls"])


class CallSettings(StoredBody):
    policy: Literal["off", "always", "business_hours"] = Field(
        description="Calls in the shop's conversations: off, at any time, or only in its business hours"
    )
    live_view_minutes: int = Field(
        default=30, ge=1, le=240, description="How long a live view of a service may run."
    )


class CallSettingsNow(CallSettings):
    open_now: bool = Field(description="Whether a call may start now")


def _conversations(request: Request) -> Conversations:
    conversations: Conversations = request.app.state.conversations
    return conversations


@router.get("/calls", response_model=CallSettingsNow, summary="Whether calls are on, and on now")
async def get_calls(request: Request, caller: Caller, shop_id: UUID) -> Any:
    own_shop(caller, shop_id)
    return await _conversations(request).read_shop(caller, "/calls")


@router.put(
    "/calls", response_model=CallSettingsNow, summary="Turn calls off, on, or on in business hours (owner)"
)
async def set_calls(request: Request, caller: Caller, shop_id: UUID, body: CallSettings) -> Any:
    own_shop(caller, shop_id)
    await _conversations(request).execute_for_shop(caller, "messaging.shop.set_calls.v1", body.model_dump())
    policies: CallPolicies = request.app.state.call_policies
    policies.forget(shop_id)
    return await _conversations(request).read_shop(caller, "/calls")
