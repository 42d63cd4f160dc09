"""A shop's messaging settings: business hours and out-of-hours answer, quick replies,
staff capacity for the round-robin, and service-level reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredBody, StoredDatetime, StoredText
from pydantic import Field

from ..conversations import Conversations
from ..identity.service import Identity
from ..identity.tokens import Principal
from .auth import Caller, own_shop
from .schemas import ERRORS

router = APIRouter(prefix="/v1/shops/{shop_id}", responses=ERRORS, tags=["shop settings"])


class BusinessHours(StoredBody):
    timezone: str | None = Field(
        default=None,
        examples=["Asia/Shanghai"],
        description="Leave it out: the shop's timezone from registration (POST /v1/shops) is used.",
    )
    weekly: dict[str, list[list[str]]] = Field(
        description='weekday (0 = Monday) → [["09:00", "18:00"], ...]; a day left out is closed',
        examples=[{"0": [["09:00", "12:00"], ["13:00", "18:00"]], "5": [["10:00", "16:00"]]}],
    )
    auto_reply_text: str | None = Field(
        default=None,
        max_length=4000,
        description="Sent outside the hours, at most once a day per conversation.",
    )


class TemplateBody(StoredBody):
    name: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=4000, examples=["{customer_name}您好,{pet_name}已经洗好了"])


class Capacity(StoredBody):
    capacity: int = Field(ge=0, le=100, description="Open conversations the round-robin gives at most.")


def _conversations(request: Request) -> Conversations:
    conversations: Conversations = request.app.state.conversations
    return conversations


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


def _staff(caller: Principal, shop_id: UUID) -> None:
    own_shop(caller, shop_id)
    if not caller.is_staff:
        raise ApiError(403, "forbidden", "Only the shop's staff can see or change its settings.")


@router.get("/hours", response_model=BusinessHours)
async def get_hours(request: Request, caller: Caller, shop_id: UUID) -> BusinessHours:
    own_shop(caller, shop_id)
    found = await _conversations(request).read_shop(caller, "/hours")
    if not found["weekly"]:  # none set yet (messaging then says UTC): the zone they will be in
        found["timezone"] = await _identity(request).timezone(shop_id)
    return BusinessHours(**found)


@router.put("/hours", response_model=BusinessHours, summary="Set opening hours (owner)")
async def set_hours(request: Request, caller: Caller, shop_id: UUID, body: BusinessHours) -> BusinessHours:
    own_shop(caller, shop_id)
    hours = body.model_copy(update={"timezone": body.timezone or await _identity(request).timezone(shop_id)})
    await _conversations(request).execute_for_shop(
        caller, "messaging.shop.set_business_hours.v1", hours.model_dump()
    )
    return hours


@router.get("/templates")
async def templates(request: Request, caller: Caller, shop_id: UUID) -> list[dict[str, Any]]:
    _staff(caller, shop_id)
    found: list[dict[str, Any]] = await _conversations(request).read_shop(caller, "/templates")
    return found


@router.put("/templates/{template_id}", summary="Create or replace a quick-reply template")
async def save_template(
    request: Request, caller: Caller, shop_id: UUID, template_id: UUID, body: TemplateBody
) -> dict[str, Any]:
    _staff(caller, shop_id)
    await _conversations(request).execute_for_shop(
        caller, "messaging.shop.save_template.v1", {"template_id": template_id, **body.model_dump()}
    )
    return {"template_id": str(template_id), **body.model_dump()}


@router.delete("/templates/{template_id}", status_code=204, response_class=Response)
async def delete_template(request: Request, caller: Caller, shop_id: UUID, template_id: UUID) -> Response:
    _staff(caller, shop_id)
    await _conversations(request).execute_for_shop(
        caller, "messaging.shop.delete_template.v1", {"template_id": template_id}
    )
    return Response(status_code=204)


@router.get(
    "/templates/{template_id}/render", summary="The template's text with the customer's (and pet's) name"
)
async def render_template(
    request: Request,
    caller: Caller,
    shop_id: UUID,
    template_id: UUID,
    conversation_id: UUID,
    pet_name: StoredText | None = None,
) -> dict[str, str]:
    _staff(caller, shop_id)
    await _conversations(request).authorize(caller, conversation_id)
    params: dict[str, Any] = {"conversation_id": conversation_id}
    if pet_name:
        params["pet_name"] = pet_name
    rendered: dict[str, str] = await _conversations(request).read_shop(
        caller, f"/templates/{template_id}/render", **params
    )
    return rendered


@router.put("/staff/{staff_id}/capacity", summary="A staff member's round-robin capacity (owner)")
async def set_capacity(
    request: Request, caller: Caller, shop_id: UUID, staff_id: UUID, body: Capacity
) -> dict[str, Any]:
    own_shop(caller, shop_id)
    accounts = _identity(request)
    # A staff id is not a secret (customers see it as sender_id): only this shop's own
    # staff have a capacity here.
    if not await accounts.is_staff(caller.shop_id, staff_id):
        raise ApiError(404, "staff_not_found", "No such staff member in this shop.")
    await _conversations(request).execute_for_shop(
        caller, "messaging.shop.set_staff_capacity.v1", {"staff_id": staff_id, "capacity": body.capacity}
    )
    return {"staff_id": str(staff_id), "capacity": body.capacity}


@router.get("/reports", summary="First-response time (in opening hours), resolution time and CSAT")
async def reports(
    request: Request,
    caller: Caller,
    shop_id: UUID,
    since: StoredDatetime | None = None,
    until: StoredDatetime | None = None,
    period: Literal["day", "week"] = "day",
    by: Annotated[Literal["shop", "staff"], Query()] = "shop",
) -> list[dict[str, Any]]:
    _staff(caller, shop_id)
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=30)
    rows: list[dict[str, Any]] = await _conversations(request).read_shop(
        caller,
        "/reports",
        since=since.isoformat(),
        until=until.isoformat(),
        period=period,
        by=by,
        timezone=await _identity(request).timezone(shop_id),
    )
    return rows
