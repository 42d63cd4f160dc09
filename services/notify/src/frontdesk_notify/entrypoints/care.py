"""Internal API for care cycles: a pet's cycles with their next due date and notice, and
the notices they gave. Scoped by the shop the gateway passes in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ..projections import care

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])


class Cycle(BaseModel):
    kind: str
    every: int
    unit: str
    since: date
    notice_days_before: int
    service_id: UUID | None
    due_on: date = Field(description="The next due date to give notice of")
    notice_at: datetime = Field(description="When that notice goes")
    notified_through: date | None = Field(description="The last due date a notice was given for")


class Notice(BaseModel):
    id: str
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


@router.get("/pets/{pet_id}/care", response_model=PetCare)
async def pet_care(
    request: Request, shop_id: UUID, pet_id: UUID, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> Any:
    async with request.app.state.sessions() as session:
        cycles = await care.cycles_of(session, shop_id, pet_id)
        notices = await care.notices_of(session, shop_id, pet_id, limit)
    return {"pet_id": pet_id, "cycles": cycles, "notices": notices}
