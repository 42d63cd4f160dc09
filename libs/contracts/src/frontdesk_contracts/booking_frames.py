"""Which booking events reach the gateway's sockets, as which frame.

One table for the gateway's fan-out and for the AsyncAPI document, so the two cannot
drift. A frame carries the event's payload whole, under `booking` (or `entry` for the
waitlist): the booking as it is after the change. The shop's staff get every frame of
their shop; a customer gets the frames of their own bookings and entries. A frame names
what happened, so a staff app can say "moved" rather than diff two versions.
"""

from __future__ import annotations

from . import booking as v1
from .booking_v2 import without_staff
from .booking_v3 import with_services
from .registry import Contract, type_name

_BOOKING_FRAMES: dict[type[Contract], str] = {
    v1.BookingHeld: "booking.held",
    v1.BookingConfirmed: "booking.confirmed",
    v1.BookingExpired: "booking.expired",
    v1.BookingCancelled: "booking.cancelled",
    v1.BookingRescheduled: "booking.moved",
    v1.ChangeProposed: "booking.proposal_made",
    v1.ChangeAccepted: "booking.proposal_accepted",
    v1.ChangeDeclined: "booking.proposal_declined",
    v1.CheckedIn: "booking.checked_in",
    v1.ServiceStarted: "booking.started",
    v1.ProgressPosted: "booking.progress",
    v1.BookingCompleted: "booking.completed",
    v1.BookingNoShow: "booking.no_show",
}
_WAITLIST_FRAMES: dict[type[Contract], str] = {
    v1.WaitlistOffered: "waitlist.offered",
    v1.WaitlistBooked: "waitlist.taken",
    v1.WaitlistDeclined: "waitlist.declined",
    v1.WaitlistExpired: "waitlist.expired",
}

# Contract type name (v1, the v2 twin of a booking no staff member serves, the v3 twin of
# a booking of several services) → (frame type, the key the payload goes under).
FRAMES: dict[str, tuple[str, str]] = {
    **{type_name(model): (frame, "booking") for model, frame in _BOOKING_FRAMES.items()},
    **{type_name(without_staff(model)): (frame, "booking") for model, frame in _BOOKING_FRAMES.items()},
    **{type_name(with_services(model)): (frame, "booking") for model, frame in _BOOKING_FRAMES.items()},
    **{type_name(model): (frame, "entry") for model, frame in _WAITLIST_FRAMES.items()},
}
