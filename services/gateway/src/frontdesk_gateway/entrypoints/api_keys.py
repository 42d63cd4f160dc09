"""API keys for integrations: the shop's owner makes a key (scoped `read`, or `read` and
`write`), sees it once, lists the shop's keys and revokes one; a revoked key stops at once.
An integration sends it as `Authorization: Bearer fdk_…` and acts as the shop's staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody
from pydantic import BaseModel, Field

from ..identity.api_keys import ApiKeys
from ..identity.tokens import Principal
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1/shops/{shop_id}/api-keys", responses=ERRORS, tags=["api keys"])


class NewKey(StoredBody):
    name: str = Field(min_length=1, max_length=100, examples=["CRM sync"])
    scopes: list[Literal["read", "write"]] = Field(min_length=1, max_length=2, examples=[["read"]])


class Key(BaseModel):
    id: UUID
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class NewlyMade(Key):
    key: str = Field(
        description="fdk_…: send as Authorization: Bearer; shown only now, kept only as a digest"
    )


@router.post(
    "", response_model=NewlyMade, status_code=201, summary="Make an API key for an integration (owner)"
)
async def make(request: Request, caller: Caller, shop_id: UUID, body: NewKey) -> Any:
    return await _keys(request, caller, shop_id).make(shop_id, caller.user_id, body.name, list(body.scopes))


@router.get("", response_model=list[Key], summary="The shop's API keys, revoked ones included (owner)")
async def listed(request: Request, caller: Caller, shop_id: UUID) -> Any:
    return await _keys(request, caller, shop_id).of_shop(shop_id)


@router.delete("/{key_id}", response_model=Key, summary="Revoke an API key: it stops working at once (owner)")
async def revoke(request: Request, caller: Caller, shop_id: UUID, key_id: UUID) -> Any:
    found = await _keys(request, caller, shop_id).revoke(shop_id, key_id)
    if found is None:
        raise ApiError(404, "api_key_not_found", "No such API key.")
    return found


def _keys(request: Request, caller: Principal, shop_id: UUID) -> ApiKeys:
    if caller.shop_id != shop_id or not caller.is_staff:
        raise ApiError(404, "shop_not_found", "No such shop.")
    if caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner manages API keys.")
    keys: ApiKeys = request.app.state.api_keys
    return keys
