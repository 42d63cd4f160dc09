"""Contracts of the notify service: its commands (keyed by shop id) and their replies."""

from __future__ import annotations

from datetime import date, datetime, time
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


@contract("notify.shop.set_on_duty.v1", topic=NOTIFY_COMMANDS, kind="command")
class SetOnDuty(Contract):
    """Who hears of a customer's message nobody is there to see (no assignee, nobody
    online): these staff members of the shop; none: its owners (owner only)."""

    shop_id: UUID
    staff_ids: list[UUID] = Field(max_length=50, description="The shop's staff on duty; empty: the owners")
    actor: Actor


@contract("notify.command.accepted.v1", topic=NOTIFY_REPLIES, kind="reply")
class CommandAccepted(Contract):
    command_id: UUID
    command_type: str
    aggregate_id: str
    duplicate: bool = Field(default=False, description="It had taken effect already (a redelivery).")


@contract("notify.command.rejected.v1", topic=NOTIFY_REPLIES, kind="reply")
class CommandRejected(Contract):
    command_id: UUID
    command_type: str
    aggregate_id: str
    code: str
    message: str


# Devices and preferences (keyed by the user id)


@contract("notify.device.register.v1", topic=NOTIFY_COMMANDS, kind="command")
class RegisterDevice(Contract):
    """Reach this user by push on this device (a token moves to whoever registers it last)."""

    device_id: UUID
    user_id: UUID
    platform: Literal["webpush", "fcm", "apns"]
    address: str = Field(description="FCM/APNs token, or the Web Push subscription as JSON")
    actor: Actor


@contract("notify.device.remove.v1", topic=NOTIFY_COMMANDS, kind="command")
class RemoveDevice(Contract):
    device_id: UUID
    user_id: UUID
    actor: Actor


@contract("notify.preferences.set.v1", topic=NOTIFY_COMMANDS, kind="command")
class SetPreferences(Contract):
    """How a user wants to be notified; replaces what was set before."""

    user_id: UUID
    language: Literal["zh-CN", "en"] | None = None
    phone: str | None = Field(default=None, description="E.164, for SMS")
    channels: list[Literal["push", "sms"]] = Field(default=["push", "sms"])
    opted_out: list[str] = Field(
        default_factory=list, description="booking, reminders, chat, marketing, or a single category"
    )
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str | None = None
    actor: Actor


@contract("notify.notification.mark_read.v1", topic=NOTIFY_COMMANDS, kind="command")
class MarkNotificationRead(Contract):
    """The user opened the notification: no fallback to another channel is needed."""

    notification_id: str
    user_id: UUID
    actor: Actor


class CampaignText(BaseModel):
    title: str
    body: str


@contract("notify.campaign.send.v1", topic=NOTIFY_COMMANDS, kind="command")
class SendCampaign(Contract):
    """Send a marketing message to a segment of the shop's customers (owner only).

    Opt-outs and the frequency cap always apply; each recipient's outcome is recorded."""

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
    send_at: datetime | None = Field(
        default=None, description="Send at this instant instead of now; it can be cancelled until then"
    )


@contract("notify.campaign.cancel.v1", topic=NOTIFY_COMMANDS, kind="command")
class CancelCampaign(Contract):
    """Cancel a scheduled campaign before it is sent (owner only); nobody will get it."""

    campaign_id: UUID
    shop_id: UUID
    actor: Actor


# Care cycles (keyed by the pet id)


class CareCycle(BaseModel):
    kind: Literal["bath", "deworming", "vaccine", "birthday"]
    every: int = Field(ge=1, le=120, description="How many `unit`s between two due dates")
    unit: Literal["day", "week", "month", "year"]
    since: date = Field(
        description="Last done (bath, deworming, vaccine) or the birth date; due dates count from it"
    )
    notice_days_before: int = Field(
        default=7, ge=0, le=60, description="The notice goes this many days ahead"
    )
    service_id: UUID | None = Field(default=None, description="What the notice's booking link books")


@contract("notify.care_cycles.set.v1", topic=NOTIFY_COMMANDS, kind="command")
class SetCareCycles(Contract):
    """Replace a pet's care cycles (staff of its shop). The gateway read the pet from the
    booking service in the caller's shop, so its customer and name are the shop's own."""

    pet_id: UUID
    shop_id: UUID
    customer_id: UUID
    pet_name: str
    cycles: list[CareCycle] = Field(description="At most one per kind; a kind left out stops")
    actor: Actor


# Account security (keyed by the user id)


@contract("notify.password_reset.send_code.v1", topic=NOTIFY_COMMANDS, kind="command")
class SendPasswordResetCode(Contract):
    """Deliver a one-time password reset code to the person it is for: by SMS to the phone
    notify knows for them, or to the development sink. Never by push nor into the in-app
    list, and its text is never shown in a notification listing. The actor is the account
    itself (nobody is signed in when a password is forgotten)."""

    reset_id: UUID = Field(description="Chosen by the gateway; sending the same id again changes nothing")
    shop_id: UUID
    user_id: UUID
    code: str = Field(description="The one-time code; the gateway keeps only its hash")
    expires_at: datetime = Field(description="Not delivered after this")
    actor: Actor
