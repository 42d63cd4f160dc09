"""The public booking API: shop setup, slots, bookings, waitlist, pets.

Writes are commands to the booking service (the REST call waits up to 5 s for its
verdict); reads go to its internal API with the caller's shop, and a customer's reads
are limited to their own bookings, waitlist entries and pets.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response
from frontdesk_contracts import Contract
from frontdesk_contracts import booking as c
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import Int32, StoredDate, StoredDatetime, StoredText

from ..bookings import Bookings, actor
from ..identity.service import Identity
from ..identity.tokens import Principal
from . import booking_setup
from .auth import Caller, own_shop
from .booking_schemas import (
    Booking,
    CancelBody,
    HoldBody,
    MoveBody,
    NewPet,
    PetBody,
    ProgressBody,
    ProposalBody,
    SlotPage,
    StaffNoteBody,
    WaitlistBody,
)
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS)
Limit = Annotated[int, Query(ge=1, le=500)]


def _bookings(request: Request) -> Bookings:
    bookings: Bookings = request.app.state.bookings
    return bookings


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


async def _customer(request: Request, caller: Principal, customer_id: UUID | None) -> UUID:
    """Whom a booking, waitlist entry or pet is for: the customer themselves, or one of the shop's."""
    if not caller.is_staff:
        if customer_id not in (None, caller.user_id):
            raise ApiError(403, "forbidden", "Customers act for themselves only.")
        return caller.user_id
    if customer_id is None:
        raise ApiError(422, "invalid_request", "Staff must say which customer this is for.")
    if not await _identity(request).is_customer(caller.shop_id, customer_id):
        raise ApiError(404, "customer_not_found", "No such customer in this shop.")
    return customer_id


# slots and bookings


@router.get(
    "/shops/{shop_id}/slots",
    response_model=SlotPage,
    tags=["bookings"],
    summary="Free times for a service over local dates (shop's timezone); times in UTC",
)
async def find_slots(
    request: Request,
    caller: Caller,
    shop_id: UUID,
    service_id: UUID,
    from_date: StoredDate,
    to_date: StoredDate | None = None,
    staff_id: UUID | None = None,
    nights: Annotated[Int32 | None, Query(description="Nightly services: the stay's nights (1-30)")] = None,
    limit: Limit = 200,
) -> SlotPage:
    """For a nightly service (boarding), one check-in time per date with the kennel it would get."""
    own_shop(caller, shop_id)
    params = {
        "service_id": service_id,
        "from_date": from_date,
        "to_date": to_date,
        "staff_id": staff_id,
        "nights": nights,
    }
    found = await _bookings(request).reads.get(caller, "/slots", limit=limit, **params)
    return SlotPage(**found)


@router.post(
    "/bookings",
    status_code=201,
    response_model=Booking,
    tags=["bookings"],
    summary="Hold a slot; 409 slot_taken comes with the nearest free alternatives",
)
async def hold(request: Request, caller: Caller, body: HoldBody) -> Booking:
    """One service (`service_id`) or several done one after the other (`services`)."""
    customer_id = await _customer(request, caller, body.customer_id)
    booking_id = body.booking_id or uuid4()
    first, several = _services(body)
    command = c.HoldBooking(
        booking_id=booking_id,
        shop_id=caller.shop_id,
        customer_id=customer_id,
        service_id=first.service_id,
        starts_at=body.starts_at,
        staff_id=first.staff_id,
        pet_id=body.pet_id,
        nights=body.nights,
        services=several,
        customer_note=body.customer_note,
        actor=actor(caller),
    )
    return await _step(request, caller, booking_id, command)


def _services(body: HoldBody) -> tuple[c.ServiceChoice, list[c.ServiceChoice]]:
    """The first service, and every service when there are several."""
    if body.services:
        if body.service_id is not None or body.staff_id is not None:
            raise ApiError(422, "invalid_request", "Give service_id or services, not both.")
        chosen = [c.ServiceChoice(service_id=s.service_id, staff_id=s.staff_id) for s in body.services]
        return chosen[0], chosen if len(chosen) > 1 else []
    if body.service_id is None:
        raise ApiError(422, "invalid_request", "Say which service: service_id, or services for several.")
    return c.ServiceChoice(service_id=body.service_id, staff_id=body.staff_id), []


async def _step(request: Request, caller: Principal, booking_id: UUID, command: Contract) -> Booking:
    return Booking(**await _bookings(request).step(caller, booking_id, command))


@router.get("/bookings", response_model=list[Booking], tags=["bookings"], summary="The caller's bookings")
async def list_bookings(
    request: Request,
    caller: Caller,
    status: StoredText | None = None,
    customer_id: UUID | None = None,
    pet_id: UUID | None = None,
    starts_from: StoredDatetime | None = None,
    starts_before: StoredDatetime | None = None,
    limit: Limit = 100,
) -> list[Booking]:
    found = await _bookings(request).reads.get(
        caller,
        "/bookings",
        status=status,
        customer_id=customer_id if caller.is_staff else None,
        pet_id=pet_id,
        starts_from=starts_from,
        starts_before=starts_before,
        limit=limit,
    )
    return [Booking(**b) for b in found]


@router.get("/bookings/{booking_id}", response_model=Booking, tags=["bookings"])
async def get_booking(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return Booking(**await _bookings(request).booking(caller, booking_id))


@router.post("/bookings/{booking_id}/confirm", response_model=Booking, tags=["bookings"])
async def confirm(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(
        request, caller, booking_id, c.ConfirmBooking(booking_id=booking_id, actor=actor(caller))
    )


@router.post(
    "/bookings/{booking_id}/cancel",
    response_model=Booking,
    tags=["bookings"],
    summary="Cancel: customers up to the policy's cutoff (else 422 outside_policy), the shop any time",
)
async def cancel(request: Request, caller: Caller, booking_id: UUID, body: CancelBody) -> Booking:
    command = c.CancelBooking(booking_id=booking_id, reason=body.reason, actor=actor(caller))
    return await _step(request, caller, booking_id, command)


@router.post(
    "/bookings/{booking_id}/reschedule",
    response_model=Booking,
    tags=["bookings"],
    summary="Move (same booking id; a stay: check-in and/or nights): customers up to the cutoff, "
    "the shop any time",
)
async def reschedule(request: Request, caller: Caller, booking_id: UUID, body: MoveBody) -> Booking:
    starts_at = body.starts_at
    if starts_at is None:
        if body.nights is None:
            raise ApiError(422, "invalid_request", "Say the new starts_at, nights, or both.")
        starts_at = (await _bookings(request).booking(caller, booking_id))["starts_at"]
    command = c.RescheduleBooking(
        booking_id=booking_id,
        starts_at=starts_at,
        staff_id=body.staff_id,
        nights=body.nights,
        actor=actor(caller),
    )
    return await _step(request, caller, booking_id, command)


@router.post(
    "/bookings/{booking_id}/proposal",
    response_model=Booking,
    tags=["bookings"],
    summary="The shop proposes a new time (reserved until the customer answers)",
)
async def propose(request: Request, caller: Caller, booking_id: UUID, body: ProposalBody) -> Booking:
    command = c.ProposeChange(booking_id=booking_id, actor=actor(caller), **body.model_dump())
    return await _step(request, caller, booking_id, command)


@router.post("/bookings/{booking_id}/proposal/accept", response_model=Booking, tags=["bookings"])
async def accept_proposal(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(
        request, caller, booking_id, c.AcceptChange(booking_id=booking_id, actor=actor(caller))
    )


@router.post("/bookings/{booking_id}/proposal/decline", response_model=Booking, tags=["bookings"])
async def decline_proposal(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(
        request, caller, booking_id, c.DeclineChange(booking_id=booking_id, actor=actor(caller))
    )


@router.post("/bookings/{booking_id}/check-in", response_model=Booking, tags=["day of service"])
async def check_in(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(request, caller, booking_id, c.CheckIn(booking_id=booking_id, actor=actor(caller)))


@router.post("/bookings/{booking_id}/start", response_model=Booking, tags=["day of service"])
async def start(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(
        request, caller, booking_id, c.StartService(booking_id=booking_id, actor=actor(caller))
    )


@router.post(
    "/bookings/{booking_id}/progress",
    response_model=Booking,
    status_code=201,
    tags=["day of service"],
    summary="A progress update (text and/or a photo reference) for the customer",
)
async def progress(request: Request, caller: Caller, booking_id: UUID, body: ProgressBody) -> Booking:
    command = c.PostProgress(
        booking_id=booking_id, update_id=uuid4(), actor=actor(caller), **body.model_dump()
    )
    return await _step(request, caller, booking_id, command)


@router.post("/bookings/{booking_id}/complete", response_model=Booking, tags=["day of service"])
async def complete(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(
        request, caller, booking_id, c.CompleteBooking(booking_id=booking_id, actor=actor(caller))
    )


@router.post(
    "/bookings/{booking_id}/staff-notes",
    response_model=Booking,
    status_code=201,
    tags=["bookings"],
    summary="A note for the shop's eyes only (staff); the customer never sees it",
)
async def add_staff_note(request: Request, caller: Caller, booking_id: UUID, body: StaffNoteBody) -> Booking:
    command = c.AddStaffNote(booking_id=booking_id, note_id=uuid4(), text=body.text, actor=actor(caller))
    return await _step(request, caller, booking_id, command)


@router.post("/bookings/{booking_id}/no-show", response_model=Booking, tags=["day of service"])
async def no_show(request: Request, caller: Caller, booking_id: UUID) -> Booking:
    return await _step(request, caller, booking_id, c.MarkNoShow(booking_id=booking_id, actor=actor(caller)))


# waitlist


@router.post(
    "/waitlist",
    status_code=201,
    tags=["waitlist"],
    summary="Wait for a full time; a hold is offered when it frees (409 slot_available if it is free)",
)
async def join_waitlist(request: Request, caller: Caller, body: WaitlistBody) -> dict[str, Any]:
    customer_id = await _customer(request, caller, body.customer_id)
    entry_id = uuid4()
    command = c.JoinWaitlist(
        entry_id=entry_id,
        shop_id=caller.shop_id,
        customer_id=customer_id,
        actor=actor(caller),
        **body.model_dump(exclude={"customer_id"}),
    )
    bookings = _bookings(request)
    await bookings.run(caller, command)
    entries = await bookings.reads.get(
        caller, "/waitlist", customer_id=customer_id if caller.is_staff else None
    )
    return next(e for e in entries if e["id"] == str(entry_id))


@router.get("/waitlist", tags=["waitlist"], summary="The caller's waitlist entries (staff: the shop's)")
async def list_waitlist(request: Request, caller: Caller, limit: Limit = 200) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await _bookings(request).reads.get(caller, "/waitlist", limit=limit)
    return found


@router.delete("/waitlist/{entry_id}", status_code=204, tags=["waitlist"])
async def leave_waitlist(request: Request, caller: Caller, entry_id: UUID) -> Response:
    await _bookings(request).run(caller, c.LeaveWaitlist(entry_id=entry_id, actor=actor(caller)))
    return Response(status_code=204)


# customers' pets and children


@router.post(
    "/pets", status_code=201, tags=["pets"], summary="Register a pet or child (customer, or staff for one)"
)
async def register_pet(request: Request, caller: Caller, body: NewPet) -> dict[str, Any]:
    customer_id = await _customer(request, caller, body.customer_id)
    pet_id = uuid4()
    profile = c.PetProfile(**body.model_dump(exclude={"customer_id"}))
    command = c.RegisterPet(
        pet_id=pet_id, shop_id=caller.shop_id, customer_id=customer_id, profile=profile, actor=actor(caller)
    )
    return await _pet_step(request, caller, pet_id, command)


async def _pet_step(request: Request, caller: Principal, pet_id: UUID, command: Contract) -> dict[str, Any]:
    bookings = _bookings(request)
    await bookings.run(caller, command)
    pet: dict[str, Any] = await bookings.reads.get(caller, f"/pets/{pet_id}")
    return pet


@router.put("/pets/{pet_id}", tags=["pets"], summary="Replace a pet's or child's profile")
async def update_pet(request: Request, caller: Caller, pet_id: UUID, body: PetBody) -> dict[str, Any]:
    command = c.UpdatePet(pet_id=pet_id, profile=c.PetProfile(**body.model_dump()), actor=actor(caller))
    return await _pet_step(request, caller, pet_id, command)


@router.get("/pets", tags=["pets"], summary="The caller's pets (staff: the shop's, or one customer's)")
async def list_pets(
    request: Request, caller: Caller, customer_id: UUID | None = None, limit: Limit = 200
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await _bookings(request).reads.get(
        caller, "/pets", customer_id=customer_id if caller.is_staff else None, limit=limit
    )
    return found


@router.get("/pets/{pet_id}", tags=["pets"], summary="A pet or child with its service history")
async def get_pet(request: Request, caller: Caller, pet_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await _bookings(request).reads.get(caller, f"/pets/{pet_id}")
    return found


@router.get(
    "/customers/{customer_id}/profile",
    tags=["pets"],
    summary="A customer with their pets or children and their bookings (staff; a customer: their own)",
)
async def customer_profile(request: Request, caller: Caller, customer_id: UUID) -> dict[str, Any]:
    if not caller.is_staff and caller.user_id != customer_id:
        raise ApiError(404, "customer_not_found", "No such customer in this shop.")
    name = await _identity(request).customer_name(caller.shop_id, customer_id)
    if name is None:
        raise ApiError(404, "customer_not_found", "No such customer in this shop.")
    reads = _bookings(request).reads
    pets = await reads.get(caller, "/pets", customer_id=customer_id)
    bookings = await reads.get(caller, "/bookings", customer_id=customer_id, limit=200)
    return {"customer_id": customer_id, "name": name, "pets": pets, "bookings": bookings}


# After the bookings' own routes: holding and confirming are tried first (bootstrap.py).
router.include_router(booking_setup.router)
