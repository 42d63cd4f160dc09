"""Commands about a shop's messaging settings (owner or staff of that shop)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from frontdesk_contracts import Contract
from frontdesk_contracts import messaging_shop as contracts

from ..domain.model import Actor, NotAllowed
from ..domain.shop import ShopSettings
from .context import Context, Handler, actor_of


async def _decide(
    ctx: Context,
    cmd: Any,
    decision: Callable[[ShopSettings, Actor, datetime], None],
    owner_only: bool = False,
) -> None:
    actor = actor_of(cmd)
    settings = await ctx.load_shop(cmd.shop_id)
    if actor.shop_id != cmd.shop_id or not actor.is_staff:
        raise NotAllowed("only the shop's staff can change its settings")
    if owner_only and actor.role != "owner":
        raise NotAllowed("only the shop's owner can change this")
    decision(settings, actor, ctx.deps.clock())
    await ctx.save_shop(settings)


COMMANDS: dict[str, tuple[type[Contract], Handler]] = {
    "messaging.shop.set_business_hours.v1": (
        contracts.SetBusinessHours,
        lambda ctx, cmd: _decide(
            ctx,
            cmd,
            lambda s, a, now: s.set_hours(a.user_id, cmd.timezone, cmd.weekly, cmd.auto_reply_text, now),
            owner_only=True,
        ),
    ),
    "messaging.shop.save_template.v1": (
        contracts.SaveTemplate,
        lambda ctx, cmd: _decide(
            ctx, cmd, lambda s, a, now: s.save_template(a.user_id, cmd.template_id, cmd.name, cmd.text, now)
        ),
    ),
    "messaging.shop.delete_template.v1": (
        contracts.DeleteTemplate,
        lambda ctx, cmd: _decide(
            ctx, cmd, lambda s, a, now: s.delete_template(a.user_id, cmd.template_id, now)
        ),
    ),
    "messaging.shop.set_assistant.v1": (
        contracts.SetAssistant,
        lambda ctx, cmd: _decide(
            ctx, cmd, lambda s, a, now: s.set_assistant(a.user_id, cmd.mode, now), owner_only=True
        ),
    ),
    "messaging.shop.set_calls.v1": (
        contracts.SetCalls,
        lambda ctx, cmd: _decide(
            ctx,
            cmd,
            lambda s, a, now: s.set_calls(a.user_id, cmd.policy, cmd.live_view_minutes, now),
            owner_only=True,
        ),
    ),
    "messaging.shop.set_staff_capacity.v1": (
        contracts.SetStaffCapacity,
        lambda ctx, cmd: _decide(
            ctx,
            cmd,
            lambda s, a, now: s.set_capacity(a.user_id, cmd.staff_id, cmd.capacity, now),
            owner_only=True,
        ),
    ),
}
