"""Campaigns: a shop's marketing message to a segment of its customers (new, frequent,
dormant, by conversation label, by pet type), with opt-outs and a frequency cap always
respected, and what became of each recipient."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request
from frontdesk_contracts import notify as c
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody, StoredDatetime
from pydantic import BaseModel, ConfigDict, Field

from ..campaigns import Campaigns
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1/shops/{shop_id}", responses=ERRORS, tags=["campaigns"])
Limit = Annotated[int, Query(ge=1, le=500)]


class Segment(StoredBody):
    """Who: `new` (signed up within `days`, 30), `frequent` (at least `min_bookings`, 3,
    completed within `days`, 90), `dormant` (booked before, but nothing starting within
    `days`, 60), `label` (a conversation has `label`), `pet_type` (a pet of `species`)."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field(examples=["new", "frequent", "dormant", "label", "pet_type"])
    days: int | None = None
    min_bookings: int | None = None
    label: str | None = Field(default=None, max_length=200)
    species: str | None = Field(default=None, max_length=200)


class Text(StoredBody):
    title: str = Field(max_length=1000)
    body: str = Field(max_length=10_000)


class NewCampaign(StoredBody):
    id: UUID | None = Field(
        default=None, description="Optional: sending the same id again (a retry) sends nothing more"
    )
    name: str = Field(max_length=1000, examples=["Spring bath week"])
    segment: Segment
    title: str = Field(max_length=1000, description="At most 100 characters")
    body: str = Field(max_length=10_000, description="At most 1000 characters")
    variants: dict[str, Text] = Field(
        default_factory=dict, description="Texts per language (zh-CN, en); each recipient gets theirs"
    )
    category: Literal["marketing"] = "marketing"
    send_at: StoredDatetime | None = Field(
        default=None,
        description="Send at this instant (at most a year ahead) instead of now; cancel it until then",
    )


class Preview(StoredBody):
    segment: Segment


class Counts(BaseModel):
    audience: int = Field(description="Customers in the segment when it was sent")
    queued: int = Field(description="Given a notification; sent and failed are among these")
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
    variants: dict[str, Text]
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
    delivery_status: str | None = Field(description="The notification's: queued, sent, skipped or failed")
    delivery_reason: str | None
    sent_at: datetime | None


class CampaignWithRecipients(Campaign):
    recipients: list[Recipient]


class Audience(BaseModel):
    segment: dict[str, Any] = Field(description="The segment with every parameter spelled out")
    size: int
    customer_ids: list[UUID] = Field(description="The first `limit` of them")


def _campaigns(request: Request) -> Campaigns:
    found: Campaigns = request.app.state.campaigns
    return found


def _staff_of(caller: Any, shop_id: UUID) -> None:
    if caller.shop_id != shop_id or not caller.is_staff:
        raise ApiError(404, "shop_not_found", "No such shop.")


@router.post(
    "/campaigns",
    status_code=201,
    response_model=Campaign,
    summary="Send a campaign to a segment now or at `send_at` (owner); opted-out and recently reached "
    "customers are skipped",
)
async def send(request: Request, caller: Caller, shop_id: UUID, body: NewCampaign) -> Any:
    if caller.shop_id != shop_id or caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner sends campaigns.")
    command = c.SendCampaign(
        campaign_id=body.id or uuid4(),
        shop_id=shop_id,
        name=body.name,
        segment=body.segment.model_dump(exclude_none=True),
        title=body.title,
        body=body.body,
        variants={lang: c.CampaignText(**text.model_dump()) for lang, text in body.variants.items()},
        category=body.category,
        actor=c.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id),
        send_at=body.send_at,
    )
    return await _campaigns(request).send(caller, command)


@router.post(
    "/campaigns/{campaign_id}/cancel",
    response_model=Campaign,
    summary="Cancel a scheduled campaign before its time (owner); nobody gets it",
)
async def cancel(request: Request, caller: Caller, shop_id: UUID, campaign_id: UUID) -> Any:
    if caller.shop_id != shop_id or caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner cancels campaigns.")
    command = c.CancelCampaign(
        campaign_id=campaign_id,
        shop_id=shop_id,
        actor=c.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id),
    )
    return await _campaigns(request).cancel(caller, command)


@router.get("/campaigns", response_model=list[Campaign], summary="The shop's campaigns, newest first (staff)")
async def list_campaigns(request: Request, caller: Caller, shop_id: UUID, limit: Limit = 100) -> Any:
    _staff_of(caller, shop_id)
    return await _campaigns(request).read(caller, "/campaigns", limit=limit)


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignWithRecipients,
    summary="A campaign with each recipient's outcome and delivery status (staff)",
)
async def get_campaign(request: Request, caller: Caller, shop_id: UUID, campaign_id: UUID) -> Any:
    _staff_of(caller, shop_id)
    return await _campaigns(request).read(caller, f"/campaigns/{campaign_id}")


@router.post(
    "/segments/preview",
    response_model=Audience,
    summary="Who is in a segment right now: its size and customer ids (staff)",
)
async def preview(request: Request, caller: Caller, shop_id: UUID, body: Preview, limit: Limit = 500) -> Any:
    _staff_of(caller, shop_id)
    return await _campaigns(request).preview(caller, body.segment.model_dump(exclude_none=True), limit)
