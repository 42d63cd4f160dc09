"""Contracts of the booking service: shop setup, bookings, waitlist, pets; their replies.

Commands travel on booking.commands keyed by the aggregate they change (shop id for
setup, booking id, waitlist entry id, pet id). Every booking event carries the whole
booking as it is after the event, so a subscriber (notify's reminders, messaging's
timeline) never has to rebuild it. All times are UTC.

Bookings without a staff member (self-service stations, boarding) are published as the
.v2 twins of the booking events, defined in booking_v2 (docs/adr/0003).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from .registry import Contract, contract
from .topics import BOOKING_COMMANDS, BOOKING_EVENTS, BOOKING_REPLIES

Role = Literal["owner", "staff", "customer"]
BookingStatus = Literal[
    "held", "confirmed", "checked_in", "in_service", "completed", "cancelled", "no_show", "expired"
]


class Actor(BaseModel):
    """Who asked: the gateway fills this from the caller's verified token."""

    user_id: UUID
    role: Role
    shop_id: UUID


class Policy(BaseModel):
    hold_minutes: int = 10
    cancel_cutoff_hours: int = 2
    reschedule_cutoff_hours: int = 2
    max_days_ahead: int = 60
    waitlist_hold_minutes: int = 30
    slot_step_minutes: int = 15


class ServiceTerms(BaseModel):
    """A service of the catalog; price_cents is per night for nightly services."""

    service_id: UUID
    name: str
    duration_minutes: int
    buffer_minutes: int = 0
    price_cents: int = 0
    currency: str = "CNY"
    skill: str | None = None
    resource_types: list[str] = Field(default_factory=list)
    active: bool = True


class WeeklyPeriod(BaseModel):
    """Local wall-clock time in the shop's timezone; weekday 0 is Monday."""

    weekday: int = Field(ge=0, le=6)
    start: time
    end: time


class ServiceSchedule(BaseModel):
    """How a service that needs no staff member is scheduled (absent: staff's hours, as
    before). A timed one starts in its own weekly `hours`; a nightly one (boarding) is
    booked per night, from `check_in` on the first date to `check_out` on the date after
    the last night. Both are local wall-clock times, and both need a resource type."""

    needs_staff: bool = True
    hours: list[WeeklyPeriod] = Field(default_factory=list)
    per_night: bool = False
    check_in: time | None = None
    check_out: time | None = None


class StaffTerms(BaseModel):
    staff_id: UUID
    name: str
    skills: list[str] = Field(default_factory=list)
    hours: list[WeeklyPeriod] = Field(default_factory=list)
    breaks: list[WeeklyPeriod] = Field(default_factory=list)
    active: bool = True


class ResourceTerms(BaseModel):
    resource_id: UUID
    name: str
    type: str
    capacity: int = 1
    active: bool = True


class Slot(BaseModel):
    """A bookable time: who does it and which resource units it takes."""

    starts_at: datetime
    ends_at: datetime
    occupied_until: datetime
    staff_id: UUID
    resource_units: list[UUID] = Field(default_factory=list)


class ServiceChoice(BaseModel):
    """One service of a booking of several, in the order they are done (optionally by whom)."""

    service_id: UUID
    staff_id: UUID | None = None


class PetProfile(BaseModel):
    kind: Literal["pet", "child"] = "pet"
    name: str
    species: str = ""
    breed: str = ""
    birth_date: date | None = None
    allergies: list[str] = Field(default_factory=list)
    temperament: str = ""
    notes: str = ""


# Commands: shop setup (keyed by shop id)


@contract("booking.shop.configure.v1", topic=BOOKING_COMMANDS, kind="command")
class ConfigureShop(Contract):
    """Set the shop's timezone and booking policy (owner)."""

    shop_id: UUID
    timezone: str
    policy: Policy
    actor: Actor
    # Beside the policy, not in it: a nested model never changes (snapshots.py).
    check_in_window_minutes: int = Field(
        default=60, description="Check-in (then start, complete) opens this long before a booking starts"
    )


@contract("booking.service.define.v1", topic=BOOKING_COMMANDS, kind="command")
class DefineService(Contract):
    """Add or change a service of the catalog (owner)."""

    shop_id: UUID
    service: ServiceTerms
    schedule: ServiceSchedule | None = None
    actor: Actor


@contract("booking.staff.set_profile.v1", topic=BOOKING_COMMANDS, kind="command")
class SetStaffProfile(Contract):
    """Set a staff member's skills, weekly hours and breaks (owner or that staff member)."""

    shop_id: UUID
    profile: StaffTerms
    actor: Actor


@contract("booking.staff.add_time_off.v1", topic=BOOKING_COMMANDS, kind="command")
class AddTimeOff(Contract):
    """Take a staff member off work between two instants."""

    shop_id: UUID
    staff_id: UUID
    time_off_id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str = ""
    actor: Actor


@contract("booking.staff.remove_time_off.v1", topic=BOOKING_COMMANDS, kind="command")
class RemoveTimeOff(Contract):
    """Withdraw a time off."""

    shop_id: UUID
    staff_id: UUID
    time_off_id: UUID
    actor: Actor


@contract("booking.resource.define.v1", topic=BOOKING_COMMANDS, kind="command")
class DefineResource(Contract):
    """Add or change a resource (bath stations, kennels) and its capacity (owner)."""

    shop_id: UUID
    resource: ResourceTerms
    actor: Actor


# Commands: bookings (keyed by booking id)


@contract("booking.booking.hold.v1", topic=BOOKING_COMMANDS, kind="command")
class HoldBooking(Contract):
    """Hold a slot for a customer; it expires unless confirmed in time.

    A nightly service (boarding) needs `nights`; starts_at is then the check-in time of
    the first night. Other services refuse `nights`."""

    booking_id: UUID
    shop_id: UUID
    customer_id: UUID
    service_id: UUID
    starts_at: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    nights: int | None = None
    actor: Actor
    services: list[ServiceChoice] = Field(
        default_factory=list,
        description="A booking of several services done one after the other (2 to 5, in "
        "order; service_id and staff_id are then the first one's); empty: one service",
    )
    customer_note: str = Field(default="", description="The customer's note for the shop")


class BookingStep(Contract):
    booking_id: UUID
    actor: Actor


@contract("booking.booking.confirm.v1", topic=BOOKING_COMMANDS, kind="command")
class ConfirmBooking(BookingStep):
    """Confirm a held booking before its hold expires."""


@contract("booking.booking.cancel.v1", topic=BOOKING_COMMANDS, kind="command")
class CancelBooking(BookingStep):
    """Cancel: customers within the cancel cutoff, the shop at any time."""

    reason: str = ""


@contract("booking.booking.reschedule.v1", topic=BOOKING_COMMANDS, kind="command")
class RescheduleBooking(BookingStep):
    """Move a booking (same id): customers within the reschedule cutoff, the shop at any time.

    A stay (boarding) may also change its number of nights (absent: the same nights)."""

    starts_at: datetime
    staff_id: UUID | None = None
    nights: int | None = None


@contract("booking.booking.propose_change.v1", topic=BOOKING_COMMANDS, kind="command")
class ProposeChange(BookingStep):
    """The shop proposes a new time; the proposed slot is reserved until answered."""

    starts_at: datetime
    staff_id: UUID | None = None
    note: str = ""
    keep_if_declined: bool = False


@contract("booking.booking.accept_change.v1", topic=BOOKING_COMMANDS, kind="command")
class AcceptChange(BookingStep):
    """The customer accepts the proposed change: the booking moves."""


@contract("booking.booking.decline_change.v1", topic=BOOKING_COMMANDS, kind="command")
class DeclineChange(BookingStep):
    """The customer declines: cancelled, or kept if the shop allowed that."""


@contract("booking.booking.check_in.v1", topic=BOOKING_COMMANDS, kind="command")
class CheckIn(BookingStep):
    """The customer arrived (staff)."""


@contract("booking.booking.start_service.v1", topic=BOOKING_COMMANDS, kind="command")
class StartService(BookingStep):
    """Work has begun (staff)."""


@contract("booking.booking.post_progress.v1", topic=BOOKING_COMMANDS, kind="command")
class PostProgress(BookingStep):
    """A progress update with optional photo reference (staff)."""

    update_id: UUID
    text: str = ""
    photo_ref: str | None = None
    live_view_id: UUID | None = Field(
        default=None, description="A live view of the service to join (a call id)."
    )


@contract("booking.booking.complete.v1", topic=BOOKING_COMMANDS, kind="command")
class CompleteBooking(BookingStep):
    """The service is done (staff)."""


@contract("booking.booking.mark_no_show.v1", topic=BOOKING_COMMANDS, kind="command")
class MarkNoShow(BookingStep):
    """The customer did not come (staff, after the start time)."""


@contract("booking.booking.add_staff_note.v1", topic=BOOKING_COMMANDS, kind="command")
class AddStaffNote(BookingStep):
    """A note for the shop's eyes only ("上次掉毛严重"); the customer never sees it (staff)."""

    note_id: UUID
    text: str


# Commands: waitlist and pets


@contract("booking.waitlist.join.v1", topic=BOOKING_COMMANDS, kind="command")
class JoinWaitlist(Contract):
    """Wait for a full time; a hold is offered automatically when it frees."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    service_id: UUID
    starts_at: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    actor: Actor


@contract("booking.waitlist.leave.v1", topic=BOOKING_COMMANDS, kind="command")
class LeaveWaitlist(Contract):
    """Stop waiting."""

    entry_id: UUID
    actor: Actor


@contract("booking.pet.register.v1", topic=BOOKING_COMMANDS, kind="command")
class RegisterPet(Contract):
    """Register a customer's pet or child (the customer, or the shop's staff)."""

    pet_id: UUID
    shop_id: UUID
    customer_id: UUID
    profile: PetProfile
    actor: Actor


@contract("booking.pet.update.v1", topic=BOOKING_COMMANDS, kind="command")
class UpdatePet(Contract):
    """Replace a pet's or child's profile."""

    pet_id: UUID
    profile: PetProfile
    actor: Actor


# Events


@contract("booking.shop.configured.v1", topic=BOOKING_EVENTS, kind="event")
class ShopConfigured(Contract):
    """The shop's timezone or booking policy changed."""

    shop_id: UUID
    timezone: str
    policy: Policy
    at: datetime
    check_in_window_minutes: int = Field(
        default=60, description="Check-in (then start, complete) opens this long before a booking starts"
    )


@contract("booking.service.defined.v1", topic=BOOKING_EVENTS, kind="event")
class ServiceDefined(Contract):
    """A service was added to the catalog or changed."""

    shop_id: UUID
    service: ServiceTerms
    schedule: ServiceSchedule | None = None
    at: datetime


@contract("booking.staff.profile_set.v1", topic=BOOKING_EVENTS, kind="event")
class StaffProfileSet(Contract):
    """A staff member's skills, hours or breaks changed."""

    shop_id: UUID
    profile: StaffTerms
    at: datetime


@contract("booking.staff.time_off_added.v1", topic=BOOKING_EVENTS, kind="event")
class TimeOffAdded(Contract):
    """A staff member is off work between two instants."""

    shop_id: UUID
    staff_id: UUID
    time_off_id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str = ""
    at: datetime


@contract("booking.staff.time_off_removed.v1", topic=BOOKING_EVENTS, kind="event")
class TimeOffRemoved(Contract):
    """A time off was withdrawn."""

    shop_id: UUID
    staff_id: UUID
    time_off_id: UUID
    at: datetime


@contract("booking.resource.defined.v1", topic=BOOKING_EVENTS, kind="event")
class ResourceDefined(Contract):
    """A resource was added or changed."""

    shop_id: UUID
    resource: ResourceTerms
    at: datetime


class BookingEvent(Contract):
    """The booking as it is after the event. A stay (boarding) has `nights` and runs from
    check-in (starts_at) to check-out (ends_at); price_cents is what the booking costs."""

    booking_id: UUID
    shop_id: UUID
    customer_id: UUID
    pet_id: UUID | None = None
    service_id: UUID
    status: BookingStatus
    starts_at: datetime
    ends_at: datetime
    staff_id: UUID
    resource_units: list[UUID] = Field(default_factory=list)
    hold_expires_at: datetime | None = None
    at: datetime
    nights: int | None = None
    price_cents: int | None = None
    customer_note: str = ""


@contract("booking.booking.held.v1", topic=BOOKING_EVENTS, kind="event")
class BookingHeld(BookingEvent):
    """A slot is held for a customer until hold_expires_at."""

    source: Literal["customer", "staff", "waitlist"] = "customer"


@contract("booking.booking.confirmed.v1", topic=BOOKING_EVENTS, kind="event")
class BookingConfirmed(BookingEvent):
    """The customer (or the shop) confirmed the booking."""


@contract("booking.booking.expired.v1", topic=BOOKING_EVENTS, kind="event")
class BookingExpired(BookingEvent):
    """A hold ran out without confirmation; its slot is free again."""


@contract("booking.booking.cancelled.v1", topic=BOOKING_EVENTS, kind="event")
class BookingCancelled(BookingEvent):
    """The booking was cancelled (by the customer, the shop, or a declined change)."""

    cancelled_by: UUID | None = None
    cancelled_by_role: str = ""
    reason: str = ""


@contract("booking.booking.rescheduled.v1", topic=BOOKING_EVENTS, kind="event")
class BookingRescheduled(BookingEvent):
    """The booking moved (same booking id); previous_* is where it was."""

    previous_starts_at: datetime
    previous_ends_at: datetime
    previous_staff_id: UUID
    by_role: str = ""


@contract("booking.booking.change_proposed.v1", topic=BOOKING_EVENTS, kind="event")
class ChangeProposed(BookingEvent):
    """The shop proposed a new time; the customer accepts or declines."""

    proposed: Slot
    note: str = ""
    keep_if_declined: bool = False


@contract("booking.booking.change_accepted.v1", topic=BOOKING_EVENTS, kind="event")
class ChangeAccepted(BookingEvent):
    """The customer accepted the shop's proposal; the booking moved."""

    previous_starts_at: datetime
    previous_ends_at: datetime
    previous_staff_id: UUID


@contract("booking.booking.change_declined.v1", topic=BOOKING_EVENTS, kind="event")
class ChangeDeclined(BookingEvent):
    """The customer declined the shop's proposal (status tells whether it was cancelled)."""


@contract("booking.booking.checked_in.v1", topic=BOOKING_EVENTS, kind="event")
class CheckedIn(BookingEvent):
    """The customer arrived."""


@contract("booking.booking.service_started.v1", topic=BOOKING_EVENTS, kind="event")
class ServiceStarted(BookingEvent):
    """Work on the booking began."""


@contract("booking.booking.progress_posted.v1", topic=BOOKING_EVENTS, kind="event")
class ProgressPosted(BookingEvent):
    """A progress update for the customer ("已经开始洗澡了", a photo when done)."""

    update_id: UUID
    text: str = ""
    photo_ref: str | None = None
    posted_by: UUID
    live_view_id: UUID | None = Field(
        default=None, description="A live view of the service to join (a call id)."
    )


@contract("booking.booking.completed.v1", topic=BOOKING_EVENTS, kind="event")
class BookingCompleted(BookingEvent):
    """The service was done."""


@contract("booking.booking.no_show.v1", topic=BOOKING_EVENTS, kind="event")
class BookingNoShow(BookingEvent):
    """The customer did not come."""


@contract("booking.staff_note.added.v1", topic=BOOKING_EVENTS, kind="event")
class StaffNoteAdded(Contract):
    """A staff member wrote a note on a booking. For the shop's eyes only: never show or
    forward it to the customer (it is not a booking.booking.* event for that reason)."""

    booking_id: UUID
    shop_id: UUID
    note_id: UUID
    text: str
    written_by: UUID
    at: datetime


@contract("booking.waitlist.joined.v1", topic=BOOKING_EVENTS, kind="event")
class WaitlistJoined(Contract):
    """A customer waits for a full time."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    service_id: UUID
    starts_at: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    at: datetime


@contract("booking.waitlist.offered.v1", topic=BOOKING_EVENTS, kind="event")
class WaitlistOffered(Contract):
    """The time freed up: a hold (booking_id) was placed for the waiting customer. It is
    theirs if they confirm that booking by hold_expires_at; cancelling it declines."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    booking_id: UUID
    at: datetime
    service_id: UUID | None = None
    service_name: str | None = None
    starts_at: datetime | None = None
    hold_expires_at: datetime | None = None
    timezone: str | None = Field(default=None, description="The shop's IANA timezone, for telling the time")


@contract("booking.waitlist.declined.v1", topic=BOOKING_EVENTS, kind="event")
class WaitlistDeclined(Contract):
    """The customer (or the shop) cancelled the hold offered from the waitlist: the time
    goes to the next in line."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    booking_id: UUID
    at: datetime


@contract("booking.waitlist.expired.v1", topic=BOOKING_EVENTS, kind="event")
class WaitlistExpired(Contract):
    """The hold offered from the waitlist was not confirmed in time: the time goes to the
    next in line."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    booking_id: UUID
    at: datetime


@contract("booking.waitlist.booked.v1", topic=BOOKING_EVENTS, kind="event")
class WaitlistBooked(Contract):
    """The hold offered from the waitlist (booking_id) was confirmed: the entry is taken."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    booking_id: UUID
    at: datetime


@contract("booking.waitlist.left.v1", topic=BOOKING_EVENTS, kind="event")
class WaitlistLeft(Contract):
    """The customer stopped waiting."""

    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    at: datetime


@contract("booking.pet.registered.v1", topic=BOOKING_EVENTS, kind="event")
class PetRegistered(Contract):
    """A customer's pet or child was registered."""

    pet_id: UUID
    shop_id: UUID
    customer_id: UUID
    profile: PetProfile
    at: datetime


@contract("booking.pet.updated.v1", topic=BOOKING_EVENTS, kind="event")
class PetUpdated(Contract):
    """A pet's or child's profile changed."""

    pet_id: UUID
    shop_id: UUID
    customer_id: UUID
    profile: PetProfile
    at: datetime


# Replies


class BookingView(BaseModel):
    """A booking as booking's read API shows it (GET .../bookings/{id}), as of a verdict."""

    id: UUID
    shop_id: UUID
    customer_id: UUID
    pet_id: UUID | None
    service_id: UUID
    staff_id: UUID | None
    resource_units: list[UUID]
    starts_at: datetime
    ends_at: datetime
    nights: int | None
    price_cents: int | None
    status: BookingStatus
    hold_expires_at: datetime | None
    source: str
    proposal: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    version: int
    updates: list[dict[str, Any]] = Field(default_factory=list)
    services: list[dict[str, Any]] | None = None  # a booking of several services, in order
    customer_note: str | None = None
    staff_notes: list[dict[str, Any]] | None = None  # never in a verdict: the shop reads them back


@contract("booking.command.accepted.v1", topic=BOOKING_REPLIES, kind="reply")
class CommandAccepted(Contract):
    """Reply to a command that took effect (or had already: duplicate=true)."""

    command_id: UUID
    command_type: str
    aggregate_id: str
    duplicate: bool = False
    booking: BookingView | None = Field(
        default=None,
        description="The booking as it is after the command (hold, confirm and the other steps "
        "before the day of service), so the sender need not read it back; absent otherwise.",
    )


@contract("booking.command.rejected.v1", topic=BOOKING_REPLIES, kind="reply")
class CommandRejected(Contract):
    """Reply to a refused command; nothing changed. slot_taken offers alternatives."""

    command_id: UUID
    command_type: str
    aggregate_id: str
    code: str
    message: str
    alternatives: list[Slot] = Field(default_factory=list)
