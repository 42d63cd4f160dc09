"""Shop setup for booking: timezone and policy, services, staff profiles and time off,
resources. Owner only, except that staff keep their own profile and time off; each
change is a command keyed by the shop id, answered before the call returns."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request, Response
from frontdesk_contracts import Contract
from frontdesk_contracts import booking as c
from frontdesk_platform.errors import ApiError

from ..bookings import Bookings, actor
from ..identity.service import Identity
from ..identity.tokens import Principal
from .auth import Caller, own_shop
from .booking_schemas import (
    BookingPolicy,
    ResourceBody,
    ServiceBody,
    StaffProfileBody,
    TimeOffBody,
    TimeOffCreated,
)

router = APIRouter(prefix="/shops/{shop_id}", tags=["shop setup"])  # included by booking.router


def _bookings(request: Request) -> Bookings:
    bookings: Bookings = request.app.state.bookings
    return bookings


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


async def _setup(request: Request, caller: Principal, shop_id: UUID, payload: Contract) -> dict[str, Any]:
    own_shop(caller, shop_id)
    bookings = _bookings(request)
    await bookings.run(caller, payload)
    catalog: dict[str, Any] = await bookings.reads.get(caller, "/catalog")
    return catalog


@router.get("/catalog", summary="Policy, services, staff, resources")
async def get_catalog(request: Request, caller: Caller, shop_id: UUID) -> dict[str, Any]:
    own_shop(caller, shop_id)
    catalog: dict[str, Any] = await _bookings(request).reads.get(caller, "/catalog")
    return catalog


@router.put("/booking-policy", summary="Timezone and booking policy (owner)")
async def set_policy(request: Request, caller: Caller, shop_id: UUID, body: BookingPolicy) -> dict[str, Any]:
    own_shop(caller, shop_id)
    timezone = body.timezone or await _identity(request).timezone(shop_id)
    policy = c.Policy(**body.model_dump(exclude={"timezone", "check_in_window_minutes"}))
    command = c.ConfigureShop(
        shop_id=shop_id,
        timezone=timezone,
        policy=policy,
        check_in_window_minutes=body.check_in_window_minutes,
        actor=actor(caller),
    )
    return await _setup(request, caller, shop_id, command)


@router.put("/services/{service_id}", summary="Add or change a service (owner)")
async def define_service(
    request: Request, caller: Caller, shop_id: UUID, service_id: UUID, body: ServiceBody
) -> dict[str, Any]:
    own_shop(caller, shop_id)
    terms, schedule = _service_terms(service_id, body)
    command = c.DefineService(shop_id=shop_id, service=terms, schedule=schedule, actor=actor(caller))
    return await _setup(request, caller, shop_id, command)


def _service_terms(service_id: UUID, body: ServiceBody) -> tuple[c.ServiceTerms, c.ServiceSchedule | None]:
    """The catalog terms, and the schedule of a service that is not staff's hours (booking
    decides whether the combination makes sense)."""
    duration = body.duration_minutes
    if duration is None:
        if not body.per_night:
            raise ApiError(422, "invalid_service", "A timed service needs duration_minutes.")
        duration = 24 * 60  # a nightly service lasts from check-in to check-out instead
    timing = {"needs_staff", "hours", "per_night", "check_in", "check_out"}
    terms = c.ServiceTerms(
        service_id=service_id,
        duration_minutes=duration,
        **body.model_dump(exclude={"duration_minutes", *timing}),
    )
    needs_staff = body.needs_staff if body.needs_staff is not None else not body.per_night
    schedule = c.ServiceSchedule(**{**body.model_dump(include=timing), "needs_staff": needs_staff})
    return terms, None if schedule == c.ServiceSchedule() else schedule


@router.put(
    "/staff/{staff_id}/profile",
    summary="Skills, weekly hours and breaks (owner, or the staff member)",
)
async def set_staff_profile(
    request: Request, caller: Caller, shop_id: UUID, staff_id: UUID, body: StaffProfileBody
) -> dict[str, Any]:
    own_shop(caller, shop_id)
    if not await _identity(request).is_staff(shop_id, staff_id):
        raise ApiError(404, "staff_not_found", "No such staff member in this shop.")
    terms = c.StaffTerms(staff_id=staff_id, **body.model_dump())
    command = c.SetStaffProfile(shop_id=shop_id, profile=terms, actor=actor(caller))
    return await _setup(request, caller, shop_id, command)


@router.post(
    "/staff/{staff_id}/time-off",
    status_code=201,
    response_model=TimeOffCreated,
    summary="Take a staff member off work between two instants",
)
async def add_time_off(
    request: Request, caller: Caller, shop_id: UUID, staff_id: UUID, body: TimeOffBody
) -> TimeOffCreated:
    time_off_id = uuid4()
    command = c.AddTimeOff(
        shop_id=shop_id, staff_id=staff_id, time_off_id=time_off_id, actor=actor(caller), **body.model_dump()
    )
    await _setup(request, caller, shop_id, command)
    return TimeOffCreated(time_off_id=time_off_id)


@router.delete("/staff/{staff_id}/time-off/{time_off_id}", status_code=204)
async def remove_time_off(
    request: Request, caller: Caller, shop_id: UUID, staff_id: UUID, time_off_id: UUID
) -> Response:
    command = c.RemoveTimeOff(
        shop_id=shop_id, staff_id=staff_id, time_off_id=time_off_id, actor=actor(caller)
    )
    await _setup(request, caller, shop_id, command)
    return Response(status_code=204)


@router.put(
    "/resources/{resource_id}",
    summary="Add or change a resource (owner)",
)
async def define_resource(
    request: Request, caller: Caller, shop_id: UUID, resource_id: UUID, body: ResourceBody
) -> dict[str, Any]:
    terms = c.ResourceTerms(resource_id=resource_id, **body.model_dump())
    command = c.DefineResource(shop_id=shop_id, resource=terms, actor=actor(caller))
    return await _setup(request, caller, shop_id, command)
