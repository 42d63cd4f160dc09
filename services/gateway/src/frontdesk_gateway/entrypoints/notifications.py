"""The public notification API: what was sent to me and how it went, what the
development sink recorded, and when a shop's reminders go out."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response
from frontdesk_contracts import notify as c
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody, StoredText
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
    status: str = Field(
        description="queued, sent, delivered (the provider says it reached the phone), skipped (opted out, "
        "or the booking changed) or failed"
    )
    reason: str | None = Field(description="why it was skipped, deferred (quiet_hours) or failed")
    channel: str | None = Field(description="push, sms, push+sms (a fallback), or inbox (no device or phone)")
    provider: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None
    delivered_at: datetime | None = None


class SinkRecord(BaseModel):
    notification_id: str
    user_id: UUID
    platform: str
    title: str
    body: str
    data: dict[str, Any]
    recorded_at: datetime


class ReminderTimes(StoredBody):
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
    command = c.SetReminderTimes(shop_id=shop_id, actor=_actor(caller), **body.model_dump())
    await _notifications(request).run(caller, shop_id, command)
    return Response(status_code=204)


class OnDutyBody(StoredBody):
    staff_ids: list[UUID] = Field(
        max_length=50, description="Staff members of the shop on duty; empty: the owners answer"
    )


class OnDuty(OnDutyBody):
    answering: list[UUID] = Field(
        description="Who is pushed now for a message nobody would see: the active staff on duty, else the owners"
    )


@router.get(
    "/shops/{shop_id}/on-duty",
    response_model=OnDuty,
    summary="Who hears of a customer's message when nobody is assigned or online (staff)",
)
async def on_duty(request: Request, caller: Caller, shop_id: UUID) -> Any:
    _staff_of(caller, shop_id)
    return await _notifications(request).get(caller, "/on-duty")


@router.put(
    "/shops/{shop_id}/on-duty",
    response_model=OnDuty,
    summary="Choose who is on duty: pushed for a customer's message nobody would see (owner)",
)
async def set_on_duty(request: Request, caller: Caller, shop_id: UUID, body: OnDutyBody) -> Any:
    if caller.shop_id != shop_id or caller.role != "owner":
        raise ApiError(403, "forbidden", "Only the shop's owner chooses who is on duty.")
    command = c.SetOnDuty(shop_id=shop_id, staff_ids=body.staff_ids, actor=_actor(caller))
    await _notifications(request).run(caller, shop_id, command)
    return await _notifications(request).get(caller, "/on-duty")


def _staff_of(caller: Any, shop_id: UUID) -> None:
    if caller.shop_id != shop_id or not caller.is_staff:
        raise ApiError(404, "shop_not_found", "No such shop.")


class DeviceBody(StoredBody):
    platform: Literal["webpush", "fcm", "apns"]
    address: str = Field(
        min_length=1, max_length=4096, description="FCM/APNs token, or the Web Push subscription JSON"
    )


class Device(DeviceBody):
    device_id: UUID


Channel = Literal["push", "sms"]
CHANNELS: tuple[Channel, ...] = ("push", "sms")


class PreferencesBody(StoredBody):
    language: Literal["zh-CN", "en"] | None = None
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, for SMS")
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS))
    opted_out: list[str] = Field(
        default=[], description="booking, reminders, chat, marketing, or one category"
    )
    quiet_start: time | None = Field(default=None, description="Local time quiet hours start, e.g. 22:00")
    quiet_end: time | None = Field(default=None, description="Local time they end, e.g. 08:00")
    timezone: str | None = Field(default=None, description="IANA zone for quiet hours; the shop's by default")


@router.post("/devices", status_code=201, response_model=Device, summary="Reach me by push on this device")
async def register_device(request: Request, caller: Caller, body: DeviceBody) -> Any:
    device_id = uuid4()
    command = c.RegisterDevice(
        device_id=device_id, user_id=caller.user_id, actor=_actor(caller), **body.model_dump()
    )
    await _notifications(request).run(caller, caller.user_id, command)
    return {"device_id": device_id, **body.model_dump()}


@router.get("/devices", response_model=list[Device], summary="My devices")
async def my_devices(request: Request, caller: Caller) -> Any:
    return await _notifications(request).get(caller, f"/users/{caller.user_id}/devices")


@router.delete("/devices/{device_id}", status_code=204, summary="Stop pushing to this device")
async def remove_device(request: Request, caller: Caller, device_id: UUID) -> Response:
    command = c.RemoveDevice(device_id=device_id, user_id=caller.user_id, actor=_actor(caller))
    await _notifications(request).run(caller, caller.user_id, command)
    return Response(status_code=204)


@router.get("/me/notification-preferences", response_model=PreferencesBody, summary="How I am notified")
async def my_preferences(request: Request, caller: Caller) -> Any:
    return await _notifications(request).get(caller, f"/users/{caller.user_id}/preferences")


@router.put("/me/notification-preferences", response_model=PreferencesBody, summary="Set how I am notified")
async def set_my_preferences(request: Request, caller: Caller, body: PreferencesBody) -> Any:
    command = c.SetPreferences(user_id=caller.user_id, actor=_actor(caller), **body.model_dump())
    await _notifications(request).run(caller, caller.user_id, command)
    return body


@router.post(
    "/notifications/{notification_id}/read", status_code=204, summary="I have seen this notification"
)
async def mark_read(request: Request, caller: Caller, notification_id: StoredText) -> Response:
    command = c.MarkNotificationRead(
        notification_id=notification_id, user_id=caller.user_id, actor=_actor(caller)
    )
    await _notifications(request).run(caller, caller.user_id, command)
    return Response(status_code=204)


def _actor(caller: Any) -> c.Actor:
    return c.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id)


@router.post(
    "/providers/twilio/status",
    status_code=204,
    summary="Twilio's SMS delivery reports (no token: notify checks X-Twilio-Signature)",
    include_in_schema=True,
)
async def twilio_status(request: Request) -> Response:
    status = await _notifications(request).forward_receipt(
        await request.body(),
        request.headers.get("content-type", ""),
        request.headers.get("x-twilio-signature", ""),
    )
    if status == 403:
        raise ApiError(403, "bad_signature", "The report is not signed by Twilio.")
    if status == 404:
        raise ApiError(404, "not_configured", "Twilio delivery reports are not configured.")
    return Response(status_code=204)
