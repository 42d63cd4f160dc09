"""Notify's commands: each carried out once (tracking record), answered on notify.replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from frontdesk_contracts import Envelope
from frontdesk_contracts import notify as contracts
from frontdesk_platform.consumer import PermanentError
from pydantic import ValidationError

from ..domain.reminders import ReminderTimes
from ..projections import store
from .deps import Dependencies

CONSUMER = "notify.commands"
SOURCE = "frontdesk.notify"
Handler = Callable[[Envelope], Awaitable[None]]


async def handle_command(
    deps: Dependencies, command: Envelope, others: Mapping[str, Handler] | None = None
) -> None:
    """`others` carries the commands handled in their own modules (campaigns), by type."""
    if others and command.type in others:
        await others[command.type](command)
        return
    if command.type != "notify.shop.set_reminder_times.v1":
        raise PermanentError(f"notify does not handle {command.type}")
    try:
        cmd = contracts.SetReminderTimes.model_validate(command.data)
    except ValidationError as exc:
        raise PermanentError(f"invalid {command.type}: {exc}") from exc
    async with deps.unit_of_work() as uow:
        if await uow.already_processed(CONSUMER, command.id):
            return
        reply: contracts.CommandAccepted | contracts.CommandRejected
        if cmd.actor.role != "owner" or cmd.actor.shop_id != cmd.shop_id:
            reply = contracts.CommandRejected(
                command_id=command.id,
                command_type=command.type,
                aggregate_id=str(cmd.shop_id),
                code="forbidden",
                message="only the shop's owner sets its reminder times",
            )
        else:
            await store.set_reminder_times(
                uow.session, cmd.shop_id, ReminderTimes(cmd.day_before_at, cmd.morning_at)
            )
            reply = contracts.CommandAccepted(
                command_id=command.id, command_type=command.type, aggregate_id=str(cmd.shop_id)
            )
        name = (
            "notify.command.accepted.v1"
            if isinstance(reply, contracts.CommandAccepted)
            else "notify.command.rejected.v1"
        )
        uow.publish(
            command.caused(
                type=name, source=SOURCE, aggregate_id=str(cmd.shop_id), data=reply.model_dump(mode="json")
            )
        )
        await uow.mark_processed(CONSUMER, command.id)
        await uow.commit()
