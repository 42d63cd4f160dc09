"""Request and response bodies of the booking API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID

from frontdesk_platform.storable import INT32_MAX, Int32, StoredBody, within
from pydantic import BaseModel, Field

Text = Field(default="", max_length=1000)
# A stay of the longest length (30 nights) still fits the INTEGER price column.
MAX_PRICE_CENTS = INT32_MAX // 30


class BookingPolicy(StoredBody):
    timezone: str | None = Field(
        default=None,
        examples=["Asia/Shanghai", "Europe/Berlin"],
        description="Leave it out: the shop's timezone from registration (POST /v1/shops) is used.",
    )
    hold_minutes: int = Field(default=10, ge=1, le=1440)
    cancel_cutoff_hours: int = Field(default=2, ge=0, le=720)
    reschedule_cutoff_hours: int = Field(default=2, ge=0, le=720)
    max_days_ahead: int = Field(default=60, ge=1, le=730)
    waitlist_hold_minutes: int = Field(default=30, ge=1, le=10080)
    slot_step_minutes: Literal[5, 10, 15, 20, 30, 60] = 15
    check_in_window_minutes: int = Field(
        default=60,
        ge=0,
        le=10080,
        description="How long before its start a booking can be checked in (then started, completed); "
        "earlier answers 422 `outside_check_in_window`",
    )


class Period(StoredBody):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: time = Field(examples=["09:00"])
    end: time = Field(examples=["18:00"])


class ServiceBody(StoredBody):
    """A timed service done by staff (the default), a timed one without staff in its own
    `hours` (a self-service wash station), or a nightly one (boarding: `per_night`)."""

    name: str = Field(min_length=1, max_length=100)
    duration_minutes: int | None = Field(default=None, ge=5, le=10080, description="Not for nightly services")
    buffer_minutes: int = Field(default=0, ge=0, le=1440)
    price_cents: Annotated[int, within(0, MAX_PRICE_CENTS)] = Field(
        default=0, description="Per night for a nightly service"
    )
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    skill: str | None = Field(default=None, max_length=50, description="Staff need this skill; none: anyone")
    resource_types: list[str] = Field(default_factory=list, max_length=5, examples=[["bath"]])
    active: bool = True
    needs_staff: bool | None = Field(
        default=None, description="false: nobody serves it (self-service, boarding); default: not per_night"
    )
    hours: list[Period] = Field(
        default_factory=list, max_length=50, description="When a service without staff starts (local)"
    )
    per_night: bool = Field(default=False, description="Booked per night, from check_in to check_out")
    check_in: time | None = Field(default=None, examples=["15:00"], description="Local, first day")
    check_out: time | None = Field(
        default=None, examples=["11:00"], description="Local, day after the last night"
    )


class StaffProfileBody(StoredBody):
    name: str = Field(min_length=1, max_length=100)
    skills: list[str] = Field(default_factory=list, max_length=20)
    hours: list[Period] = Field(default_factory=list, max_length=50, description="Local wall-clock hours")
    breaks: list[Period] = Field(default_factory=list, max_length=50)
    active: bool = True


class TimeOffBody(StoredBody):
    starts_at: datetime
    ends_at: datetime
    reason: str = Text


class TimeOffCreated(BaseModel):
    time_off_id: UUID


class ResourceBody(StoredBody):
    name: str = Field(min_length=1, max_length=100)
    type: str = Field(min_length=1, max_length=50, examples=["bath"])
    capacity: int = Field(default=1, ge=1, le=100, description="Each unit is booked on its own")
    active: bool = True


class ServiceChoice(StoredBody):
    service_id: UUID
    staff_id: UUID | None = None


class HoldBody(StoredBody):
    service_id: UUID | None = Field(default=None, description="One service; or give `services`")
    services: list[ServiceChoice] = Field(
        default_factory=list,
        max_length=5,
        description="Several services done one after the other from starts_at, in this order "
        '(e.g. bath then nail trim: "洗澡+剪指甲"), each optionally by a chosen staff member',
    )
    customer_note: str = Field(default="", max_length=1000, examples=["怕吹风机"])
    starts_at: datetime = Field(description="A slot's start; for a stay, its check-in time")
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    nights: Int32 | None = Field(default=None, description="Nightly services only: 1 to 30")
    customer_id: UUID | None = Field(default=None, description="Staff booking for a customer")
    booking_id: UUID | None = Field(default=None, description="Choose it to make retries safe")


class StaffNoteBody(StoredBody):
    text: str = Field(min_length=1, max_length=1000, examples=["上次掉毛严重"])


class CancelBody(StoredBody):
    reason: str = Text


class MoveBody(StoredBody):
    starts_at: datetime | None = Field(default=None, description="Absent: the same start (check-in)")
    staff_id: UUID | None = None
    nights: Int32 | None = Field(default=None, description="A stay's new number of nights; absent: the same")


class ProposalBody(StoredBody):
    starts_at: datetime
    staff_id: UUID | None = None
    note: str = Field(default="", max_length=1000, description="e.g. a compensation offered")
    keep_if_declined: bool = False


class ProgressBody(StoredBody):
    text: str = Text
    photo_ref: str | None = Field(default=None, max_length=500, description="Object-storage key of a photo")


class WaitlistBody(StoredBody):
    service_id: UUID
    starts_at: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    customer_id: UUID | None = None


class PetBody(StoredBody):
    kind: Literal["pet", "child"] = "pet"
    name: str = Field(min_length=1, max_length=100)
    species: str = Field(default="", max_length=50)
    breed: str = Field(default="", max_length=100)
    birth_date: date | None = None
    allergies: list[str] = Field(default_factory=list, max_length=50)
    temperament: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=4000)


class NewPet(PetBody):
    customer_id: UUID | None = Field(default=None, description="Staff registering a customer's pet")


class Slot(BaseModel):
    starts_at: datetime = Field(description="For a stay: check-in")
    ends_at: datetime = Field(description="For a stay: check-out")
    staff_id: UUID | None = Field(description="null: no staff member")
    resource_units: list[UUID]
    nights: int | None = None
    price_cents: int


class SlotPage(BaseModel):
    timezone: str
    service_id: UUID
    slots: list[Slot]


class BookedService(BaseModel):
    service_id: UUID
    starts_at: datetime
    ends_at: datetime
    staff_id: UUID | None
    resource_units: list[UUID]
    price_cents: int | None = None


class StaffNote(BaseModel):
    note_id: UUID
    text: str
    written_by: UUID
    written_at: datetime


class Booking(BaseModel):
    id: UUID
    customer_id: UUID
    pet_id: UUID | None
    service_id: UUID
    staff_id: UUID | None = Field(description="null: no staff member (self-service, boarding)")
    resource_units: list[UUID]
    starts_at: datetime = Field(description="For a stay: check-in")
    ends_at: datetime = Field(description="For a stay: check-out")
    nights: int | None = None
    price_cents: int | None = Field(description="For a stay: price per night × nights")
    status: Literal[
        "held", "confirmed", "checked_in", "in_service", "completed", "cancelled", "no_show", "expired"
    ]
    hold_expires_at: datetime | None
    source: str
    proposal: dict[str, Any] | None
    services: list[BookedService] | None = Field(
        default=None, description="A booking of several services: each one, in order; null: one service"
    )
    customer_note: str = ""
    created_at: datetime
    updated_at: datetime
    updates: list[dict[str, Any]] | None = None
    staff_notes: list[StaffNote] | None = Field(
        default=None, description="The shop's own notes: only in answers to staff, never to the customer"
    )
