"""Request and response bodies of the booking API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

Text = Field(default="", max_length=1000)


class BookingPolicy(BaseModel):
    timezone: str = Field(examples=["Asia/Shanghai", "Europe/Berlin"])
    hold_minutes: int = Field(default=10, ge=1, le=1440)
    cancel_cutoff_hours: int = Field(default=2, ge=0, le=720)
    reschedule_cutoff_hours: int = Field(default=2, ge=0, le=720)
    max_days_ahead: int = Field(default=60, ge=1, le=730)
    waitlist_hold_minutes: int = Field(default=30, ge=1, le=10080)
    slot_step_minutes: Literal[5, 10, 15, 20, 30, 60] = 15


class ServiceBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    duration_minutes: int = Field(ge=5, le=10080)
    buffer_minutes: int = Field(default=0, ge=0, le=1440)
    price_cents: int = Field(default=0, ge=0)
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    skill: str | None = Field(default=None, max_length=50, description="Staff need this skill; none: anyone")
    resource_types: list[str] = Field(default_factory=list, max_length=5, examples=[["bath"]])
    active: bool = True


class Period(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: time = Field(examples=["09:00"])
    end: time = Field(examples=["18:00"])


class StaffProfileBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    skills: list[str] = Field(default_factory=list, max_length=20)
    hours: list[Period] = Field(default_factory=list, max_length=50, description="Local wall-clock hours")
    breaks: list[Period] = Field(default_factory=list, max_length=50)
    active: bool = True


class TimeOffBody(BaseModel):
    starts_at: datetime
    ends_at: datetime
    reason: str = Text


class TimeOffCreated(BaseModel):
    time_off_id: UUID


class ResourceBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    type: str = Field(min_length=1, max_length=50, examples=["bath"])
    capacity: int = Field(default=1, ge=1, le=100, description="Each unit is booked on its own")
    active: bool = True


class HoldBody(BaseModel):
    service_id: UUID
    starts_at: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    customer_id: UUID | None = Field(default=None, description="Staff booking for a customer")
    booking_id: UUID | None = Field(default=None, description="Choose it to make retries safe")


class CancelBody(BaseModel):
    reason: str = Text


class MoveBody(BaseModel):
    starts_at: datetime
    staff_id: UUID | None = None


class ProposalBody(MoveBody):
    note: str = Field(default="", max_length=1000, description="e.g. a compensation offered")
    keep_if_declined: bool = False


class ProgressBody(BaseModel):
    text: str = Text
    photo_ref: str | None = Field(default=None, max_length=500, description="Object-storage key of a photo")


class WaitlistBody(BaseModel):
    service_id: UUID
    starts_at: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None
    customer_id: UUID | None = None


class PetBody(BaseModel):
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
    starts_at: datetime
    ends_at: datetime
    staff_id: UUID
    resource_units: list[UUID]


class SlotPage(BaseModel):
    timezone: str
    service_id: UUID
    slots: list[Slot]


class Booking(BaseModel):
    id: UUID
    customer_id: UUID
    pet_id: UUID | None
    service_id: UUID
    staff_id: UUID
    resource_units: list[UUID]
    starts_at: datetime
    ends_at: datetime
    status: Literal[
        "held", "confirmed", "checked_in", "in_service", "completed", "cancelled", "no_show", "expired"
    ]
    hold_expires_at: datetime | None
    source: str
    proposal: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    updates: list[dict[str, Any]] | None = None
