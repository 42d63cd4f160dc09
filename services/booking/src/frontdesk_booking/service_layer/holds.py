"""Expired holds that nobody has swept yet: a booking that runs into one expires it first."""

from __future__ import annotations

from uuid import UUID

from ..adapters import allocations
from ..domain.placement import Placement
from .context import Context
from .waitlist_offers import settle_offer


async def expire(ctx: Context, booking_id: UUID) -> None:
    booking = await ctx.repositories.bookings.get(ctx.uow, booking_id)
    if booking.expire_if_due(ctx.now):
        await ctx.allocations.release(booking_id)
        await ctx.save_booking(booking)
        await settle_offer(ctx, booking, "expired")


async def clear_expired(ctx: Context, placements: tuple[Placement, ...], booking_id: UUID) -> bool:
    """Expire the lapsed holds that still occupy part of these placements; whether any did."""
    stale = {
        b
        for placement in placements
        for b in await allocations.expired_in_the_way(await ctx.db(), placement, ctx.now)
        if b != booking_id
    }
    for expired in sorted(stale):
        await expire(ctx, expired)
    return bool(stale)
