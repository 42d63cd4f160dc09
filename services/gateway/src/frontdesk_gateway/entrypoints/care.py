"""Care cycles per pet: the shop sets when a pet's bath, deworming, vaccine or birthday
comes round, and notify gives the customer a friendly notice with a one-tap booking link
ahead of each due date. The pet is read from the booking service in the caller's shop
(a customer: only their own), so its owner and name never come from the request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from frontdesk_contracts import notify as c
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody, StoredDate
from pydantic import BaseModel, Field

from ..bookings import Bookings
from ..identity.tokens import Principal
from ..notifications import Notifications
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1/pets/{pet_id}", responses=ERRORS, tags=["pets"])


class CycleBody(StoredBody):
    kind: Literal["bath", "deworming", "vaccine", "birthday"]
    every: int = Field(ge=1, le=120, examples=[4])
    unit: Literal["day", "week", "month", "year"] = Field(examples=["week"])
    since: StoredDate = Field(description="Last done (bath, deworming, vaccine), or the birth date")
    notice_days_before: int = Field(default=7, ge=0, le=60, description="How far ahead the notice goes")
    service_id: UUID | None = Field(default=None, description="What the notice's one-tap link books")


class CyclesBody(StoredBody):
    cycles: list[CycleBody] = Field(max_length=4, description="At most one per kind; one left out stops")


class Cycle(BaseModel):
    kind: str
    every: int
    unit: str
    since: date
    notice_days_before: int
    service_id: UUID | None
    due_on: date = Field(description="The next due date a notice will be given for")
    notice_at: datetime = Field(description="When that notice goes")
    notified_through: date | None = Field(description="The last due date a notice was given for")


class Notice(BaseModel):
    id: str = Field(description="care:{pet_id}:{kind}:{due date}: one per due date")
    kind: str
    due_on: date
    status: str = Field(description="queued, skipped_opted_out or skipped_frequency_cap")
    notification_id: str | None
    decided_at: datetime
    delivery_status: str | None


class PetCare(BaseModel):
    pet_id: UUID
    cycles: list[Cycle]
    notices: list[Notice] = Field(description="Newest first")


@router.put(
    "/care-cycles",
    response_model=PetCare,
    summary="Set a pet's care cycles: bath, deworming, vaccine, birthday (staff)",
)
async def set_cycles(request: Request, caller: Caller, pet_id: UUID, body: CyclesBody) -> Any:
    if not caller.is_staff:
        raise ApiError(403, "forbidden", "The shop's staff set a pet's care cycles.")
    pet = await _pet(request, caller, pet_id)
    command = c.SetCareCycles(
        pet_id=pet_id,
        shop_id=caller.shop_id,
        customer_id=pet["customer_id"],
        pet_name=pet["name"],
        cycles=[c.CareCycle(**cycle.model_dump()) for cycle in body.cycles],
        actor=c.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id),
    )
    notifications = _notifications(request)
    await notifications.run(caller, pet_id, command)
    return await notifications.get(caller, f"/pets/{pet_id}/care")


@router.get(
    "/care-cycles",
    response_model=PetCare,
    summary="A pet's care cycles with the next due dates, and the notices given (staff; the pet's customer)",
)
async def get_cycles(request: Request, caller: Caller, pet_id: UUID) -> Any:
    await _pet(request, caller, pet_id)
    return await _notifications(request).get(caller, f"/pets/{pet_id}/care")


async def _pet(request: Request, caller: Principal, pet_id: UUID) -> dict[str, Any]:
    """The pet as the booking service knows it in the caller's shop (404 otherwise)."""
    bookings: Bookings = request.app.state.bookings
    found: dict[str, Any] = await bookings.reads.get(caller, f"/pets/{pet_id}")
    return found


def _notifications(request: Request) -> Notifications:
    found: Notifications = request.app.state.notifications
    return found
