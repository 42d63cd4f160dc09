"""Domain events inside the service, contract events outside: the one place that maps them."""

from __future__ import annotations

from typing import Any

from frontdesk_contracts import Contract, booking_v2, booking_v3, type_name
from frontdesk_contracts import booking as c

from ..domain import booking as b
from ..domain import booking_events as be
from ..domain import pets as p
from ..domain import services as sv
from ..domain import shop as s
from ..domain import waitlist as w
from ..domain.chain import Part
from ..domain.placement import Placement


def slot(placement: Placement) -> dict[str, Any]:
    """A placement as a Slot (staffed) or SlotV2 (no staff member; a stay has nights)."""
    fields: dict[str, Any] = {
        "starts_at": placement.starts_at,
        "ends_at": placement.ends_at,
        "occupied_until": placement.occupied_until,
        "staff_id": placement.staff_id,
        "resource_units": list(placement.resource_units),
    }
    if placement.nights is not None:
        fields["nights"] = placement.nights
    return fields


def rejection(fields: dict[str, Any], alternatives: list[Placement]) -> tuple[str, Contract]:
    """A refusal: .v1 unless an alternative it offers has no staff member."""
    model: type[Contract] = c.CommandRejected
    if any(p.staff_id is None for p in alternatives):
        model = booking_v2.without_staff(model)
    return type_name(model), model(**fields, alternatives=[slot(p) for p in alternatives])


def policy(terms: c.Policy, check_in_window_minutes: int) -> s.Policy:
    return s.Policy(**terms.model_dump(), check_in_window_minutes=check_in_window_minutes)


def service(terms: c.ServiceTerms, schedule: c.ServiceSchedule | None) -> sv.Service:
    data = terms.model_dump()
    timing: dict[str, Any] = {}
    if schedule is not None:
        timing = {
            **schedule.model_dump(),
            "hours": tuple(sv.WeeklyPeriod(p.weekday, p.start, p.end) for p in schedule.hours),
        }
    return sv.Service(
        id=data.pop("service_id"), **{**data, "resource_types": tuple(terms.resource_types)}, **timing
    )


def _period(period: sv.WeeklyPeriod) -> c.WeeklyPeriod:
    return c.WeeklyPeriod(weekday=period.weekday, start=period.start, end=period.end)


def _service_terms(service: sv.Service) -> tuple[c.ServiceTerms, c.ServiceSchedule | None]:
    terms = c.ServiceTerms(
        service_id=service.id,
        name=service.name,
        duration_minutes=service.duration_minutes,
        buffer_minutes=service.buffer_minutes,
        price_cents=service.price_cents,
        currency=service.currency,
        skill=service.skill,
        resource_types=list(service.resource_types),
        active=service.active,
    )
    if service.needs_staff:
        return terms, None
    return terms, c.ServiceSchedule(
        needs_staff=False,
        hours=[_period(p) for p in service.hours],
        per_night=service.per_night,
        check_in=service.check_in,
        check_out=service.check_out,
    )


def staff_profile(terms: c.StaffTerms) -> s.StaffProfile:
    return s.StaffProfile(
        staff_id=terms.staff_id,
        name=terms.name,
        skills=tuple(terms.skills),
        hours=tuple(sv.WeeklyPeriod(p.weekday, p.start, p.end) for p in terms.hours),
        breaks=tuple(sv.WeeklyPeriod(p.weekday, p.start, p.end) for p in terms.breaks),
        active=terms.active,
    )


def resource(terms: c.ResourceTerms) -> s.Resource:
    return s.Resource(terms.resource_id, terms.name, terms.type, terms.capacity, terms.active)


def pet_profile(terms: c.PetProfile) -> p.Profile:
    return p.Profile(**{**terms.model_dump(), "allergies": tuple(terms.allergies)})


def shop_event(event: s.ShopEvent) -> tuple[str, Contract]:
    match event:
        case s.ShopConfigured():
            return "booking.shop.configured.v1", c.ShopConfigured(
                shop_id=event.shop_id,
                timezone=event.timezone,
                policy=c.Policy.model_validate(vars(event.policy)),  # what the v1 policy holds
                at=event.at,
                check_in_window_minutes=event.policy.check_in_window_minutes,
            )
        case s.ServiceDefined():
            service_terms, schedule = _service_terms(event.service)
            return "booking.service.defined.v1", c.ServiceDefined(
                shop_id=event.shop_id, service=service_terms, schedule=schedule, at=event.at
            )
        case s.StaffProfileSet():
            profile = event.profile
            terms = c.StaffTerms(
                staff_id=profile.staff_id,
                name=profile.name,
                skills=list(profile.skills),
                hours=[_period(x) for x in profile.hours],
                breaks=[_period(x) for x in profile.breaks],
                active=profile.active,
            )
            return "booking.staff.profile_set.v1", c.StaffProfileSet(
                shop_id=event.shop_id, profile=terms, at=event.at
            )
        case s.TimeOffAdded():
            off = event.time_off
            return "booking.staff.time_off_added.v1", c.TimeOffAdded(
                shop_id=event.shop_id,
                staff_id=event.staff_id,
                time_off_id=off.id,
                starts_at=off.starts_at,
                ends_at=off.ends_at,
                reason=off.reason,
                at=event.at,
            )
        case s.TimeOffRemoved():
            return "booking.staff.time_off_removed.v1", c.TimeOffRemoved(
                shop_id=event.shop_id, staff_id=event.staff_id, time_off_id=event.time_off_id, at=event.at
            )
        case s.ResourceDefined():
            r = event.resource
            return "booking.resource.defined.v1", c.ResourceDefined(
                shop_id=event.shop_id,
                resource=c.ResourceTerms(
                    resource_id=r.id, name=r.name, type=r.type, capacity=r.capacity, active=r.active
                ),
                at=event.at,
            )


def booking_event(event: be.BookingEvent, booking: b.Booking) -> tuple[str, Contract]:
    """The contract event: .v1 for a booking a staff member serves, .v2 for one without,
    .v3 for a booking of several services; a staff note has a type of its own, which
    carries nothing else of the booking and is never meant for the customer."""
    if isinstance(event, be.StaffNoteAdded):
        return "booking.staff_note.added.v1", c.StaffNoteAdded(
            booking_id=booking.id,
            shop_id=booking.shop_id,
            note_id=event.note_id,
            text=event.text,
            written_by=event.by,
            at=event.at,
        )
    model, fields = _booking_event(event, booking)
    assert booking.placement is not None
    if booking.parts:
        model = booking_v3.with_services(model)
        fields["services"] = [_booked_service(part) for part in booking.parts]
    elif booking.placement.staff_id is None:
        model = booking_v2.without_staff(model)
    return type_name(model), model(**fields)


def _booked_service(part: Part) -> dict[str, Any]:
    placement = part.placement
    return {
        "service_id": part.service_id,
        "starts_at": placement.starts_at,
        "ends_at": placement.ends_at,
        "occupied_until": placement.occupied_until,
        "staff_id": placement.staff_id,
        "resource_units": list(placement.resource_units),
        "price_cents": part.price_cents,
    }


def _booking_event(event: be.BookingEvent, booking: b.Booking) -> tuple[type[Contract], dict[str, Any]]:
    placement = booking.placement
    assert placement is not None
    base: dict[str, Any] = {
        "booking_id": booking.id,
        "shop_id": booking.shop_id,
        "customer_id": booking.customer_id,
        "pet_id": booking.pet_id,
        "service_id": booking.service_id,
        "status": booking.status,
        "starts_at": placement.starts_at,
        "ends_at": placement.ends_at,
        "staff_id": placement.staff_id,
        "resource_units": list(placement.resource_units),
        "hold_expires_at": booking.hold_expires_at,
        "at": event.at,
        "nights": placement.nights,
        "price_cents": booking.price_cents,
        "customer_note": booking.customer_note,
    }
    match event:
        case be.BookingHeld():
            return c.BookingHeld, {**base, "source": event.source}
        case be.BookingConfirmed():
            return c.BookingConfirmed, base
        case be.HoldExpiredEvent():
            return c.BookingExpired, base
        case be.BookingCancelled():
            return c.BookingCancelled, {
                **base,
                "cancelled_by": event.by,
                "cancelled_by_role": event.by_role,
                "reason": event.reason,
            }
        case be.BookingRescheduled():
            return c.BookingRescheduled, {**base, **_previous(event.previous), "by_role": event.by_role}
        case be.ChangeProposed():
            proposal = event.proposal
            return c.ChangeProposed, {
                **base,
                "proposed": slot(proposal.placement),
                "note": proposal.note,
                "keep_if_declined": proposal.keep_if_declined,
            }
        case be.ChangeAccepted():
            return c.ChangeAccepted, {**base, **_previous(event.previous)}
        case be.ChangeDeclined():
            return c.ChangeDeclined, base
        case be.CheckedIn():
            return c.CheckedIn, base
        case be.ServiceStarted():
            return c.ServiceStarted, base
        case be.ProgressPosted():
            return c.ProgressPosted, {
                **base,
                "update_id": event.update_id,
                "text": event.text,
                "photo_ref": event.photo_ref,
                "posted_by": event.by,
                "live_view_id": event.live_view_id,
            }
        case be.Completed():
            return c.BookingCompleted, base
        case be.MarkedNoShow():
            return c.BookingNoShow, base
        case be.StaffNoteAdded():
            raise AssertionError("a staff note is not a booking.booking event")


def _previous(placement: Placement) -> dict[str, Any]:
    return {
        "previous_starts_at": placement.starts_at,
        "previous_ends_at": placement.ends_at,
        "previous_staff_id": placement.staff_id,
    }


def waitlist_event(event: w.WaitlistEvent, entry: w.WaitlistEntry) -> tuple[str, Contract]:
    match event:
        case w.WaitlistJoined():
            wish = event.wish
            return "booking.waitlist.joined.v1", c.WaitlistJoined(
                entry_id=entry.id,
                shop_id=event.shop_id,
                customer_id=event.customer_id,
                service_id=wish.service_id,
                starts_at=wish.starts_at,
                staff_id=wish.staff_id,
                pet_id=wish.pet_id,
                at=event.at,
            )
        case w.WaitlistOffered():
            offer, wished = event.offer, entry.wish
            return "booking.waitlist.offered.v1", c.WaitlistOffered(
                entry_id=entry.id,
                shop_id=entry.shop_id,
                customer_id=entry.customer_id,
                booking_id=event.booking_id,
                at=event.at,
                service_id=wished.service_id if wished else None,
                service_name=offer.service_name if offer else None,
                starts_at=offer.starts_at if offer else None,
                hold_expires_at=offer.expires_at if offer else None,
                timezone=offer.timezone if offer else None,
            )
        case w.OfferEnded():
            ended = c.WaitlistDeclined if event.outcome == "declined" else c.WaitlistExpired
            return f"booking.waitlist.{event.outcome}.v1", ended(
                entry_id=entry.id,
                shop_id=entry.shop_id,
                customer_id=entry.customer_id,
                booking_id=event.booking_id,
                at=event.at,
            )
        case w.WaitlistBooked():
            return "booking.waitlist.booked.v1", c.WaitlistBooked(
                entry_id=entry.id,
                shop_id=entry.shop_id,
                customer_id=entry.customer_id,
                booking_id=event.booking_id,
                at=event.at,
            )
        case w.WaitlistLeft():
            return "booking.waitlist.left.v1", c.WaitlistLeft(
                entry_id=entry.id, shop_id=entry.shop_id, customer_id=entry.customer_id, at=event.at
            )


def pet_event(event: p.PetEvent, pet: p.Pet) -> tuple[str, Contract]:
    assert pet.profile is not None
    profile = c.PetProfile(**{**vars(pet.profile), "allergies": list(pet.profile.allergies)})
    name = "booking.pet.registered.v1" if isinstance(event, p.PetRegistered) else "booking.pet.updated.v1"
    model = c.PetRegistered if isinstance(event, p.PetRegistered) else c.PetUpdated
    return name, model(
        pet_id=pet.id, shop_id=pet.shop_id, customer_id=pet.customer_id, profile=profile, at=event.at
    )
