"""What messaging does with booking events: a day-of-service progress update ("已经开始
洗澡了", a photo when done) appears in the customer's conversation with the shop, and so
does a time offered from the waitlist ("周六10:00空出来了，30分钟内确认即可保留")."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_contracts.booking import WaitlistOffered
from frontdesk_contracts.messaging import conversation_id_for
from frontdesk_platform.pipeline import Pipeline, Route

from ..domain.model import Refused
from ..domain.offers import offer_text
from .context import Context, Dependencies

CONSUMER = "messaging.bookings"
PROGRESS_POSTED = "booking.booking.progress_posted."
WAITLIST_OFFERED = "booking.waitlist.offered.v1"


def events(deps: Dependencies) -> Pipeline[Context]:
    return Pipeline(_route, lambda uow, event: Context(deps, uow, event))


async def handle_booking_event(deps: Dependencies, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(deps).carry_out_one(CONSUMER, deps.unit_of_work, event)


def _route(type_name: str) -> Route[Context] | None:
    if type_name == WAITLIST_OFFERED:
        return Route(_tell_offer, WaitlistOffered)
    if not type_name.startswith(PROGRESS_POSTED):
        return None
    return Route(lambda ctx, event: _post_progress(ctx, event.data))


async def _tell_offer(ctx: Context, offer: WaitlistOffered) -> None:
    if offer.starts_at is None or offer.hold_expires_at is None:
        return  # an offer from before offers said what they were
    conversation = await ctx.load(conversation_id_for(offer.shop_id, offer.customer_id))
    text = offer_text(
        ctx.deps.language,
        offer.service_name or "",
        offer.starts_at,
        offer.timezone or "UTC",
        offer.at,
        offer.hold_expires_at,
    )
    try:
        conversation.tell_waitlist_offer(offer.shop_id, offer.customer_id, offer.booking_id, text, offer.at)
    except Refused:
        return
    await ctx.save(conversation)


async def _post_progress(ctx: Context, data: dict[str, Any]) -> None:
    shop_id, customer_id = UUID(data["shop_id"]), UUID(data["customer_id"])
    conversation = await ctx.load(conversation_id_for(shop_id, customer_id))
    update = {
        "booking_id": data["booking_id"],
        "update_id": data["update_id"],
        "photo_ref": data.get("photo_ref"),
        "live_view_id": data.get("live_view_id"),
    }
    try:
        conversation.post_booking_update(
            shop_id, customer_id, UUID(data["posted_by"]), update, data.get("text", ""), ctx.deps.clock()
        )
    except Refused:
        return  # a conversation id that is not this customer's cannot happen; nothing to post into
    await ctx.save(conversation)
