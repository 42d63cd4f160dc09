"""Internal API for a shop's webhook endpoints and their delivery logs, scoped by the shop
the gateway passes in. Registration goes straight to notify over this API, not as a
command on Kafka: the signing secret must never sit in an event log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel, Field

from ..adapters.webhooks import check_reachable, new_secret
from ..domain.webhooks import InvalidEndpoint, check_filters
from ..projections import webhooks

router = APIRouter(prefix="/internal/shops/{shop_id}/webhooks", tags=["internal"])


class NewEndpoint(BaseModel):
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(max_length=50)
    description: str = Field(default="", max_length=200)


class EndpointChange(BaseModel):
    event_types: list[str] | None = Field(default=None, max_length=50)
    enabled: bool | None = None


class Endpoint(BaseModel):
    id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


class NewlyMade(Endpoint):
    secret: str


class Delivery(BaseModel):
    message_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None


@router.post("", response_model=NewlyMade, status_code=201)
async def add(request: Request, shop_id: UUID, body: NewEndpoint) -> Any:
    try:
        await check_reachable(body.url, request.app.state.webhooks.allow_loopback)
        event_types = check_filters(body.event_types)
    except InvalidEndpoint as exc:
        raise ApiError(422, exc.code, exc.message) from None
    async with request.app.state.sessions() as session, session.begin():
        fields = {"url": body.url, "description": body.description, "event_types": event_types}
        made = await webhooks.add_endpoint(
            session, shop_id, uuid4(), secret=new_secret(), now=request.app.state.clock(), **fields
        )
    return made._asdict()


@router.get("", response_model=list[Endpoint])
async def listed(request: Request, shop_id: UUID) -> Any:
    async with request.app.state.sessions() as session:
        return [row._asdict() for row in await webhooks.endpoints(session, shop_id)]


@router.get("/{endpoint_id}", response_model=Endpoint)
async def one(request: Request, shop_id: UUID, endpoint_id: UUID) -> Any:
    async with request.app.state.sessions() as session:
        return _found(await webhooks.endpoint(session, shop_id, endpoint_id))


@router.patch("/{endpoint_id}", response_model=Endpoint)
async def change(request: Request, shop_id: UUID, endpoint_id: UUID, body: EndpointChange) -> Any:
    try:
        event_types = None if body.event_types is None else check_filters(body.event_types)
    except InvalidEndpoint as exc:
        raise ApiError(422, exc.code, exc.message) from None
    async with request.app.state.sessions() as session, session.begin():
        return _found(
            await webhooks.change_endpoint(session, shop_id, endpoint_id, event_types, body.enabled)
        )


@router.delete("/{endpoint_id}", response_model=Endpoint)
async def remove(request: Request, shop_id: UUID, endpoint_id: UUID) -> Any:
    async with request.app.state.sessions() as session, session.begin():
        found = _found(await webhooks.endpoint(session, shop_id, endpoint_id))
        await webhooks.remove_endpoint(session, shop_id, endpoint_id)
    return found


@router.get("/{endpoint_id}/deliveries", response_model=list[Delivery])
async def deliveries(
    request: Request, shop_id: UUID, endpoint_id: UUID, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> Any:
    async with request.app.state.sessions() as session:
        _found(await webhooks.endpoint(session, shop_id, endpoint_id))
        return [row._asdict() for row in await webhooks.deliveries(session, shop_id, endpoint_id, limit)]


def _found(row: Any) -> dict[str, Any]:
    if row is None:
        raise ApiError(404, "webhook_not_found", "No such webhook endpoint.")
    return dict(row._asdict())
