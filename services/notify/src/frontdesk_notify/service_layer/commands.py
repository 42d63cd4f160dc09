"""Notify's commands: each carried out once (tracking record) and answered on
notify.replies; a refusal changes nothing."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk_contracts import Envelope
from frontdesk_contracts import notify as contracts
from frontdesk_platform.pipeline import Answers, Pipeline, Route, Work
from frontdesk_platform.refusals import Refused

from ..domain import devices
from ..domain.reminders import ReminderTimes
from ..domain.routing import Device, Preferences
from ..projections import duty, recipients, store
from . import campaigns, care, codes
from .deps import Dependencies

CONSUMER = "notify.commands"
SOURCE = "frontdesk.notify"
E164 = r"^\+[1-9][0-9]{6,14}$"


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """One command on its own (tests); the consumer carries out batches with `pipeline`."""
    await pipeline(deps).carry_out_one(CONSUMER, deps.unit_of_work, command)


async def set_reminder_times(work: Work[Dependencies], cmd: contracts.SetReminderTimes) -> None:
    if cmd.actor.role != "owner" or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's owner sets its reminder times")
    await store.set_reminder_times(
        work.session, cmd.shop_id, ReminderTimes(cmd.day_before_at, cmd.morning_at)
    )


async def set_on_duty(work: Work[Dependencies], cmd: contracts.SetOnDuty) -> None:
    if cmd.actor.role != "owner" or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's owner chooses who is on duty")
    unknown = await duty.set_on_duty(work.session, cmd.shop_id, cmd.staff_ids)
    if unknown:
        raise Refused("staff_not_found", f"not an active staff member of this shop: {unknown[0]}")


async def register_device(work: Work[Dependencies], cmd: contracts.RegisterDevice) -> None:
    _self_only(cmd.actor, cmd.user_id)
    if not cmd.address.strip() or len(cmd.address) > 4096:
        raise Refused(
            "invalid_request", "a device needs its push token or subscription (at most 4096 characters)"
        )
    try:
        devices.check(cmd.platform, cmd.address, work.deps.push_services)
    except devices.InvalidDevice as exc:
        raise Refused("invalid_device", str(exc)) from None
    device = Device(cmd.device_id, cmd.platform, cmd.address)
    await recipients.register_device(work.session, device, cmd.actor.shop_id, cmd.user_id, work.deps.clock())


async def remove_device(work: Work[Dependencies], cmd: contracts.RemoveDevice) -> None:
    _self_only(cmd.actor, cmd.user_id)
    if not await recipients.remove_device(work.session, cmd.device_id, cmd.user_id):
        raise Refused("device_not_found", "no such device")


async def set_preferences(work: Work[Dependencies], cmd: contracts.SetPreferences) -> None:
    _self_only(cmd.actor, cmd.user_id)
    if cmd.phone is not None and not re.match(E164, cmd.phone):
        raise Refused("invalid_request", "a phone number is in E.164 form, e.g. +8613800138000")
    if (cmd.quiet_start is None) != (cmd.quiet_end is None):
        raise Refused("invalid_request", "quiet hours need both a start and an end")
    if cmd.timezone is not None:
        try:
            ZoneInfo(cmd.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise Refused("invalid_request", f"unknown timezone {cmd.timezone!r}") from exc
    prefs = Preferences(
        cmd.language,
        cmd.phone,
        tuple(cmd.channels),
        frozenset(cmd.opted_out),
        cmd.quiet_start,
        cmd.quiet_end,
        cmd.timezone,
    )
    await recipients.set_preferences(work.session, cmd.actor.shop_id, cmd.user_id, prefs)


async def mark_read(work: Work[Dependencies], cmd: contracts.MarkNotificationRead) -> None:
    _self_only(cmd.actor, cmd.user_id)
    if not await store.mark_read(work.session, cmd.notification_id, cmd.user_id, work.deps.clock()):
        raise Refused("notification_not_found", "no such notification")


def _self_only(actor: contracts.Actor, user_id: Any) -> None:
    if actor.user_id != user_id:
        raise Refused("forbidden", "people manage their own devices and preferences")


COMMANDS: dict[str, Route[Work[Dependencies]]] = {
    "notify.shop.set_reminder_times.v1": Route(set_reminder_times, contracts.SetReminderTimes),
    "notify.shop.set_on_duty.v1": Route(set_on_duty, contracts.SetOnDuty),
    "notify.device.register.v1": Route(register_device, contracts.RegisterDevice),
    "notify.device.remove.v1": Route(remove_device, contracts.RemoveDevice),
    "notify.preferences.set.v1": Route(set_preferences, contracts.SetPreferences),
    "notify.notification.mark_read.v1": Route(mark_read, contracts.MarkNotificationRead),
    "notify.campaign.send.v1": Route(campaigns.send_campaign, contracts.SendCampaign),
    "notify.campaign.cancel.v1": Route(campaigns.cancel_campaign, contracts.CancelCampaign),
    "notify.care_cycles.set.v1": Route(care.set_care_cycles, contracts.SetCareCycles),
    "notify.password_reset.send_code.v1": Route(
        codes.send_password_reset_code, contracts.SendPasswordResetCode
    ),
}
ANSWERS = Answers(SOURCE, "notify.command.accepted.v1", "notify.command.rejected.v1")


def pipeline(deps: Dependencies) -> Pipeline[Work[Dependencies]]:
    return Pipeline(COMMANDS, lambda uow, command: Work(deps, uow, command), ANSWERS)
