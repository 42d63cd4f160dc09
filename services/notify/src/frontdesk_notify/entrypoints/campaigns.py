"""Internal API for campaigns: who a segment holds right now, and the campaigns a shop
sent with each recipient's outcome and delivery status. Scoped by the shop the gateway
passes in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel, Field

from ..domain import segments
from ..projections import audience
from ..projections import campaigns as campaign_store

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])
Limit = Annotated[int, Query(ge=1, le=500)]


class Counts(BaseModel):
    audience: int = Field(description="Customers in the segment when it was sent")
    queued: int = Field(description="Given a notification (sent and failed are among these)")
    skipped_opted_out: int
    skipped_frequency_cap: int
    sent: int
    failed: int


class Campaign(BaseModel):
    id: UUID
    name: str
    segment: dict[str, Any]
    title: str
    body: str
    variants: dict[str, dict[str, str]]
    created_by: UUID
    created_at: datetime
    status: str = Field(description="scheduled (waits for send_at), sent or cancelled")
    send_at: datetime | None
    sent_at: datetime | None
    counts: Counts


class Recipient(BaseModel):
    user_id: UUID
    status: str = Field(description="queued, skipped_opted_out or skipped_frequency_cap")
    notification_id: str | None
    delivery_status: str | None = Field(description="The notification's: queued, sent, skipped, failed")
    delivery_reason: str | None
    sent_at: datetime | None


class CampaignWithRecipients(Campaign):
    recipients: list[Recipient]


class Preview(BaseModel):
    segment: dict[str, Any]
    limit: int = Field(default=500, ge=1, le=5000)


class Audience(BaseModel):
    segment: dict[str, Any] = Field(description="The segment with every parameter spelled out")
    size: int
    customer_ids: list[UUID] = Field(description="The first `limit` of them, in a stable order")


@router.get("/campaigns", response_model=list[Campaign])
async def list_campaigns(request: Request, shop_id: UUID, limit: Limit = 100) -> Any:
    async with request.app.state.sessions() as session:
        return await campaign_store.campaigns(session, shop_id, limit)


@router.get("/campaigns/{campaign_id}", response_model=CampaignWithRecipients | Campaign)
async def get_campaign(request: Request, shop_id: UUID, campaign_id: UUID, recipients: bool = True) -> Any:
    async with request.app.state.sessions() as session:
        found = await campaign_store.campaign(session, shop_id, campaign_id, recipients)
    if found is None:
        raise ApiError(404, "campaign_not_found", "No such campaign.")
    return found


@router.post("/segments/preview", response_model=Audience)
async def preview(request: Request, shop_id: UUID, body: Preview) -> Any:
    try:
        segment = segments.parse(body.segment)
    except segments.InvalidSegment as invalid:
        raise ApiError(422, invalid.code, invalid.message) from None
    async with request.app.state.sessions() as session:
        members = await audience.members(session, shop_id, segment, request.app.state.clock())
    return Audience(segment=segments.spec(segment), size=len(members), customer_ids=members[: body.limit])
