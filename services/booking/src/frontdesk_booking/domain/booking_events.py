"""What happens to a booking: the events the Booking aggregate records (domain events;
the service translates them into booking.booking.*.v1 contracts, or .v2 when no staff
member serves the booking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from .chain import Part
from .placement import Placement


@dataclass(frozen=True)
class Proposal:
    placement: Placement
    note: str
    keep_if_declined: bool
    proposed_by: UUID
    proposed_at: datetime


@dataclass(frozen=True)
class BookingHeld:
    booking_id: UUID
    shop_id: UUID
    customer_id: UUID
    pet_id: UUID | None
    service_id: UUID
    placement: Placement
    hold_expires_at: datetime
    held_by: UUID
    source: Literal["customer", "staff", "waitlist"]
    at: datetime
    price_cents: int | None = None  # None in events stored before prices were recorded
    parts: tuple[Part, ...] = ()  # a booking of several services; () for one service
    customer_note: str = ""


@dataclass(frozen=True)
class BookingConfirmed:
    booking_id: UUID
    by: UUID
    at: datetime


@dataclass(frozen=True)
class HoldExpiredEvent:
    booking_id: UUID
    at: datetime


@dataclass(frozen=True)
class BookingCancelled:
    booking_id: UUID
    by: UUID
    by_role: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class BookingRescheduled:
    booking_id: UUID
    previous: Placement
    placement: Placement
    by: UUID
    by_role: str
    at: datetime
    price_cents: int | None = None
    parts: tuple[Part, ...] = ()  # where each service of a booking of several moved


@dataclass(frozen=True)
class ChangeProposed:
    booking_id: UUID
    proposal: Proposal
    at: datetime


@dataclass(frozen=True)
class ChangeAccepted:
    booking_id: UUID
    previous: Placement
    placement: Placement
    at: datetime


@dataclass(frozen=True)
class ChangeDeclined:
    booking_id: UUID
    cancelled: bool
    at: datetime


@dataclass(frozen=True)
class CheckedIn:
    booking_id: UUID
    by: UUID
    at: datetime


@dataclass(frozen=True)
class ServiceStarted:
    booking_id: UUID
    by: UUID
    at: datetime


@dataclass(frozen=True)
class ProgressPosted:
    booking_id: UUID
    update_id: UUID
    text: str
    photo_ref: str | None
    by: UUID
    at: datetime
    live_view_id: UUID | None = None


@dataclass(frozen=True)
class Completed:
    booking_id: UUID
    by: UUID
    at: datetime


@dataclass(frozen=True)
class MarkedNoShow:
    booking_id: UUID
    by: UUID
    at: datetime


@dataclass(frozen=True)
class StaffNoteAdded:
    """A note for the shop's eyes only; never part of what the customer sees."""

    booking_id: UUID
    note_id: UUID
    text: str
    by: UUID
    at: datetime


BookingEvent = (
    BookingHeld
    | BookingConfirmed
    | HoldExpiredEvent
    | BookingCancelled
    | BookingRescheduled
    | ChangeProposed
    | ChangeAccepted
    | ChangeDeclined
    | CheckedIn
    | ServiceStarted
    | ProgressPosted
    | Completed
    | MarkedNoShow
    | StaffNoteAdded
)
