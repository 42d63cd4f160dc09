"""What messaging does with booking events: a day-of-service progress update ("已经开始
洗澡了", a photo when done) appears in the customer's conversation with the shop."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_contracts.messaging import conversation_id_for
from frontdesk_platform.pipeline import Pipeline, Route

from ..domain.model import Refused
from .context import Context, Dependencies

CONSUMER = "messaging.bookings"
PROGRESS_POSTED = "booking.booking.progress_posted."


def events(deps: Dependencies) -> Pipeline[Context]:
    return Pipeline(_route, lambda uow, event: Context(deps, uow, event))


async def handle_booking_event(deps: Dependencies, event: Envelope) -> None:
    """One event on its own (tests); the consumer carries out batches with `events`."""
    await events(deps).carry_out_one(CONSUMER, deps.unit_of_work, event)


def _route(type_name: str) -> Route[Context] | None:
    if not type_name.startswith(PROGRESS_POSTED):
        return None
    return Route(lambda ctx, event: _post_progress(ctx, event.data))


async def _post_progress(ctx: Context, data: dict[str, Any]) -> None:
    shop_id, customer_id = UUID(data["shop_id"]), UUID(data["customer_id"])
    conversation = await ctx.load(conversation_id_for(shop_id, customer_id))
    update = {
        "booking_id": data["booking_id"],
        "update_id": data["update_id"],
        "photo_ref": data.get("photo_ref"),
    }
    try:
        conversation.post_booking_update(
            shop_id, customer_id, UUID(data["posted_by"]), update, data.get("text", ""), ctx.deps.clock()
        )
    except Refused:
        return  # a conversation id that is not this customer's cannot happen; nothing to post into
    await ctx.save(conversation)
