"""Placing a booking of several services: every part in the allocation table in one go.

The chains that are free in what this transaction reads are tried best first; each try
inserts the rows of all its parts at once (all or none), so a chain is taken whole or not at
all, under the same exclusion constraint as any booking (a concurrent booking of any
part's staff member or unit makes the try fail, and the next chain is tried).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from ..domain.chain import Part, Step, chains_at, nearest_chains, reach
from ..domain.placement import Placement
from ..domain.shop import Shop
from .context import Context, Rejected
from .holds import clear_expired
from .metrics import CONFLICTS

ALTERNATIVE_DAYS = 1  # a booking of several services is offered other starts up to a day away


async def place_chain(
    ctx: Context,
    shop: Shop,
    steps: Sequence[Step],
    booking_id: UUID,
    start: datetime,
    expires_at: datetime | None,
    prefer: Sequence[UUID | None] = (),
) -> tuple[Part, ...]:
    """Allocate the best free chain at `start` (keeping the staff in `prefer` where it can),
    or refuse with the nearest free starts."""
    start = start.astimezone(UTC)
    view = ctx.allocations
    occupancy = await view.occupancy(shop.id, start, start + reach(steps), booking_id)
    chains = chains_at(shop, steps, start, occupancy.seen_at(ctx.now, booking_id), ctx.now, prefer)
    for chain in chains:
        placed = await view.place(shop.id, booking_id, chain, expires_at)
        if not placed:
            # an expired hold nobody has swept yet still holds its rows: expire it, try again
            if await clear_expired(ctx, chain, booking_id):
                placed = await view.place(shop.id, booking_id, chain, expires_at)
            else:
                view.forget(shop.id)  # another transaction took it: what was read is out of date
        if placed:
            return tuple(
                Part(service.id, placement, service.price_for(None))
                for (service, _), placement in zip(steps, chain, strict=True)
            )
    alternatives = await _alternatives(ctx, shop, steps, start, booking_id)
    if not chains and not chains_at(shop, steps, start, [], ctx.now):
        raise Rejected("not_bookable", "the shop does not offer these services at that time", alternatives)
    CONFLICTS.labels("slot_taken").inc()
    raise Rejected("slot_taken", "that time is taken; the nearest free times are offered", alternatives)


async def _alternatives(
    ctx: Context, shop: Shop, steps: Sequence[Step], start: datetime, booking_id: UUID
) -> list[Placement]:
    """The nearest free starts, each as the whole booking's envelope."""
    margin = timedelta(days=ALTERNATIVE_DAYS + 1)
    occupancy = await ctx.allocations.occupancy(
        shop.id, start - margin, start + margin + reach(steps), booking_id, around=True
    )
    found = nearest_chains(
        shop, steps, start, occupancy.seen_at(ctx.now, booking_id), ctx.now, ALTERNATIVE_DAYS
    )
    return [
        Placement(c[0].starts_at, c[-1].ends_at, c[-1].occupied_until, c[0].staff_id, c[0].resource_units)
        for c in found
    ]
