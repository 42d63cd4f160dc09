"""Contracts of a shop's messaging settings: business hours, templates, staff capacity,
and staff presence (announced by the gateway)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .assistant import Mode
from .messaging import Actor
from .registry import Contract, contract
from .topics import MESSAGING_COMMANDS, MESSAGING_EVENTS, PRESENCE_EVENTS

Weekly = dict[str, list[list[str]]]
WEEKLY_HELP = 'weekday (0 = Monday) → [["09:00", "18:00"], ...] in the shop\'s timezone'


class ShopCommand(Contract):
    shop_id: UUID
    actor: Actor


class ShopEvent(Contract):
    shop_id: UUID


@contract("messaging.shop.set_business_hours.v1", topic=MESSAGING_COMMANDS, kind="command")
class SetBusinessHours(ShopCommand):
    """Opening hours, timezone and the automatic answer outside them."""

    timezone: str
    weekly: Weekly = Field(description=WEEKLY_HELP)
    auto_reply_text: str | None = None


@contract("messaging.shop.save_template.v1", topic=MESSAGING_COMMANDS, kind="command")
class SaveTemplate(ShopCommand):
    """Create or replace a quick-reply template; {customer_name} and {pet_name} are filled in."""

    template_id: UUID
    name: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=4000)


@contract("messaging.shop.delete_template.v1", topic=MESSAGING_COMMANDS, kind="command")
class DeleteTemplate(ShopCommand):
    """Remove a quick-reply template."""

    template_id: UUID


@contract("messaging.shop.set_staff_capacity.v1", topic=MESSAGING_COMMANDS, kind="command")
class SetStaffCapacity(ShopCommand):
    """How many open conversations the round-robin gives one staff member at most."""

    staff_id: UUID
    capacity: int = Field(ge=0, le=100)


@contract("messaging.shop.set_assistant.v1", topic=MESSAGING_COMMANDS, kind="command")
class SetAssistant(ShopCommand):
    """When the shop's assistant answers customers (sent by ai-assist when the owner sets
    it): while it is on, the out-of-hours answer goes only where it stays quiet."""

    mode: Mode


@contract("messaging.shop.business_hours_set.v1", topic=MESSAGING_EVENTS, kind="event")
class BusinessHoursSet(ShopEvent):
    """The shop's opening hours and out-of-hours answer."""

    timezone: str
    weekly: Weekly
    auto_reply_text: str | None
    set_by: UUID
    set_at: datetime


@contract("messaging.shop.template_saved.v1", topic=MESSAGING_EVENTS, kind="event")
class TemplateSaved(ShopEvent):
    """A quick-reply template was created or changed."""

    template_id: UUID
    name: str
    text: str
    saved_by: UUID
    saved_at: datetime


@contract("messaging.shop.template_deleted.v1", topic=MESSAGING_EVENTS, kind="event")
class TemplateDeleted(ShopEvent):
    """A quick-reply template was removed."""

    template_id: UUID
    deleted_by: UUID
    deleted_at: datetime


@contract("messaging.shop.staff_capacity_set.v1", topic=MESSAGING_EVENTS, kind="event")
class StaffCapacitySet(ShopEvent):
    """A staff member's limit of open conversations for automatic assignment."""

    staff_id: UUID
    capacity: int
    set_by: UUID
    set_at: datetime


@contract("messaging.shop.assistant_set.v1", topic=MESSAGING_EVENTS, kind="event")
class AssistantSet(ShopEvent):
    """The shop's assistant was turned on or off (or its mode changed)."""

    mode: Mode
    set_by: UUID
    set_at: datetime


CallPolicy = Literal["off", "always", "business_hours"]


@contract("messaging.shop.set_calls.v1", topic=MESSAGING_COMMANDS, kind="command")
class SetCalls(ShopCommand):
    """Whether customers and staff can call in the shop's conversations (owner), and how
    long a live view of a service may run."""

    policy: CallPolicy
    live_view_minutes: int = Field(default=30, ge=1, le=240)


@contract("messaging.shop.calls_set.v1", topic=MESSAGING_EVENTS, kind="event")
class CallsSet(ShopEvent):
    """The shop's call policy changed: off, always, or only in business hours."""

    policy: CallPolicy
    live_view_minutes: int
    set_by: UUID
    set_at: datetime


@contract("presence.staff.status_changed.v1", topic=PRESENCE_EVENTS, kind="event")
class StaffStatusChanged(ShopEvent):
    """A staff member went online, busy or offline (any of their devices)."""

    staff_id: UUID
    status: Literal["online", "busy", "offline"]
    changed_at: datetime
