"""Internal read API: notifications with their delivery status, and what the development
sink recorded. Always scoped by the shop the gateway passes in (and the user, for a
customer)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from ..projections import duty, recipients, store

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])
Limit = Annotated[int, Query(ge=1, le=500)]


class Notification(BaseModel):
    id: str
    user_id: UUID
    category: str
    critical: bool
    title: str
    body: str
    language: str
    data: dict[str, Any]
    status: str
    reason: str | None
    channel: str | None
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


@router.get("/notifications", response_model=list[Notification])
async def notifications(
    request: Request, shop_id: UUID, user_id: UUID | None = None, limit: Limit = 100
) -> Any:
    async with request.app.state.sessions() as session:
        return await store.notifications(session, shop_id, user_id, limit)


@router.get("/sink", response_model=list[SinkRecord])
async def sink(request: Request, shop_id: UUID, user_id: UUID | None = None, limit: Limit = 500) -> Any:
    async with request.app.state.sessions() as session:
        return await store.sink_records(session, shop_id, user_id, limit)


class OnDuty(BaseModel):
    staff_ids: list[UUID]
    answering: list[UUID]


@router.get("/on-duty", response_model=OnDuty)
async def on_duty(request: Request, shop_id: UUID) -> Any:
    async with request.app.state.sessions() as session:
        return {
            "staff_ids": await duty.on_duty(session, shop_id),
            "answering": await duty.who_answers(session, shop_id),
        }


class Device(BaseModel):
    device_id: UUID
    platform: str
    address: str


class Preferences(BaseModel):
    language: str | None
    phone: str | None
    channels: list[str]
    opted_out: list[str]
    quiet_start: time | None
    quiet_end: time | None
    timezone: str | None


@router.get("/users/{user_id}/devices", response_model=list[Device])
async def devices(request: Request, shop_id: UUID, user_id: UUID) -> Any:
    async with request.app.state.sessions() as session:
        return [asdict(d) for d in await recipients.devices(session, user_id)]


@router.get("/users/{user_id}/preferences", response_model=Preferences)
async def preferences(request: Request, shop_id: UUID, user_id: UUID) -> Any:
    async with request.app.state.sessions() as session:
        prefs = await recipients.preferences(session, user_id)
    return {**asdict(prefs), "channels": list(prefs.channels), "opted_out": sorted(prefs.opted_out)}
