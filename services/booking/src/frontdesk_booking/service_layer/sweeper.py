"""Expires holds whose time ran out: appends the expiry event, frees the slot and offers
it to the waitlist. Runs periodically; one transaction per booking."""

from __future__ import annotations

import logging

from frontdesk_platform.eventstore import ConcurrencyError

from ..adapters import allocations
from ..domain.common import Refused
from .bookings import offer_freed
from .context import Context, Dependencies
from .waitlist_offers import settle_offer

log = logging.getLogger(__name__)


async def expire_holds(deps: Dependencies, batch: int = 200) -> int:
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        due = await allocations.expired_holds(await uow.connection(), now, batch)
    expired = 0
    for booking_id in due:
        try:
            async with deps.unit_of_work() as uow:
                ctx = Context(deps, uow, None, deps.clock())
                booking = await deps.repositories.bookings.get(uow, booking_id)
                placement = booking.placement
                if booking.expire_if_due(ctx.now):
                    await allocations.release(await uow.connection(), booking_id)
                    await ctx.save_booking(booking)
                    await settle_offer(ctx, booking, "expired")
                    if placement is not None and booking.shop_id is not None:
                        await offer_freed(ctx, booking.shop_id, placement)
                    expired += 1
                await uow.commit()
        except (ConcurrencyError, Refused) as exc:
            log.info("hold %s changed while expiring it (%r); next round", booking_id, exc)
    return expired
