"""Webhooks for integrations: a shop's owner registers https endpoints with the event types
they want; notify delivers each event signed as Standard Webhooks says, retries for a day,
keeps a delivery log per endpoint and turns off an endpoint that failed all day (with a
notice to the owners). See docs/webhooks.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody
from pydantic import BaseModel, Field

from ..identity.tokens import Principal
from ..internal import InternalApi
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1/shops/{shop_id}/webhooks", responses=ERRORS, tags=["webhooks"])

EVENT_TYPES = Field(
    min_length=1,
    max_length=50,
    description="booking.booking.confirmed (any version), messaging.message.sent.v1 (one version), "
    "booking.* (a prefix) or * (all)",
    examples=[["booking.*", "messaging.message.sent"]],
)


class NewEndpoint(StoredBody):
    url: str = Field(
        max_length=2000, description="https on a public host", examples=["https://crm.example.com/hook"]
    )
    event_types: list[str] = EVENT_TYPES
    description: str = Field(default="", max_length=200)


class EndpointChange(StoredBody):
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=50)
    enabled: bool | None = Field(default=None, description="true turns a turned-off endpoint on again")


class Endpoint(BaseModel):
    id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="Why notify turned it off, if it did")
    created_at: datetime


class NewlyMade(Endpoint):
    secret: str = Field(description="whsec_…: verifies webhook-signature; shown only now")


class Delivery(BaseModel):
    message_id: str = Field(description="The webhook-id header: the same on every retry")
    event_type: str
    status: str = Field(description="pending (tried again at next_attempt_at), delivered or failed")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None


@router.post("", response_model=NewlyMade, status_code=201, summary="Register a webhook endpoint (owner)")
async def add(request: Request, caller: Caller, shop_id: UUID, body: NewEndpoint) -> Any:
    return await _notify(request, caller, shop_id, "", "POST", json=body.model_dump())


@router.get("", response_model=list[Endpoint], summary="The shop's webhook endpoints (owner)")
async def listed(request: Request, caller: Caller, shop_id: UUID) -> Any:
    return await _notify(request, caller, shop_id, "")


@router.get("/{endpoint_id}", response_model=Endpoint, summary="One webhook endpoint (owner)")
async def one(request: Request, caller: Caller, shop_id: UUID, endpoint_id: UUID) -> Any:
    return await _notify(request, caller, shop_id, f"/{endpoint_id}")


@router.patch(
    "/{endpoint_id}", response_model=Endpoint, summary="Change its event types, or turn it on or off (owner)"
)
async def change(
    request: Request, caller: Caller, shop_id: UUID, endpoint_id: UUID, body: EndpointChange
) -> Any:
    return await _notify(request, caller, shop_id, f"/{endpoint_id}", "PATCH", json=body.model_dump())


@router.delete(
    "/{endpoint_id}", response_model=Endpoint, summary="Remove a webhook endpoint and its log (owner)"
)
async def remove(request: Request, caller: Caller, shop_id: UUID, endpoint_id: UUID) -> Any:
    return await _notify(request, caller, shop_id, f"/{endpoint_id}", "DELETE")


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=list[Delivery],
    summary="The endpoint's delivery log, newest first (owner)",
)
async def deliveries(
    request: Request,
    caller: Caller,
    shop_id: UUID,
    endpoint_id: UUID,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    return await _notify(request, caller, shop_id, f"/{endpoint_id}/deliveries", params={"limit": limit})


async def _notify(
    request: Request, caller: Principal, shop_id: UUID, path: str, method: str = "GET", **kwargs: Any
) -> Any:
    if caller.shop_id != shop_id or not caller.is_staff:
        raise ApiError(404, "shop_not_found", "No such shop.")
    if caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner manages webhooks.")
    api: InternalApi = request.app.state.webhooks
    return await api.of_shop(caller, "/webhooks" + path, method, **kwargs)
