"""A shop's messaging settings: business hours and the out-of-hours answer, quick-reply
templates, how many open conversations each staff member takes at once, and whether the
shop's assistant answers customers (so the out-of-hours answer is not sent on top)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .hours import Weekly, is_open, local_day, parse_weekly
from .model import MAX_TEXT_LENGTH, Conversation, InvalidMessage

DEFAULT_CAPACITY = 5
CALL_POLICIES = ("off", "always", "business_hours")
_VARIABLE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class BusinessHoursSet:
    shop_id: UUID
    timezone: str
    weekly: dict[str, list[list[str]]]
    auto_reply_text: str | None
    set_by: UUID
    set_at: datetime


@dataclass(frozen=True)
class TemplateSaved:
    shop_id: UUID
    template_id: UUID
    name: str
    text: str
    saved_by: UUID
    saved_at: datetime


@dataclass(frozen=True)
class TemplateDeleted:
    shop_id: UUID
    template_id: UUID
    deleted_by: UUID
    deleted_at: datetime


@dataclass(frozen=True)
class StaffCapacitySet:
    shop_id: UUID
    staff_id: UUID
    capacity: int
    set_by: UUID
    set_at: datetime


@dataclass(frozen=True)
class AssistantSet:
    shop_id: UUID
    mode: str
    set_by: UUID
    set_at: datetime


@dataclass(frozen=True)
class CallsSet:
    shop_id: UUID
    policy: str
    live_view_minutes: int
    set_by: UUID
    set_at: datetime


ShopEvent = BusinessHoursSet | TemplateSaved | TemplateDeleted | StaffCapacitySet | AssistantSet | CallsSet


@dataclass
class ShopSettings:
    shop_id: UUID
    timezone: str = "UTC"
    weekly: Weekly = field(default_factory=dict)
    weekly_raw: dict[str, list[list[str]]] = field(default_factory=dict)
    auto_reply_text: str | None = None
    templates: dict[UUID, tuple[str, str]] = field(default_factory=dict)
    capacity: dict[UUID, int] = field(default_factory=dict)
    assistant_mode: str = "off"
    version: int = 0
    pending: list[ShopEvent] = field(default_factory=list)

    def set_hours(
        self,
        by: UUID,
        timezone: str,
        weekly: dict[str, list[list[str]]],
        auto_reply: str | None,
        at: datetime,
    ) -> None:
        try:
            ZoneInfo(timezone)
            parse_weekly(weekly)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidMessage(f"invalid business hours: {exc}") from exc
        if auto_reply is not None and len(auto_reply) > MAX_TEXT_LENGTH:
            raise InvalidMessage("the out-of-hours answer is too long")
        self._record(BusinessHoursSet(self.shop_id, timezone, weekly, auto_reply, by, at))

    def save_template(self, by: UUID, template_id: UUID, name: str, text: str, at: datetime) -> None:
        if not name.strip() or not text.strip() or len(text) > MAX_TEXT_LENGTH:
            raise InvalidMessage("a template needs a name and a text of at most 4000 characters")
        self._record(TemplateSaved(self.shop_id, template_id, name.strip(), text, by, at))

    def delete_template(self, by: UUID, template_id: UUID, at: datetime) -> None:
        if template_id not in self.templates:
            raise InvalidMessage("no such template")
        self._record(TemplateDeleted(self.shop_id, template_id, by, at))

    def set_capacity(self, by: UUID, staff_id: UUID, capacity: int, at: datetime) -> None:
        if not 0 <= capacity <= 100:
            raise InvalidMessage("capacity is 0 to 100 open conversations")
        self._record(StaffCapacitySet(self.shop_id, staff_id, capacity, by, at))

    def set_assistant(self, by: UUID, mode: str, at: datetime) -> None:
        if mode != self.assistant_mode:
            self._record(AssistantSet(self.shop_id, mode, by, at))

    def set_calls(self, by: UUID, policy: str, live_view_minutes: int, at: datetime) -> None:
        if policy not in CALL_POLICIES or not 1 <= live_view_minutes <= 240:
            raise InvalidMessage("calls are off, always or business_hours; a live view runs 1 to 240 minutes")
        self._record(CallsSet(self.shop_id, policy, live_view_minutes, by, at))

    def assistant_answers(self, conversation: Conversation, text: str) -> bool:
        """Whether the shop's assistant answers this customer message itself; then the
        out-of-hours answer is not sent too. Every mode but `off` answers a closed shop's
        customers (`no_staff_reply` after its wait, when nobody is there to reply). It
        leaves a message with no text to staff, and stays quiet where a person has the
        conversation (ai-assist's rule, which that part of mirrors): there the
        out-of-hours answer still tells the customer when the shop opens."""
        return self.assistant_mode != "off" and bool(text.strip()) and not conversation.with_person

    def out_of_hours(self, at: datetime) -> tuple[str, str] | None:
        """(local day, answer) when the shop is closed and has an answer set, else None."""
        if not self.weekly_raw or not self.auto_reply_text or is_open(self.weekly, self.timezone, at):
            return None
        return local_day(self.timezone, at), self.auto_reply_text

    def capacity_of(self, staff_id: UUID) -> int:
        return self.capacity.get(staff_id, DEFAULT_CAPACITY)

    def apply(self, event: ShopEvent) -> None:
        match event:
            case BusinessHoursSet():
                self.timezone, self.weekly_raw = event.timezone, event.weekly
                self.weekly = parse_weekly(event.weekly)
                self.auto_reply_text = event.auto_reply_text
            case TemplateSaved():
                self.templates[event.template_id] = (event.name, event.text)
            case TemplateDeleted():
                self.templates.pop(event.template_id, None)
            case StaffCapacitySet():
                self.capacity[event.staff_id] = event.capacity
            case AssistantSet():
                self.assistant_mode = event.mode
            case CallsSet():
                pass  # read from its projection when a call starts
        self.version += 1

    def _record(self, event: ShopEvent) -> None:
        self.apply(event)
        self.pending.append(event)


def render(text: str, values: dict[str, Any]) -> str:
    """Fill {variables}; unknown ones stay visible so staff notice before sending."""
    return _VARIABLE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
