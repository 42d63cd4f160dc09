"""The Booking aggregate: a customer's appointment from hold to completion.

held ─confirm→ confirmed ─check_in→ checked_in ─start→ in_service ─complete→ completed
  │                │  ╰─no_show (after the start)→ no_show       (each from the policy's
  │                │                                   check-in window before the start)
  ╰─expire→ expired╰─cancel / declined change→ cancelled

A hold counts as live until it expires; rescheduling and accepted changes move the
booking and keep its id. A stay (boarding) is a booking whose placement has `nights`;
policy cutoffs are measured from its check-in (starts_at). Whether the new time is free is decided by the database (the
allocation table's exclusion constraint), not here: the aggregate decides whether the
move is allowed at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from .booking_events import (
    BookingCancelled,
    BookingConfirmed,
    BookingEvent,
    BookingHeld,
    BookingRescheduled,
    ChangeAccepted,
    ChangeDeclined,
    ChangeProposed,
    CheckedIn,
    Completed,
    HoldExpiredEvent,
    MarkedNoShow,
    ProgressPosted,
    Proposal,
    ServiceStarted,
    StaffNoteAdded,
)
from .chain import Part
from .common import Actor, CustomersOwn, Forbidden, InvalidRequest, NotFound, Refused
from .placement import Placement
from .shop import Policy

Status = Literal[
    "held", "confirmed", "checked_in", "in_service", "completed", "cancelled", "no_show", "expired"
]
LIVE: frozenset[str] = frozenset({"held", "confirmed", "checked_in", "in_service"})
MAX_NOTE_LENGTH = 1000


class BookingNotFound(NotFound):
    code = "booking_not_found"


class InvalidTransition(Refused):
    code = "invalid_state"


class HoldExpired(Refused):
    code = "hold_expired"


class OutsidePolicy(Refused):
    code = "outside_policy"


class NoChangeProposed(Refused):
    code = "no_change_proposed"


class OutsideCheckInWindow(Refused):
    code = "outside_check_in_window"


@dataclass
class Booking(CustomersOwn):
    id: UUID
    shop_id: UUID | None = None
    customer_id: UUID | None = None
    pet_id: UUID | None = None
    service_id: UUID | None = None
    placement: Placement | None = None
    status: Status = "held"
    hold_expires_at: datetime | None = None
    proposal: Proposal | None = None
    price_cents: int | None = None
    source: str = "customer"
    parts: tuple[Part, ...] = ()  # a booking of several services, in order; () for one
    customer_note: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    pending: list[BookingEvent] = field(default_factory=list)

    @property
    def is_live(self) -> bool:
        return self.exists and self.status in LIVE

    @property
    def placements(self) -> tuple[Placement, ...]:
        """What each service of the booking occupies."""
        if self.parts:
            return tuple(p.placement for p in self.parts)
        return () if self.placement is None else (self.placement,)

    def hold_is_over(self, now: datetime) -> bool:
        return self.status == "held" and self.hold_expires_at is not None and now >= self.hold_expires_at

    # decisions

    def hold(
        self,
        actor: Actor,
        customer_id: UUID,
        pet_id: UUID | None,
        service_id: UUID,
        placement: Placement,
        policy: Policy,
        now: datetime,
        source: Literal["customer", "staff", "waitlist"] | None = None,
        price_cents: int | None = None,
        hold_for: timedelta | None = None,
        parts: tuple[Part, ...] = (),
        customer_note: str = "",
    ) -> None:
        """`hold_for` overrides the policy's hold length (a waitlist offer's, in tests)."""
        self.check_hold(actor, customer_id, placement.starts_at, policy, now)
        if len(customer_note) > MAX_NOTE_LENGTH:
            raise InvalidRequest(f"a note has at most {MAX_NOTE_LENGTH} characters")
        source = source or ("staff" if actor.is_staff else "customer")
        minutes = policy.waitlist_hold_minutes if source == "waitlist" else policy.hold_minutes
        hold_for = hold_for or timedelta(minutes=minutes)
        self._record(
            BookingHeld(
                self.id,
                actor.shop_id,
                customer_id,
                pet_id,
                service_id,
                placement,
                now + hold_for,
                actor.user_id,
                source,
                now,
                price_cents,
                parts,
                customer_note,
            )
        )

    def check_hold(
        self, actor: Actor, customer_id: UUID, starts_at: datetime, policy: Policy, now: datetime
    ) -> None:
        """Whether a hold at that time could be placed at all (before looking for a free slot)."""
        if self.exists:
            raise InvalidTransition("this booking exists already")
        if not actor.is_staff and actor.user_id != customer_id:
            raise Forbidden("customers book for themselves")
        self._check_bookable(starts_at, policy, now)

    def confirm(self, actor: Actor, now: datetime) -> None:
        self._check_access(actor)
        if self.status == "confirmed":
            return
        self.expire_if_due(now)
        if self.status == "expired":
            raise HoldExpired("the hold expired before it was confirmed; search again")
        self._require("confirm", "held")
        self._record(BookingConfirmed(self.id, actor.user_id, now))

    def expire_if_due(self, now: datetime) -> bool:
        if self.hold_is_over(now):
            self._record(HoldExpiredEvent(self.id, now))
            return True
        return False

    def cancel(self, actor: Actor, reason: str, policy: Policy, now: datetime) -> None:
        self._check_access(actor)
        if self.status == "cancelled":
            return
        self._require("cancel", "held", "confirmed")
        if not actor.is_staff and self.status == "confirmed":
            self._within_cutoff(policy.cancel_cutoff_hours, now, "cancelled")
        self._record(BookingCancelled(self.id, actor.user_id, actor.role, reason[:MAX_NOTE_LENGTH], now))

    def check_reschedule(self, actor: Actor, starts_at: datetime, policy: Policy, now: datetime) -> None:
        self._check_access(actor)
        self._require("reschedule", "held", "confirmed")
        if self.hold_is_over(now):
            raise HoldExpired("the hold has expired")
        if not actor.is_staff:
            self._within_cutoff(policy.reschedule_cutoff_hours, now, "moved")
        self._check_bookable(starts_at, policy, now)

    def reschedule(
        self,
        actor: Actor,
        placement: Placement,
        policy: Policy,
        now: datetime,
        price_cents: int | None = None,
        parts: tuple[Part, ...] = (),
    ) -> None:
        """Move to another time (a stay: another check-in date and/or number of nights; a
        booking of several services: all of them, `placement` being their envelope)."""
        self.check_reschedule(actor, placement.starts_at, policy, now)
        assert self.placement is not None
        self._record(
            BookingRescheduled(
                self.id, self.placement, placement, actor.user_id, actor.role, now, price_cents, parts
            )
        )

    def check_proposal(self, actor: Actor, starts_at: datetime, now: datetime) -> None:
        self._check_access(actor)
        if not actor.is_staff:
            raise Forbidden("only the shop proposes changes; customers reschedule")
        if self.parts:
            raise InvalidRequest("a booking of several services is moved by rescheduling it")
        self._require("propose a change to", "confirmed")
        if starts_at < now:
            raise InvalidRequest("a change moves the booking to a future time")

    def propose_change(
        self, actor: Actor, placement: Placement, note: str, keep_if_declined: bool, now: datetime
    ) -> None:
        self.check_proposal(actor, placement.starts_at, now)
        proposal = Proposal(placement, note[:MAX_NOTE_LENGTH], keep_if_declined, actor.user_id, now)
        self._record(ChangeProposed(self.id, proposal, now))

    def accept_change(self, actor: Actor, now: datetime) -> Placement:
        """Move to the proposed time; returns the placement given up."""
        self._customer_responds(actor)
        assert self.placement is not None and self.proposal is not None
        previous = self.placement
        self._record(ChangeAccepted(self.id, previous, self.proposal.placement, now))
        return previous

    def decline_change(self, actor: Actor, now: datetime) -> None:
        self._customer_responds(actor)
        assert self.proposal is not None
        self._record(ChangeDeclined(self.id, not self.proposal.keep_if_declined, now))

    def check_in(self, actor: Actor, policy: Policy, now: datetime) -> None:
        self._staff_step(actor, "check in", "confirmed")
        self._check_in_window_open(policy, now, "checked in")
        self._record(CheckedIn(self.id, actor.user_id, now))

    def start_service(self, actor: Actor, policy: Policy, now: datetime) -> None:
        self._staff_step(actor, "start", "checked_in")
        self._check_in_window_open(policy, now, "started")
        self._record(ServiceStarted(self.id, actor.user_id, now))

    def post_progress(
        self,
        actor: Actor,
        update_id: UUID,
        text: str,
        photo_ref: str | None,
        now: datetime,
        live_view_id: UUID | None = None,
    ) -> None:
        self._staff_step(actor, "post progress on", "checked_in", "in_service")
        if not text.strip() and not photo_ref and not live_view_id:
            raise InvalidRequest("a progress update needs some text or a photo")
        if len(text) > MAX_NOTE_LENGTH:
            raise InvalidRequest(f"a progress update has at most {MAX_NOTE_LENGTH} characters")
        self._record(ProgressPosted(self.id, update_id, text, photo_ref, actor.user_id, now, live_view_id))

    def complete(self, actor: Actor, policy: Policy, now: datetime) -> None:
        self._staff_step(actor, "complete", "checked_in", "in_service")
        self._check_in_window_open(policy, now, "completed")
        self._record(Completed(self.id, actor.user_id, now))

    def add_staff_note(self, actor: Actor, note_id: UUID, text: str, now: datetime) -> None:
        """A note for the shop only ("上次掉毛严重"), at any point of the booking's life."""
        self._check_access(actor)
        if not actor.is_staff:
            raise Forbidden("staff notes are written by the shop")
        if not text.strip() or len(text) > MAX_NOTE_LENGTH:
            raise InvalidRequest(f"a note has 1 to {MAX_NOTE_LENGTH} characters")
        self._record(StaffNoteAdded(self.id, note_id, text, actor.user_id, now))

    def mark_no_show(self, actor: Actor, now: datetime) -> None:
        self._staff_step(actor, "mark as no-show", "confirmed")
        assert self.placement is not None
        if now < self.placement.starts_at:
            raise InvalidTransition("a booking becomes a no-show only after its start time")
        self._record(MarkedNoShow(self.id, actor.user_id, now))

    # state

    def apply(self, event: BookingEvent) -> None:
        match event:
            case BookingHeld():
                self.shop_id, self.customer_id, self.pet_id = event.shop_id, event.customer_id, event.pet_id
                self.service_id, self.placement = event.service_id, event.placement
                self.price_cents = event.price_cents
                self.parts, self.customer_note = event.parts, event.customer_note
                self.hold_expires_at, self.source, self.created_at = (
                    event.hold_expires_at,
                    event.source,
                    event.at,
                )
                self.status = "held"
            case BookingConfirmed():
                self.status, self.hold_expires_at = "confirmed", None
            case HoldExpiredEvent():
                self.status = "expired"
            case BookingCancelled():
                self.status, self.proposal = "cancelled", None
            case BookingRescheduled():
                self.placement, self.proposal = event.placement, None
                if event.parts:
                    self.parts = event.parts
                if event.price_cents is not None:
                    self.price_cents = event.price_cents
            case ChangeProposed():
                self.proposal = event.proposal
            case ChangeAccepted():
                self.placement, self.proposal = event.placement, None
            case ChangeDeclined():
                self.proposal = None
                if event.cancelled:
                    self.status = "cancelled"
            case CheckedIn():
                self.status, self.proposal = "checked_in", None
            case ServiceStarted():
                self.status = "in_service"
            case Completed():
                self.status = "completed"
            case MarkedNoShow():
                self.status, self.proposal = "no_show", None
            case ProgressPosted() | StaffNoteAdded():
                pass
        self.updated_at = event.at
        self.version += 1

    def _check_bookable(self, starts_at: datetime, policy: Policy, now: datetime) -> None:
        if starts_at < now:
            raise OutsidePolicy("that time has passed")
        if starts_at > now + timedelta(days=policy.max_days_ahead):
            raise OutsidePolicy(f"bookings are taken at most {policy.max_days_ahead} days ahead")

    def _within_cutoff(self, hours: int, now: datetime, what: str) -> None:
        assert self.placement is not None
        if now > self.placement.starts_at - timedelta(hours=hours):
            raise OutsidePolicy(f"a booking can be {what} up to {hours} hours before it starts; ask the shop")

    def _check_in_window_open(self, policy: Policy, now: datetime, what: str) -> None:
        """The day of service starts with the shop's check-in window: a tap on the wrong
        booking days ahead must not mark it served. Checked after access, so a stranger
        learns nothing of the booking's time."""
        assert self.placement is not None
        opens = self.placement.starts_at - timedelta(minutes=policy.check_in_window_minutes)
        if now < opens:
            raise OutsideCheckInWindow(
                f"a booking can be {what} from {policy.check_in_window_minutes} minutes before it starts, "
                f"i.e. from {opens.isoformat()}"
            )

    def _customer_responds(self, actor: Actor) -> None:
        self._check_access(actor)
        if actor.user_id != self.customer_id:
            raise Forbidden("the customer answers a proposed change")
        if self.proposal is None or self.status != "confirmed":
            raise NoChangeProposed("there is no proposed change to answer")

    def _staff_step(self, actor: Actor, what: str, *allowed: Status) -> None:
        self._check_access(actor)
        if not actor.is_staff:
            raise Forbidden(f"only the shop can {what} a booking")
        self._require(what, *allowed)

    def _require(self, what: str, *allowed: Status) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"cannot {what} a booking that is {self.status}")

    def _check_access(self, actor: Actor) -> None:
        if not self.may_see(actor):
            raise BookingNotFound("no such booking")

    def _record(self, event: BookingEvent) -> None:
        self.apply(event)
        self.pending.append(event)
