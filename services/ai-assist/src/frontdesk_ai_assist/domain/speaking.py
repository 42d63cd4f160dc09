"""When the assistant answers a customer's message, and when it stays quiet.

A shop chooses a mode: `off`, `always`, `outside_hours` (only while the shop is closed,
by the business hours it set in messaging; a shop with no hours is never closed), or
`no_staff_reply` (when no staff member has answered within `reply_after` of the
message: the message is looked at again when that time has passed).

Whatever the mode, it never talks over a person: it stays quiet while the conversation
is handed off (until it is resolved or unassigned), while a staff member assigned it
by hand (the same), and for `staff_quiet` after a staff member last wrote in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .shop import Hours

Mode = Literal["off", "always", "outside_hours", "no_staff_reply"]
Quiet = Literal[
    "off", "handed_off", "assigned", "staff_active", "staff_replied", "shop_open", "resolved", "recalled"
]


@dataclass(frozen=True)
class AssistantSettings:
    mode: Mode = "off"
    reply_after: timedelta = timedelta(minutes=5)
    staff_quiet: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class ConversationState:
    """What the assistant knows of the conversation's handling when a message is due.

    `released_at` is when it last came back from a person (resolved or unassigned);
    a handoff or a hand assignment before that no longer counts."""

    handed_off_at: datetime | None = None
    assigned_by_person_at: datetime | None = None
    released_at: datetime | None = None
    last_staff_at: datetime | None = None


def due_at(settings: AssistantSettings, sent_at: datetime) -> datetime:
    """When a customer's message is looked at: at once, or once staff had their chance."""
    if settings.mode == "no_staff_reply":
        return sent_at + settings.reply_after
    return sent_at


def quiet_reason(
    settings: AssistantSettings,
    state: ConversationState,
    sent_at: datetime,
    now: datetime,
    hours: Hours,
    timezone: str,
) -> Quiet | None:
    """None: answer the message sent at `sent_at`; otherwise why not."""
    if settings.mode == "off":
        return "off"
    if _since_release(state.handed_off_at, state.released_at):
        return "handed_off"
    if _since_release(state.assigned_by_person_at, state.released_at):
        return "assigned"
    if state.last_staff_at is not None:
        if state.last_staff_at >= sent_at:
            return "staff_replied"
        if now - state.last_staff_at < settings.staff_quiet:
            return "staff_active"
    if settings.mode == "outside_hours" and not is_closed(hours, timezone, sent_at):
        return "shop_open"
    return None


def is_closed(hours: Hours, timezone: str, at: datetime) -> bool:
    """Closed at that instant by the weekly hours; a shop that set none is never closed."""
    if not hours:
        return False
    local = at.astimezone(ZoneInfo(timezone))
    spans = hours.get(local.weekday(), ())
    return not any(start <= local.time() < end for start, end in spans)


def _since_release(at: datetime | None, released_at: datetime | None) -> bool:
    return at is not None and (released_at is None or at > released_at)
