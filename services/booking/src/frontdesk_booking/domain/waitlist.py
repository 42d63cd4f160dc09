"""A customer waiting for a time that is full. When a booking there is cancelled, expires
or moves away, the first waiting customer whose wish fits is offered a hold; confirming
that hold books the entry (it is no longer waiting for anything). Letting the hold run
out or turning it down ends the entry too, and the time goes to the next in line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

from .common import Actor, CustomersOwn, Forbidden, NotFound, Refused

WaitlistStatus = Literal["waiting", "offered", "booked", "declined", "expired", "left"]


class WaitlistEntryNotFound(NotFound):
    code = "waitlist_entry_not_found"


class SlotAvailable(Refused):
    code = "slot_available"


@dataclass(frozen=True)
class Wish:
    service_id: UUID
    starts_at: datetime
    occupied_until: datetime
    staff_id: UUID | None = None
    pet_id: UUID | None = None


@dataclass(frozen=True)
class WaitlistJoined:
    entry_id: UUID
    shop_id: UUID
    customer_id: UUID
    wish: Wish
    at: datetime


@dataclass(frozen=True)
class Offer:
    """What the customer is told: the time held for them, until when, and where (the
    service's name and the shop's timezone, for "周六10点空出来了")."""

    starts_at: datetime
    expires_at: datetime
    service_name: str
    timezone: str


@dataclass(frozen=True)
class WaitlistOffered:
    entry_id: UUID
    booking_id: UUID
    at: datetime
    offer: Offer | None = None  # None in offers made before it was recorded


@dataclass(frozen=True)
class WaitlistBooked:
    entry_id: UUID
    booking_id: UUID
    at: datetime


@dataclass(frozen=True)
class OfferEnded:
    """The hold offered (booking_id) was turned down (`declined`) or ran out (`expired`)."""

    entry_id: UUID
    booking_id: UUID
    outcome: Literal["declined", "expired"]
    at: datetime


@dataclass(frozen=True)
class WaitlistLeft:
    entry_id: UUID
    at: datetime


WaitlistEvent = WaitlistJoined | WaitlistOffered | WaitlistBooked | OfferEnded | WaitlistLeft


@dataclass
class WaitlistEntry(CustomersOwn):
    id: UUID
    shop_id: UUID | None = None
    customer_id: UUID | None = None
    wish: Wish | None = None
    status: WaitlistStatus = "waiting"
    booking_id: UUID | None = None
    joined_at: datetime | None = None
    version: int = 0
    pending: list[WaitlistEvent] = field(default_factory=list)

    def join(self, actor: Actor, customer_id: UUID, wish: Wish, at: datetime) -> None:
        if self.exists:
            if self.customer_id != customer_id or self.wish != wish:
                raise WaitlistEntryNotFound("this waitlist entry belongs to someone else")
            return
        if not actor.is_staff and actor.user_id != customer_id:
            raise Forbidden("customers join the waitlist for themselves")
        self._record(WaitlistJoined(self.id, actor.shop_id, customer_id, wish, at))

    def offer(self, booking_id: UUID, offer: Offer, at: datetime) -> None:
        if self.status == "waiting":
            self._record(WaitlistOffered(self.id, booking_id, at, offer))

    def book(self, booking_id: UUID, at: datetime) -> None:
        """The hold it was offered was confirmed."""
        if self.status == "offered" and self.booking_id == booking_id:
            self._record(WaitlistBooked(self.id, booking_id, at))

    def end_offer(self, booking_id: UUID, outcome: Literal["declined", "expired"], at: datetime) -> None:
        """The offered hold was cancelled or expired: this customer passed, the next may have it."""
        if self.status == "offered" and self.booking_id == booking_id:
            self._record(OfferEnded(self.id, booking_id, outcome, at))

    def leave(self, actor: Actor, at: datetime) -> None:
        if not self.may_see(actor):
            raise WaitlistEntryNotFound("no such waitlist entry")
        if self.status == "waiting":
            self._record(WaitlistLeft(self.id, at))

    def apply(self, event: WaitlistEvent) -> None:
        match event:
            case WaitlistJoined():
                self.shop_id, self.customer_id, self.wish = event.shop_id, event.customer_id, event.wish
                self.joined_at, self.status = event.at, "waiting"
            case WaitlistOffered():
                self.status, self.booking_id = "offered", event.booking_id
            case WaitlistBooked():
                self.status = "booked"
            case OfferEnded():
                self.status = event.outcome
            case WaitlistLeft():
                self.status = "left"
        self.version += 1

    def _record(self, event: WaitlistEvent) -> None:
        self.apply(event)
        self.pending.append(event)
