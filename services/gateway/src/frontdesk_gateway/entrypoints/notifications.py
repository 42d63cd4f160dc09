"""The public notification API: what was sent to me and how it went, what the
development sink recorded, and when a shop's reminders go out."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from frontdesk_contracts import notify as c
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel, Field

from ..notifications import Notifications
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["notifications"])
Limit = Annotated[int, Query(ge=1, le=500)]


class Notification(BaseModel):
    id: str = Field(description="Deterministic, e.g. booking:{id}:v{version}:day_before")
    user_id: UUID
    category: str = Field(
        description="booking_confirmed, booking_reminder_day_before, booking_reminder_morning, "
        "booking_rescheduled, booking_cancelled, booking_change_proposed"
    )
    critical: bool
    title: str
    body: str
    language: str
    data: dict[str, Any]
    status: str = Field(description="queued, sent, skipped (the booking changed) or failed (see reason)")
    reason: str | None
    provider: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None


class SinkRecord(BaseModel):
    notification_id: str
    user_id: UUID
    platform: str
    title: str
    body: str
    data: dict[str, Any]
    recorded_at: datetime


class ReminderTimes(BaseModel):
    day_before_at: time = Field(description="Local time the day before the booking, e.g. 18:00")
    morning_at: time = Field(description="Local time on the morning of the booking, e.g. 08:00")


def _notifications(request: Request) -> Notifications:
    found: Notifications = request.app.state.notifications
    return found


@router.get(
    "/notifications", response_model=list[Notification], summary="Notifications sent to me, newest first"
)
async def mine(request: Request, caller: Caller, limit: Limit = 100) -> Any:
    return await _notifications(request).read(caller, "/notifications", caller.user_id, limit)


@router.get(
    "/shops/{shop_id}/notifications",
    response_model=list[Notification],
    summary="The shop's notifications with delivery status (staff), optionally for one user",
)
async def shop_notifications(
    request: Request, caller: Caller, shop_id: UUID, user_id: UUID | None = None, limit: Limit = 100
) -> Any:
    _staff_of(caller, shop_id)
    return await _notifications(request).read(caller, "/notifications", user_id, limit)


@router.get(
    "/shops/{shop_id}/dev-sink",
    response_model=list[SinkRecord],
    summary="What the development sink recorded instead of sending (staff), oldest first",
)
async def dev_sink(
    request: Request, caller: Caller, shop_id: UUID, user_id: UUID | None = None, limit: Limit = 500
) -> Any:
    _staff_of(caller, shop_id)
    return await _notifications(request).read(caller, "/sink", user_id, limit)


@router.put(
    "/shops/{shop_id}/reminder-times",
    status_code=204,
    summary="When reminders go out, in the shop's local time (owner)",
)
async def set_reminder_times(
    request: Request, caller: Caller, shop_id: UUID, body: ReminderTimes
) -> Response:
    if caller.shop_id != shop_id or caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner sets its reminder times.")
    actor = c.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id)
    command = c.SetReminderTimes(shop_id=shop_id, actor=actor, **body.model_dump())
    await _notifications(request).run(caller, shop_id, command)
    return Response(status_code=204)


def _staff_of(caller: Any, shop_id: UUID) -> None:
    if caller.shop_id != shop_id or not caller.is_staff:
        raise ApiError(404, "shop_not_found", "No such shop.")
