"""Shop setup: timezone and policy, services, staff profiles and time off, resources."""

from __future__ import annotations

from frontdesk_contracts import booking as c

from ..domain.common import Actor, NotFound
from ..domain.shop import Shop, TimeOff
from . import translate
from .context import Context


def actor(terms: c.Actor) -> Actor:
    return Actor(terms.user_id, terms.role, terms.shop_id)


async def _shop(ctx: Context, shop_id: object, who: Actor) -> Shop:
    if who.shop_id != shop_id:
        raise NotFound("no such shop")
    return await ctx.repositories.shops.get(ctx.uow, who.shop_id)


async def configure(ctx: Context, cmd: c.ConfigureShop) -> None:
    who = actor(cmd.actor)
    shop = await _shop(ctx, cmd.shop_id, who)
    shop.configure(who, cmd.timezone, translate.policy(cmd.policy, cmd.check_in_window_minutes), ctx.now)
    await ctx.save_shop(shop)


async def define_service(ctx: Context, cmd: c.DefineService) -> None:
    who = actor(cmd.actor)
    shop = await _shop(ctx, cmd.shop_id, who)
    shop.define_service(who, translate.service(cmd.service, cmd.schedule), ctx.now)
    await ctx.save_shop(shop)


async def set_staff_profile(ctx: Context, cmd: c.SetStaffProfile) -> None:
    who = actor(cmd.actor)
    shop = await _shop(ctx, cmd.shop_id, who)
    shop.set_staff_profile(who, translate.staff_profile(cmd.profile), ctx.now)
    await ctx.save_shop(shop)


async def add_time_off(ctx: Context, cmd: c.AddTimeOff) -> None:
    who = actor(cmd.actor)
    shop = await _shop(ctx, cmd.shop_id, who)
    off = TimeOff(cmd.time_off_id, cmd.starts_at, cmd.ends_at, cmd.reason)
    shop.add_time_off(who, cmd.staff_id, off, ctx.now)
    await ctx.save_shop(shop)


async def remove_time_off(ctx: Context, cmd: c.RemoveTimeOff) -> None:
    who = actor(cmd.actor)
    shop = await _shop(ctx, cmd.shop_id, who)
    shop.remove_time_off(who, cmd.staff_id, cmd.time_off_id, ctx.now)
    await ctx.save_shop(shop)


async def define_resource(ctx: Context, cmd: c.DefineResource) -> None:
    who = actor(cmd.actor)
    shop = await _shop(ctx, cmd.shop_id, who)
    shop.define_resource(who, translate.resource(cmd.resource), ctx.now)
    await ctx.save_shop(shop)
