"""What messaging does with booking events: a day-of-service progress update ("已经开始
洗澡了", a photo when done) appears in the customer's conversation with the shop."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope
from frontdesk_contracts.messaging import conversation_id_for

from ..domain.model import Refused
from .context import Context, Dependencies

CONSUMER = "messaging.bookings"
PROGRESS_POSTED = "booking.booking.progress_posted."


async def handle_booking_event(deps: Dependencies, event: Envelope) -> None:
    if not event.type.startswith(PROGRESS_POSTED):
        return
    async with deps.unit_of_work() as uow:
        if await uow.already_processed(CONSUMER, event.id):
            return
        await _post_progress(Context(deps, uow, event), event.data)
        await uow.mark_processed(CONSUMER, event.id)
        await uow.commit()


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
