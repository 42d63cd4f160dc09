"""Internal read API of the shop's calendar: a range with a cursor, then what changed.

The cursor is opaque to clients: the commit position seen (projections/calendar.py)
and the range it was made for, so a cursor cannot be replayed against another range
(entries that were never in the old range would be missed).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.shop import Shop
from ..projections import calendar, catalog

router = APIRouter(prefix="/internal/shops/{shop_id}", tags=["internal"])
MAX_RANGE = timedelta(days=93)


class CalendarPage(BaseModel):
    timezone: str | None
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    entries: list[dict[str, Any]]
    gone: list[UUID]  # changed entries now outside the range: drop them if held
    cursor: str
    has_more: bool


def _session(request: Request) -> AsyncSession:
    session: AsyncSession = request.app.state.sessions()
    return session


@router.get("/calendar", response_model=CalendarPage)
async def get_calendar(
    request: Request,
    shop_id: UUID,
    from_: Annotated[datetime, Query(alias="from")],
    to: datetime,
    cursor: str | None = None,
    staff_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> CalendarPage:
    """Without a cursor: every entry in [from, to). With one: the entries changed since,
    `limit` at a time (`has_more`: ask again with the new cursor at once)."""
    _check_range(from_, to)
    async with _session(request) as session:
        shop = await catalog.load_shop(session, shop_id)
        if cursor is None:
            entries, position = await calendar.in_range(session, shop_id, from_, to, staff_id)
            gone, more = [], False
        else:
            after = _read_cursor(cursor, from_, to)
            changed, position, more = await calendar.changed_since(session, shop_id, after, limit)
            entries = [e for e in changed if e.overlaps(from_, to)]
            gone = [e.entry_id for e in changed if not e.overlaps(from_, to)]
    return CalendarPage(
        timezone=shop.timezone or None,
        from_=from_,
        to=to,
        entries=[_shown(e, shop) for e in entries],
        gone=gone,
        cursor=_write_cursor(position, from_, to),
        has_more=more,
    )


def _shown(entry: calendar.Entry, shop: Shop) -> dict[str, Any]:
    """A booking names its service and the resources it uses (which station, which kennel)."""
    shown = {"kind": entry.kind, **entry.body}
    if entry.kind == "booking":
        units = {str(unit): r for r in shop.resources.values() for unit in r.units}
        used = [units[u] for u in entry.body.get("resource_units", []) if u in units]
        shown["resources"] = [{"resource_id": str(r.id), "name": r.name, "type": r.type} for r in used]
        service = shop.services.get(UUID(entry.body["service_id"]))
        shown["service_name"] = service.name if service else None
    return shown


def _check_range(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ApiError(
            422, "invalid_range", "from and to need a UTC offset (e.g. 2026-12-05T00:00:00+08:00)."
        )
    if not start < end <= start + MAX_RANGE:
        raise ApiError(422, "invalid_range", f"to must be after from, at most {MAX_RANGE.days} days later.")


def _write_cursor(position: calendar.Position, start: datetime, end: datetime) -> str:
    raw = json.dumps({"x": position.xid, "i": position.id, "f": start.isoformat(), "t": end.isoformat()})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_cursor(cursor: str, start: datetime, end: datetime) -> calendar.Position:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = calendar.Position(int(raw["x"]), int(raw["i"]))
        made_for = (datetime.fromisoformat(raw["f"]), datetime.fromisoformat(raw["t"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ApiError(422, "invalid_cursor", "Not a cursor this calendar gave.") from exc
    if made_for != (start, end):
        raise ApiError(422, "invalid_cursor", "A cursor works for the range it was made for; start over.")
    if not (0 <= position.xid < 2**63 and 0 <= position.id <= calendar.LAST_ID):
        raise ApiError(422, "invalid_cursor", "Not a cursor this calendar gave.")
    return position
