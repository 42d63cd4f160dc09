"""Contracts of the notify service: its commands (keyed by shop id) and their replies."""

from __future__ import annotations

from datetime import time
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from .registry import Contract, contract
from .topics import NOTIFY_COMMANDS, NOTIFY_REPLIES


class Actor(BaseModel):
    user_id: UUID
    role: Literal["owner", "staff", "customer"]
    shop_id: UUID


@contract("notify.shop.set_reminder_times.v1", topic=NOTIFY_COMMANDS, kind="command")
class SetReminderTimes(Contract):
    """When the shop's customers are reminded, in the shop's local time: the day before
    the booking at day_before_at, and on its morning at morning_at (owner only)."""

    shop_id: UUID
    day_before_at: time = Field(description="Local wall-clock time the day before, e.g. 18:00")
    morning_at: time = Field(description="Local wall-clock time on the day, e.g. 08:00")
    actor: Actor


@contract("notify.command.accepted.v1", topic=NOTIFY_REPLIES, kind="reply")
class CommandAccepted(Contract):
    command_id: UUID
    command_type: str
    aggregate_id: str


@contract("notify.command.rejected.v1", topic=NOTIFY_REPLIES, kind="reply")
class CommandRejected(Contract):
    command_id: UUID
    command_type: str
    aggregate_id: str
    code: str
    message: str


class CampaignText(BaseModel):
    title: str
    body: str


@contract("notify.campaign.send.v1", topic=NOTIFY_COMMANDS, kind="command")
class SendCampaign(Contract):
    """Send a marketing message to a segment of the shop's customers (owner only); opt-outs
    and the frequency cap always apply, and each recipient's outcome is recorded."""

    campaign_id: UUID = Field(description="Chosen by the sender; sending the same id again changes nothing")
    shop_id: UUID
    name: str
    segment: dict[str, Any] = Field(
        description='Who: {"kind": "new", "days": 30}, {"kind": "frequent", "min_bookings": 3, "days": 90}, '
        '{"kind": "dormant", "days": 60}, {"kind": "label", "label": "VIP"} or '
        '{"kind": "pet_type", "species": "dog"}'
    )
    title: str
    body: str
    variants: dict[str, CampaignText] = Field(
        default_factory=dict, description="Texts per language (zh-CN, en); the default text otherwise"
    )
    category: Literal["marketing"] = "marketing"
    actor: Actor
