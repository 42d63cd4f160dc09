"""What becomes of a waitlist entry when the hold it was offered is settled: confirmed
→ `booked`; cancelled → `declined`; run out → `expired`. The time the last two free is
offered to the next in line by the caller (bookings.offer_freed), in the same transaction."""

from __future__ import annotations

from typing import Literal

from ..domain.booking import Booking
from ..projections import customers as customer_rows
from .context import Context

Outcome = Literal["booked", "declined", "expired"]


async def settle_offer(ctx: Context, booking: Booking, outcome: Outcome) -> None:
    if booking.source != "waitlist" or booking.shop_id is None:
        return
    entry_id = await customer_rows.offered_for(ctx.session, booking.shop_id, booking.id)
    if entry_id is None:
        return  # booked already (a confirmed offer later cancelled), or never an entry's
    entry = await ctx.repositories.waitlist.get(ctx.uow, entry_id)
    if outcome == "booked":
        entry.book(booking.id, ctx.now)
    else:
        entry.end_offer(booking.id, outcome, ctx.now)
    await ctx.save_entry(entry)
