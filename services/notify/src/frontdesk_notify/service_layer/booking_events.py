"""Booking events → what the customer hears: a confirmation at once, notices when the
booking moves, is cancelled or the shop proposes a change, the reminders to come, and a
time offered to them from the waitlist.

Events of one booking arrive in order (keyed by booking id); a redelivered one is
recognised by its tracking record, and an older version never overwrites a newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_contracts import booking as c
from frontdesk_platform.pipeline import Pipeline, Route, Work
from frontdesk_platform.row_writes import RowWrite, write
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import reminders, templates
from ..projections import recipients, store
from .deps import Dependencies

CONSUMER = "notify.booking-events"
MOVED = ("rescheduled", "change_accepted")
ENDED = ("cancelled", "expired", "no_show", "change_declined")


def events(deps: Dependencies) -> Pipeline[Work[Dependencies]]:
    return Pipeline(_route, lambda uow, event: Work(deps, uow, event))


async def handle_booking_event(deps: Dependencies, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(deps).carry_out_one(CONSUMER, deps.unit_of_work, event)


def _route(type_name: str) -> Route[Work[Dependencies]] | None:
    kind = _kind(type_name)
    if kind is None:
        return None

    async def apply(work: Work[Dependencies], event: Envelope) -> None:
        await _apply(work.session, work.deps, kind, event)

    return Route(apply)


def _kind(type_name: str) -> str | None:
    """`booking.booking.confirmed.v1` → `booking:confirmed` (any version of the type)."""
    parts = type_name.split(".")
    if len(parts) != 4 or parts[0] != "booking":
        return None
    return f"{parts[1]}:{parts[2]}"


class Change(NamedTuple):
    applied: bool  # False: an older event, arriving late, changed nothing
    before: Row[Any] | None = None  # a booking as it was before the event (None: new)


async def project(session: AsyncSession, event: Envelope) -> Change:
    """What notify keeps of shops, services and bookings, and the booking as it was."""
    kind, known = _kind(event.type), None
    if kind is not None and kind.startswith("booking:"):
        known = await store.booking(session, UUID(event.data["booking_id"]))
        if known is not None and known.version >= (event.aggregate_version or 0):
            return Change(applied=False)
    await write(session, writes(event))
    return Change(True, known)


def projects(type_name: str) -> bool:
    return (_kind(type_name) or "").startswith(("shop:", "service:", "booking:"))


def writes(event: Envelope) -> list[RowWrite]:
    """What notify keeps of shops, services and bookings: all a rebuild replays."""
    kind, data = _kind(event.type), event.data
    if kind == "shop:configured":
        return [store.timezone_write(UUID(data["shop_id"]), data["timezone"])]
    if kind == "service:defined":
        service = data["service"]
        return [store.service_write(UUID(data["shop_id"]), UUID(service["service_id"]), service["name"])]
    if kind is not None and kind.startswith("booking:"):
        return [store.booking_write(data, event.aggregate_version or 0)]
    return []


async def _apply(session: AsyncSession, deps: Dependencies, kind: str, event: Envelope) -> None:
    if kind == "waitlist:offered":
        await _tell_offer(session, deps, c.WaitlistOffered.model_validate(event.data))
        return
    change = await project(session, event)
    if not change.applied or not kind.startswith("booking:"):
        return
    known, data, step = change.before, event.data, kind.removeprefix("booking:")
    booking_id, version = UUID(data["booking_id"]), event.aggregate_version or 0
    now = deps.clock()
    if step in MOVED or step in ENDED:
        await store.drop_reminders(session, booking_id, "moved" if step in MOVED else "cancelled")
    plans_reminders = step in ("confirmed", *MOVED)
    category = _category(step, data, was_confirmed=known is not None and known.status != "held")
    if not plans_reminders and category is None:
        return
    timezone, times = await store.shop(session, UUID(data["shop_id"]))
    if plans_reminders and timezone is not None:
        starts_at = datetime.fromisoformat(data["starts_at"])
        await store.schedule(session, reminders.plan(booking_id, version, starts_at, timezone, times, now))
    if category is not None:
        starts_at = datetime.fromisoformat(
            data["proposed"]["starts_at"] if step == "change_proposed" else data["starts_at"]
        )
        customer = UUID(data["customer_id"])
        prefs = await recipients.preferences(session, customer)
        notice = booking_notice(
            id=f"booking:{booking_id}:v{version}:{category}",
            category=category,
            shop_id=UUID(data["shop_id"]),
            customer_id=customer,
            booking_id=booking_id,
            starts_at=starts_at,
            service=await store.service_name(session, UUID(data["shop_id"]), UUID(data["service_id"])),
            timezone=timezone or "UTC",
            language=templates.language_of(prefs.language, deps.default_language),
        )
        await store.queue_many(session, [notice], now)


async def _tell_offer(session: AsyncSession, deps: Dependencies, offer: c.WaitlistOffered) -> None:
    """ "周六10点空出来了，30分钟内确认即可保留": the customer confirms the held booking."""
    if offer.starts_at is None or offer.hold_expires_at is None:
        return  # an offer from before offers said what they were
    prefs = await recipients.preferences(session, offer.customer_id)
    language = templates.language_of(prefs.language, deps.default_language)
    text = templates.render_offer(
        language,
        offer.service_name or "",
        offer.starts_at,
        offer.timezone or "UTC",
        offer.at,
        offer.hold_expires_at,
    )
    notice = {
        "id": f"waitlist:{offer.entry_id}:{offer.booking_id}:offered",
        "shop_id": offer.shop_id,
        "user_id": offer.customer_id,
        "category": "booking_waitlist_offered",
        "critical": False,
        "title": text.title,
        "body": text.body,
        "language": text.language,
        "data": {
            "booking_id": str(offer.booking_id),
            "entry_id": str(offer.entry_id),
            "starts_at": offer.starts_at.isoformat(),
            "hold_expires_at": offer.hold_expires_at.isoformat(),
        },
    }
    await store.queue_many(session, [notice], deps.clock())


def _category(step: str, data: dict[str, Any], was_confirmed: bool) -> str | None:
    if step == "confirmed":
        return "booking_confirmed"
    if step in MOVED:
        return "booking_rescheduled"
    if step == "change_proposed":
        return "booking_change_proposed"
    if step in ("cancelled", "change_declined") and data["status"] == "cancelled" and was_confirmed:
        return "booking_cancelled"
    return None


def booking_notice(
    *,
    id: str,
    category: str,
    shop_id: UUID,
    customer_id: UUID,
    booking_id: UUID,
    starts_at: datetime,
    service: str,
    timezone: str,
    language: str,
) -> dict[str, Any]:
    """A notification about a booking, worded in the customer's language and ready to
    queue; `starts_at` in its data lets delivery re-check a reminder against the booking."""
    text = templates.render_booking(category, language, service, starts_at, timezone)
    return {
        "id": id,
        "shop_id": shop_id,
        "user_id": customer_id,
        "category": category,
        "critical": category in templates.CRITICAL,
        "title": text.title,
        "body": text.body,
        "language": text.language,
        "data": {"booking_id": str(booking_id), "starts_at": starts_at.isoformat()},
    }
