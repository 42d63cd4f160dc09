"""Booking use cases: hold, confirm, cancel, reschedule, shop proposals, the day of service.

Each one loads the booking, checks the command is allowed, allocates the new time in the
allocation table (whose exclusion constraint refuses a double booking) and appends the
booking's events, all in the command's transaction. Time freed by a cancellation,
expiry or move is offered to the waitlist in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid5

from frontdesk_contracts import booking as c

from ..adapters import allocations
from ..domain.booking import Booking, BookingNotFound
from ..domain.chain import Part, check_steps, envelope
from ..domain.common import Actor, InvalidRequest, NotFound, Refused
from ..domain.pets import PetNotFound
from ..domain.placement import Placement
from ..domain.services import InvalidNights, Service
from ..domain.shop import ServiceNotFound, Shop, ShopNotSetUp
from ..domain.slots import nearest, placements_at
from ..domain.waitlist import Offer
from ..projections import customers as customer_rows
from .chains import place_chain
from .context import DUPLICATE, Answer, Context, Rejected, showing
from .holds import clear_expired
from .metrics import CONFLICTS
from .setup import actor
from .waitlist_offers import settle_offer

ALTERNATIVE_DAYS = 3  # alternatives are looked for this many days either side of the wanted time


async def place(
    ctx: Context,
    shop: Shop,
    service: Service,
    booking_id: UUID,
    start: datetime,
    staff_id: UUID | None,
    expires_at: datetime | None,
    kind: allocations.Kind = "current",
    offer_alternatives: bool = True,
    nights: int | None = None,
    keep: tuple[UUID, ...] = (),
    unwritten: bool = False,
) -> Placement:
    """Allocate the best free placement at `start` (a stay: of `nights` nights), or refuse
    with the nearest free ones. A placement with the units in `keep` comes first.
    `unwritten`: the command wrote nothing before this, so a refusal that expired no
    lapsed hold on its way leaves nothing to undo (`Refused.before_writing`)."""
    start = start.astimezone(UTC)
    view = ctx.allocations
    # only what overlaps this very placement can stand in its way
    reach = (start, start + service.reach(nights))
    occupancy = await view.occupancy(shop.id, *reach, booking_id)
    seen = occupancy.seen_at(ctx.now, booking_id, within=reach)
    candidates = placements_at(shop, service, start, seen, ctx.now, staff_id, nights)
    candidates.sort(key=lambda p: p.resource_units != keep)  # stable: otherwise best first
    for candidate in candidates:
        if await view.place(shop.id, booking_id, (candidate,), expires_at, kind):
            return candidate
        CONFLICTS.labels("lost_race").inc()
        # An expired hold nobody has swept yet still holds its rows: expire it and try again.
        cleared = await clear_expired(ctx, (candidate,), booking_id)
        unwritten = unwritten and not cleared
        if not cleared:
            view.forget(shop.id)  # another transaction took it: what was read is out of date
        elif await view.place(shop.id, booking_id, (candidate,), expires_at, kind):
            return candidate
    alternatives = (
        await _alternatives(ctx, shop, service, start, staff_id, booking_id, nights)
        if offer_alternatives
        else []
    )
    if not candidates and not placements_at(shop, service, start, [], ctx.now, staff_id, nights):
        raise Rejected(
            "not_bookable",
            "the shop does not offer this service at that time",
            alternatives,
            before_writing=unwritten,
        )
    CONFLICTS.labels("slot_taken").inc()
    raise Rejected(
        "slot_taken",
        "that time is taken; the nearest free times are offered",
        alternatives,
        before_writing=unwritten,
    )


async def _alternatives(
    ctx: Context,
    shop: Shop,
    service: Service,
    start: datetime,
    staff_id: UUID | None,
    booking_id: UUID,
    nights: int | None,
) -> list[Placement]:
    """The nearest free times: the days around first, a wider look only when needed; searched
    once per wish while the shop's occupancy stays as it is, with this customer's turn among
    those refused for it first (`spread`)."""
    wish = (service.id, start, staff_id, nights)
    offered = ctx.allocations.offered(shop.id, booking_id, wish)
    if offered is not None:
        return ctx.allocations.spread(shop.id, wish, offered)
    alternatives: list[Placement] = []
    for days in (1, ALTERNATIVE_DAYS):
        margin = timedelta(days=days + 1)
        around = (start - margin, start + margin + service.reach(nights))
        occupancy = await ctx.allocations.occupancy(shop.id, *around, booking_id, around=True)
        busy = occupancy.seen_at(ctx.now, booking_id, within=around)
        alternatives, settled = nearest(
            shop, service, start, busy, ctx.now, staff_id, max_days=days, nights=nights
        )
        if settled:
            break
    ctx.allocations.offer(shop.id, booking_id, wish, alternatives)
    return ctx.allocations.spread(shop.id, wish, alternatives)


async def offer_freed(ctx: Context, shop_id: UUID, freed: Placement) -> None:
    """Offer a hold to each waiting customer whose wished time now fits, first come first."""
    waiting = await customer_rows.waiting_for(ctx.session, shop_id, freed.starts_at, freed.occupied_until)
    if not waiting:
        return
    shop = await ctx.shop(shop_id)
    for entry_id in waiting:
        entry = await ctx.repositories.waitlist.get(ctx.uow, entry_id)
        if entry.status != "waiting" or entry.wish is None or entry.customer_id is None:
            continue
        wish, customer = entry.wish, Actor(entry.customer_id, "customer", shop_id)
        offer = Booking(uuid5(entry.id, "offer"))
        hold_for = ctx.waitlist_hold or timedelta(minutes=shop.policy.waitlist_hold_minutes)
        try:
            async with ctx.uow.savepoint():
                service = shop.service(wish.service_id)
                offer.check_hold(customer, customer.user_id, wish.starts_at, shop.policy, ctx.now)
                expires = ctx.now + hold_for
                placement = await place(
                    ctx,
                    shop,
                    service,
                    offer.id,
                    wish.starts_at,
                    wish.staff_id,
                    expires,
                    offer_alternatives=False,
                )
                offer.hold(
                    customer,
                    customer.user_id,
                    wish.pet_id,
                    service.id,
                    placement,
                    shop.policy,
                    ctx.now,
                    "waitlist",
                    service.price_for(None),
                    hold_for,
                )
                await ctx.save_booking(offer)
                told = Offer(placement.starts_at, expires, service.name, shop.timezone or "UTC")
                entry.offer(offer.id, told, ctx.now)
                await ctx.save_entry(entry)
        except Refused:
            continue


async def _booking(ctx: Context, booking_id: UUID, who: Actor) -> Booking:
    booking = await ctx.repositories.bookings.get(ctx.uow, booking_id)
    if not booking.may_see(who):
        raise BookingNotFound("no such booking")
    return booking


async def _service(shop: Shop, booking: Booking) -> Service:
    service = shop.services.get(booking.service_id) if booking.service_id else None
    if service is None:
        raise ServiceNotFound("the booking's service is no longer offered")
    return service


async def check_pet(ctx: Context, shop_id: UUID, customer_id: UUID, pet_id: UUID | None) -> None:
    if pet_id is not None:
        pet = await ctx.repositories.pets.get(ctx.uow, pet_id)
        if pet.shop_id != shop_id or pet.customer_id != customer_id:
            raise PetNotFound("no such pet for this customer")


async def hold(ctx: Context, cmd: c.HoldBooking) -> Answer | None:
    who = actor(cmd.actor)
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    if booking.exists:
        if booking.may_see(who) and booking.customer_id == cmd.customer_id:
            return showing(booking, DUPLICATE)
        raise BookingNotFound("no such booking")
    if who.shop_id != cmd.shop_id:
        raise NotFound("no such shop")
    shop = await ctx.shop(cmd.shop_id)
    if not shop.is_set_up:
        raise ShopNotSetUp("the shop has not set its timezone and booking policy yet")
    service = shop.service(cmd.service_id)
    booking.check_hold(who, cmd.customer_id, cmd.starts_at, shop.policy, ctx.now)
    await check_pet(ctx, shop.id, cmd.customer_id, cmd.pet_id)
    expires = ctx.now + timedelta(minutes=shop.policy.hold_minutes)
    parts: tuple[Part, ...] = ()
    if cmd.services:
        parts = await _hold_several(ctx, shop, cmd, booking.id, expires)
        placement, price = envelope(parts), sum(p.price_cents or 0 for p in parts)
    else:
        service.check_booking(cmd.staff_id, cmd.nights)
        placement = await place(
            ctx,
            shop,
            service,
            booking.id,
            cmd.starts_at,
            cmd.staff_id,
            expires,
            nights=cmd.nights,
            unwritten=True,  # nothing written before the placement
        )
        price = service.price_for(cmd.nights)
    booking.hold(
        who,
        cmd.customer_id,
        cmd.pet_id,
        service.id,
        placement,
        shop.policy,
        ctx.now,
        price_cents=price,
        parts=parts,
        customer_note=cmd.customer_note,
    )
    await ctx.save_booking(booking)
    return showing(booking)


async def _hold_several(
    ctx: Context, shop: Shop, cmd: c.HoldBooking, booking_id: UUID, expires: datetime
) -> tuple[Part, ...]:
    """All the services of a booking of several, one after the other from cmd.starts_at."""
    steps = [(shop.service(s.service_id), s.staff_id) for s in cmd.services]
    check_steps(steps)
    if cmd.nights is not None:
        raise InvalidNights("nights are for a stay, which is booked on its own")
    if cmd.services[0].service_id != cmd.service_id:
        raise InvalidRequest("service_id is the first of the services")
    return await place_chain(ctx, shop, steps, booking_id, cmd.starts_at, expires)


async def confirm(ctx: Context, cmd: c.ConfirmBooking) -> Answer | None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    booking.confirm(actor(cmd.actor), ctx.now)
    if booking.pending:
        ctx.allocations.confirm(booking.id)
        await settle_offer(ctx, booking, "booked")
    await ctx.save_booking(booking)
    return showing(booking)


async def cancel(ctx: Context, cmd: c.CancelBooking) -> Answer | None:
    who = actor(cmd.actor)
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    shop = await ctx.shop(who.shop_id)
    freed = [*booking.placements, booking.proposal.placement if booking.proposal else None]
    booking.cancel(who, cmd.reason, shop.policy, ctx.now)
    if booking.pending:
        await ctx.allocations.release(booking.id)
        await ctx.save_booking(booking)
        await settle_offer(ctx, booking, "declined")  # a cancelled offer: the next in line's turn
        for placement in freed:
            if placement is not None:
                await offer_freed(ctx, shop.id, placement)
    return showing(booking)


async def reschedule(ctx: Context, cmd: c.RescheduleBooking) -> Answer | None:
    who = actor(cmd.actor)
    booking = await _booking(ctx, cmd.booking_id, who)
    shop = await ctx.shop(who.shop_id)
    booking.check_reschedule(who, cmd.starts_at, shop.policy, ctx.now)
    if booking.parts:
        await _reschedule_several(ctx, shop, booking, who, cmd)
        return showing(booking)
    previous = booking.placement
    assert previous is not None
    service = await _service(shop, booking)
    nights = cmd.nights if cmd.nights is not None else previous.nights
    service.check_booking(cmd.staff_id, nights)
    await ctx.allocations.release(booking.id, "current")
    placement = await place(
        ctx,
        shop,
        service,
        booking.id,
        cmd.starts_at,
        cmd.staff_id,
        booking.hold_expires_at,
        nights=nights,
        keep=previous.resource_units if service.per_night else (),  # the pet keeps its kennel if free
    )
    booking.reschedule(who, placement, shop.policy, ctx.now, service.price_for(nights))
    await ctx.save_booking(booking)
    if placement != previous:
        await offer_freed(ctx, shop.id, previous)
    return showing(booking)


async def _reschedule_several(
    ctx: Context, shop: Shop, booking: Booking, who: Actor, cmd: c.RescheduleBooking
) -> None:
    """Move every service of the booking together; each keeps its staff member if free
    (`staff_id`: who does the first one)."""
    if cmd.nights is not None:
        raise InvalidNights("nights are for a stay, which is booked on its own")
    previous = booking.parts
    services = [shop.services.get(p.service_id) for p in previous]
    if any(s is None for s in services):
        raise ServiceNotFound("a service of the booking is no longer offered")
    steps = [(s, cmd.staff_id if n == 0 else None) for n, s in enumerate(services) if s is not None]
    await ctx.allocations.release(booking.id, "current")
    prefer = [p.placement.staff_id for p in previous]
    parts = await place_chain(ctx, shop, steps, booking.id, cmd.starts_at, booking.hold_expires_at, prefer)
    price = sum(p.price_cents or 0 for p in parts)
    booking.reschedule(who, envelope(parts), shop.policy, ctx.now, price, parts)
    await ctx.save_booking(booking)
    for before in previous:
        if before.placement not in {p.placement for p in parts}:
            await offer_freed(ctx, shop.id, before.placement)


async def add_staff_note(ctx: Context, cmd: c.AddStaffNote) -> Answer | None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    booking.add_staff_note(actor(cmd.actor), cmd.note_id, cmd.text, ctx.now)
    await ctx.save_booking(booking)
    return None


async def propose_change(ctx: Context, cmd: c.ProposeChange) -> Answer | None:
    who = actor(cmd.actor)
    booking = await _booking(ctx, cmd.booking_id, who)
    shop = await ctx.shop(who.shop_id)
    booking.check_proposal(who, cmd.starts_at, ctx.now)
    earlier = booking.proposal
    assert booking.placement is not None
    await ctx.allocations.release(booking.id, "proposed")
    placement = await place(
        ctx,
        shop,
        await _service(shop, booking),
        booking.id,
        cmd.starts_at,
        cmd.staff_id,
        None,
        "proposed",
        nights=booking.placement.nights,  # a proposal moves a stay, it keeps its nights
    )
    booking.propose_change(who, placement, cmd.note, cmd.keep_if_declined, ctx.now)
    await ctx.save_booking(booking)
    if earlier is not None:
        await offer_freed(ctx, shop.id, earlier.placement)
    return showing(booking)


async def accept_change(ctx: Context, cmd: c.AcceptChange) -> Answer | None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    previous = booking.accept_change(actor(cmd.actor), ctx.now)
    await ctx.allocations.promote_proposal(booking.id)
    await ctx.save_booking(booking)
    assert booking.shop_id is not None
    await offer_freed(ctx, booking.shop_id, previous)
    return showing(booking)


async def decline_change(ctx: Context, cmd: c.DeclineChange) -> Answer | None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    proposal = booking.proposal
    booking.decline_change(actor(cmd.actor), ctx.now)
    assert proposal is not None and booking.shop_id is not None
    if booking.status == "cancelled":
        await ctx.allocations.release(booking.id)
        assert booking.placement is not None
        await offer_freed(ctx, booking.shop_id, booking.placement)
    else:
        await ctx.allocations.release(booking.id, "proposed")
    await ctx.save_booking(booking)
    await offer_freed(ctx, booking.shop_id, proposal.placement)
    return showing(booking)


async def check_in(ctx: Context, cmd: c.CheckIn) -> None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    shop = await ctx.shop(cmd.actor.shop_id)
    proposal = booking.proposal
    booking.check_in(actor(cmd.actor), shop.policy, ctx.now)
    if proposal is not None:
        await ctx.allocations.release(booking.id, "proposed")
    await ctx.save_booking(booking)


async def start_service(ctx: Context, cmd: c.StartService) -> None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    shop = await ctx.shop(cmd.actor.shop_id)
    booking.start_service(actor(cmd.actor), shop.policy, ctx.now)
    await ctx.save_booking(booking)


async def post_progress(ctx: Context, cmd: c.PostProgress) -> None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    booking.post_progress(actor(cmd.actor), cmd.update_id, cmd.text, cmd.photo_ref, ctx.now, cmd.live_view_id)
    await ctx.save_booking(booking)


async def complete(ctx: Context, cmd: c.CompleteBooking) -> None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    shop = await ctx.shop(cmd.actor.shop_id)
    booking.complete(actor(cmd.actor), shop.policy, ctx.now)
    await ctx.allocations.release(booking.id)
    await ctx.save_booking(booking)


async def mark_no_show(ctx: Context, cmd: c.MarkNoShow) -> Answer | None:
    booking = await ctx.repositories.bookings.get(ctx.uow, cmd.booking_id)
    booking.mark_no_show(actor(cmd.actor), ctx.now)
    await ctx.allocations.release(booking.id)
    await ctx.save_booking(booking)
    return showing(booking)
