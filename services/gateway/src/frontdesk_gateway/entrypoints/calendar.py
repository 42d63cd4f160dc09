"""The shop's calendar for staff apps, and each staff member's iCalendar feed.

The calendar is staff-only: a range of bookings, time off and resource use, with a
cursor that later returns exactly what changed (booking's projections/calendar.py). The
feed lives at a secret URL that needs no token (a phone's calendar app cannot send one);
the owner or the staff member makes a new URL, and the old one stops answering. The
secret is a query parameter named `secret`, which every log cuts out, and never part of
a path (paths name trace spans).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredDatetime
from pydantic import BaseModel

from ..bookings import Bookings
from ..calendar import ics
from ..calendar.feeds import CalendarFeeds
from ..identity.service import Identity
from .auth import Caller, own_shop
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS, tags=["calendar"])
FEED_PAST, FEED_AHEAD = timedelta(days=7), timedelta(days=60)


class CalendarPage(BaseModel):
    timezone: str | None
    entries: list[dict[str, Any]]
    gone: list[UUID]
    cursor: str
    has_more: bool


class FeedUrl(BaseModel):
    url: str


def _bookings(request: Request) -> Bookings:
    bookings: Bookings = request.app.state.bookings
    return bookings


def _feeds(request: Request) -> CalendarFeeds:
    feeds: CalendarFeeds = request.app.state.calendar_feeds
    return feeds


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


@router.get(
    "/shops/{shop_id}/calendar",
    response_model=CalendarPage,
    summary="Bookings, time off and resource use in [from, to); with a cursor, what changed since (staff)",
)
async def get_calendar(
    request: Request,
    caller: Caller,
    shop_id: UUID,
    from_: Annotated[StoredDatetime, Query(alias="from")],
    to: StoredDatetime,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> CalendarPage:
    own_shop(caller, shop_id)
    if not caller.is_staff:
        raise ApiError(403, "forbidden", "The shop's calendar is for its staff.")
    params = {"from": from_.isoformat(), "to": to.isoformat(), "cursor": cursor, "limit": limit}
    page = await _bookings(request).reads.get(caller, "/calendar", **params)
    return CalendarPage(**page)


@router.post(
    "/shops/{shop_id}/staff/{staff_id}/calendar-feed",
    response_model=FeedUrl,
    summary="A new secret iCalendar URL for the staff member; the previous one stops (owner, or the staff member)",
)
async def rotate_feed(request: Request, caller: Caller, shop_id: UUID, staff_id: UUID) -> FeedUrl:
    own_shop(caller, shop_id)
    if not await _identity(request).is_staff(shop_id, staff_id):
        raise ApiError(404, "staff_not_found", "No such staff member in this shop.")
    if caller.role != "owner" and caller.user_id != staff_id:
        raise ApiError(403, "forbidden", "Only the owner or the staff member may do that.")
    secret = await _feeds(request).rotate(shop_id, staff_id)
    return FeedUrl(url=str(request.url_for("calendar_feed").include_query_params(secret=secret)))


@router.get(
    "/calendar-feed.ics",
    name="calendar_feed",
    response_class=Response,
    summary="A staff member's bookings and time off as iCalendar (RFC 5545); the secret URL is the proof",
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar_feed(request: Request, secret: Annotated[str, Query(max_length=128)]) -> Response:
    feeds, identity = _feeds(request), _identity(request)
    found = await feeds.owner_of(secret)
    if found is None or not await identity.is_staff(*found):
        raise ApiError(404, "calendar_feed_not_found", "No such calendar feed; ask for a new URL.")
    shop_id, staff_id = found
    now = datetime.now().astimezone()
    params = {
        "from": (now - FEED_PAST).isoformat(),
        "to": (now + FEED_AHEAD).isoformat(),
        "staff_id": str(staff_id),
    }
    page = await _bookings(request).reads.of_shop(shop_id, "/calendar", **params)
    body = ics.feed("Frontdesk", page["entries"], now)
    return Response(body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private"})
