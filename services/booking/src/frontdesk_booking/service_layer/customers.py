"""Waitlist entries and pet (or child) profiles."""

from __future__ import annotations

from datetime import UTC

from frontdesk_contracts import booking as c

from ..adapters import allocations
from ..domain.common import InvalidRequest, NotFound
from ..domain.pets import PetNotFound
from ..domain.slots import placements_at
from ..domain.waitlist import SlotAvailable, WaitlistEntryNotFound, Wish
from . import translate
from .bookings import check_pet
from .context import DUPLICATE, Answer, Context
from .setup import actor


async def join_waitlist(ctx: Context, cmd: c.JoinWaitlist) -> Answer | None:
    who = actor(cmd.actor)
    if who.shop_id != cmd.shop_id:
        raise NotFound("no such shop")
    entry = await ctx.repositories.waitlist.get(ctx.uow, cmd.entry_id)
    if entry.exists:
        if not entry.may_see(who) or entry.customer_id != cmd.customer_id:
            raise WaitlistEntryNotFound("no such waitlist entry")
        return DUPLICATE
    shop = await ctx.shop(cmd.shop_id)
    service = shop.service(cmd.service_id)
    if service.per_night:
        raise InvalidRequest("the waitlist takes timed services; search other dates for a stay")
    await check_pet(ctx, shop.id, cmd.customer_id, cmd.pet_id)
    start = cmd.starts_at.astimezone(UTC)
    until = start + service.duration + service.buffer
    busy = await allocations.busy(await ctx.db(), shop.id, start, until, ctx.now)
    if placements_at(shop, service, start, busy, ctx.now, cmd.staff_id):
        raise SlotAvailable("that time is free: hold it instead of waiting")
    wish = Wish(service.id, start, until, cmd.staff_id, cmd.pet_id)
    entry.join(who, cmd.customer_id, wish, ctx.now)
    await ctx.save_entry(entry)
    return None


async def leave_waitlist(ctx: Context, cmd: c.LeaveWaitlist) -> None:
    entry = await ctx.repositories.waitlist.get(ctx.uow, cmd.entry_id)
    entry.leave(actor(cmd.actor), ctx.now)
    await ctx.save_entry(entry)


async def register_pet(ctx: Context, cmd: c.RegisterPet) -> None:
    who = actor(cmd.actor)
    if who.shop_id != cmd.shop_id:
        raise PetNotFound("no such shop")
    pet = await ctx.repositories.pets.get(ctx.uow, cmd.pet_id)
    pet.register(who, cmd.customer_id, translate.pet_profile(cmd.profile), ctx.now)
    await ctx.save_pet(pet)


async def update_pet(ctx: Context, cmd: c.UpdatePet) -> None:
    pet = await ctx.repositories.pets.get(ctx.uow, cmd.pet_id)
    pet.update(actor(cmd.actor), translate.pet_profile(cmd.profile), ctx.now)
    await ctx.save_pet(pet)
