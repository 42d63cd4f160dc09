"""Internal reads of a shop's settings and service-level figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.hours import is_open, parse_weekly
from ..domain.shop import render
from ..projections import reports, shops

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])


def _session(request: Request) -> AsyncSession:
    session: AsyncSession = request.app.state.sessions()
    return session


@router.get("/templates")
async def templates(request: Request, shop_id: UUID) -> list[dict[str, Any]]:
    async with _session(request) as session:
        return await shops.templates(session, shop_id)


@router.get("/templates/{template_id}/render")
async def render_template(
    request: Request, shop_id: UUID, template_id: UUID, conversation_id: UUID, pet_name: str | None = None
) -> dict[str, str]:
    async with _session(request) as session:
        found = [t for t in await shops.templates(session, shop_id) if t["template_id"] == template_id]
        customer = (
            await session.execute(
                text(
                    "SELECT p.name FROM conversations c JOIN people p ON p.user_id = c.customer_id "
                    "WHERE c.id = :c AND c.shop_id = :s"
                ),
                {"c": conversation_id, "s": shop_id},
            )
        ).first()
    if not found:
        raise ApiError(404, "template_not_found", "No such template.")
    values = {"customer_name": customer.name if customer else None, "pet_name": pet_name}
    return {"text": render(found[0]["text"], {k: v for k, v in values.items() if v})}


@router.get("/hours")
async def hours(request: Request, shop_id: UUID) -> dict[str, Any]:
    async with _session(request) as session:
        found = await shops.hours(session, shop_id)
    return found or {"timezone": "UTC", "weekly": {}, "auto_reply_text": None}


@router.get("/calls")
async def calls(request: Request, shop_id: UUID) -> dict[str, Any]:
    """The call policy, and whether a call may start now (business hours in the shop's timezone)."""
    async with _session(request) as session:
        policy = await shops.calls(session, shop_id)
        opening = await shops.hours(session, shop_id)
    open_now = policy["policy"] != "off"
    if policy["policy"] == "business_hours" and opening and opening["weekly"]:  # no hours set: always open
        open_now = is_open(parse_weekly(opening["weekly"]), opening["timezone"], datetime.now(UTC))
    return {**policy, "open_now": open_now}


@router.get("/reports")
async def report(
    request: Request,
    shop_id: UUID,
    since: datetime,
    until: datetime,
    period: Literal["day", "week"] = "day",
    by: Literal["shop", "staff"] = "shop",
    timezone: Annotated[str, Query(max_length=64)] = "UTC",
) -> list[dict[str, Any]]:
    async with _session(request) as session:
        return await reports.report(session, shop_id, since, until, period, by == "staff", timezone)
