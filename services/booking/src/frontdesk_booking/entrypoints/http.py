"""Internal read API. Every query is scoped by the shop the gateway passes in, and by the
customer when the caller is a customer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.database import driver_connection
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters import allocations
from ..domain.common import InvalidRequest, Refused
from ..domain.slots import MAX_SEARCH_DAYS, search
from ..projections import bookings as booking_rows
from ..projections import catalog
from ..projections import customers as customer_rows

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])
Limit = Annotated[int, Query(ge=1, le=500)]


class Slot(BaseModel):
    starts_at: datetime
    ends_at: datetime
    staff_id: UUID | None
    resource_units: list[UUID]
    nights: int | None = None
    price_cents: int


class SlotPage(BaseModel):
    timezone: str
    service_id: UUID
    slots: list[Slot]


class Booking(BaseModel):
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
    status: str
    hold_expires_at: datetime | None
    source: str
    proposal: dict[str, Any] | None
    services: list[dict[str, Any]] | None = None
    customer_note: str = ""
    created_at: datetime
    updated_at: datetime
    version: int
    updates: list[dict[str, Any]] | None = None
    staff_notes: list[dict[str, Any]] | None = None


def _session(request: Request) -> AsyncSession:
    session: AsyncSession = request.app.state.sessions()
    return session


def _clock(request: Request) -> Callable[[], datetime]:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


@router.get("/catalog")
async def get_catalog(request: Request, shop_id: UUID) -> dict[str, Any]:
    async with _session(request) as session:
        found = await catalog.get(session, shop_id)
    return found or {"shop_id": str(shop_id), "timezone": None, "services": [], "staff": [], "resources": []}


@router.get("/slots", response_model=SlotPage)
async def find_slots(
    request: Request,
    shop_id: UUID,
    service_id: UUID,
    from_date: date,
    to_date: date | None = None,
    staff_id: UUID | None = None,
    nights: int | None = None,
    limit: Limit = 200,
) -> SlotPage:
    """Free times; for a nightly service, the check-in dates of stays of `nights` nights."""
    last = to_date or from_date
    if last < from_date or (last - from_date).days >= MAX_SEARCH_DAYS:
        raise ApiError(422, "invalid_request", f"Search 1 to {MAX_SEARCH_DAYS} days at a time.")
    now = _clock(request)()
    async with _session(request) as session:
        shop = await catalog.load_shop(session, shop_id)
        try:
            service, zone = shop.service(service_id), shop.zone
            service.check_booking(staff_id, nights)
        except Refused as refused:
            raise _refusal(refused) from None
        start = datetime.combine(from_date, datetime.min.time(), zone).astimezone(UTC) - timedelta(days=1)
        end = datetime.combine(last, datetime.min.time(), zone).astimezone(UTC) + timedelta(days=3)
        busy = await allocations.busy(
            await driver_connection(session), shop_id, start, end + service.reach(nights), now
        )
    found = search(shop, service, from_date, last, busy, now, staff_id, nights=nights)[:limit]
    price = service.price_for(nights)
    return SlotPage(
        timezone=zone.key,
        service_id=service_id,
        slots=[
            Slot(
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                staff_id=p.staff_id,
                resource_units=list(p.resource_units),
                nights=p.nights,
                price_cents=price,
            )
            for p in found
        ],
    )


def _refusal(refused: Refused) -> ApiError:
    if refused.code.endswith("not_found"):
        return ApiError(404, refused.code, str(refused))
    if isinstance(refused, InvalidRequest):
        return ApiError(422, refused.code, str(refused))
    return ApiError(409, refused.code, str(refused))


@router.get("/bookings", response_model=list[Booking])
async def list_bookings(
    request: Request,
    shop_id: UUID,
    customer_id: UUID | None = None,
    pet_id: UUID | None = None,
    status: str | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    limit: Limit = 100,
) -> list[Booking]:
    async with _session(request) as session:
        rows = await booking_rows.search(
            session,
            shop_id,
            customer_id=customer_id,
            pet_id=pet_id,
            status=status,
            starts_from=starts_from,
            starts_before=starts_before,
            limit=limit,
        )
    return [Booking(**r) for r in rows]


@router.get("/bookings/{booking_id}", response_model=Booking)
async def get_booking(
    request: Request,
    shop_id: UUID,
    booking_id: UUID,
    customer_id: UUID | None = None,
    staff_view: bool = False,
) -> Booking:
    """`staff_view` (the gateway asks for it for staff callers only) adds the staff's notes."""
    async with _session(request) as session:
        row = await booking_rows.get(session, shop_id, booking_id, staff_view and customer_id is None)
    if row is None or (customer_id is not None and row["customer_id"] != customer_id):
        raise ApiError(404, "booking_not_found", "No such booking.")
    return Booking(**row)


@router.get("/pets")
async def list_pets(
    request: Request, shop_id: UUID, customer_id: UUID | None = None, limit: Limit = 200
) -> list[dict[str, Any]]:
    async with _session(request) as session:
        return await customer_rows.list_pets(session, shop_id, customer_id, limit)


@router.get("/pets/{pet_id}")
async def get_pet(
    request: Request, shop_id: UUID, pet_id: UUID, customer_id: UUID | None = None
) -> dict[str, Any]:
    """A pet or child with its service history (every booking made for it, newest first)."""
    async with _session(request) as session:
        pet = await customer_rows.get_pet(session, shop_id, pet_id)
        if pet is None or (customer_id is not None and pet["customer_id"] != customer_id):
            raise ApiError(404, "pet_not_found", "No such pet.")
        history = await booking_rows.search(session, shop_id, pet_id=pet_id, limit=500)
    pet["history"] = [Booking(**b).model_dump(mode="json") for b in reversed(history)]
    return pet


@router.get("/waitlist")
async def list_waitlist(
    request: Request, shop_id: UUID, customer_id: UUID | None = None, limit: Limit = 200
) -> list[dict[str, Any]]:
    async with _session(request) as session:
        return await customer_rows.list_entries(session, shop_id, customer_id, limit)
