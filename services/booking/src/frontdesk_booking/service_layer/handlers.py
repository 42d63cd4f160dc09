"""Carries out each booking command exactly once: the command's effect, its events, the
outbox rows and the tracking record in one transaction. A refusal undoes the effect
(savepoint) and answers with a rejection instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from frontdesk_contracts import Contract, Envelope
from frontdesk_contracts import booking as c
from frontdesk_platform.consumer import PermanentError
from pydantic import ValidationError

from ..domain.common import Refused
from . import bookings, customers, setup
from .context import Context, Dependencies

CONSUMER = "booking.commands"

Handler = Callable[[Context, Any], Awaitable[None]]
HANDLERS: dict[str, tuple[type[Contract], Handler]] = {
    "booking.shop.configure.v1": (c.ConfigureShop, setup.configure),
    "booking.service.define.v1": (c.DefineService, setup.define_service),
    "booking.staff.set_profile.v1": (c.SetStaffProfile, setup.set_staff_profile),
    "booking.staff.add_time_off.v1": (c.AddTimeOff, setup.add_time_off),
    "booking.staff.remove_time_off.v1": (c.RemoveTimeOff, setup.remove_time_off),
    "booking.resource.define.v1": (c.DefineResource, setup.define_resource),
    "booking.booking.hold.v1": (c.HoldBooking, bookings.hold),
    "booking.booking.confirm.v1": (c.ConfirmBooking, bookings.confirm),
    "booking.booking.cancel.v1": (c.CancelBooking, bookings.cancel),
    "booking.booking.reschedule.v1": (c.RescheduleBooking, bookings.reschedule),
    "booking.booking.propose_change.v1": (c.ProposeChange, bookings.propose_change),
    "booking.booking.accept_change.v1": (c.AcceptChange, bookings.accept_change),
    "booking.booking.decline_change.v1": (c.DeclineChange, bookings.decline_change),
    "booking.booking.check_in.v1": (c.CheckIn, bookings.check_in),
    "booking.booking.start_service.v1": (c.StartService, bookings.start_service),
    "booking.booking.post_progress.v1": (c.PostProgress, bookings.post_progress),
    "booking.booking.complete.v1": (c.CompleteBooking, bookings.complete),
    "booking.booking.mark_no_show.v1": (c.MarkNoShow, bookings.mark_no_show),
    "booking.waitlist.join.v1": (c.JoinWaitlist, customers.join_waitlist),
    "booking.waitlist.leave.v1": (c.LeaveWaitlist, customers.leave_waitlist),
    "booking.pet.register.v1": (c.RegisterPet, customers.register_pet),
    "booking.pet.update.v1": (c.UpdatePet, customers.update_pet),
}


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """Carry out one command exactly once, however often Kafka delivers it."""
    model, handler = _handler(command.type)
    cmd = _parse(model, command)
    async with deps.unit_of_work() as uow:
        if await uow.already_processed(CONSUMER, command.id):
            return
        ctx = Context(deps, uow, command, deps.clock())
        try:
            async with uow.savepoint():
                await handler(ctx, cmd)
        except Refused as refused:
            ctx.reject(_aggregate_id(cmd), refused)
        await uow.mark_processed(CONSUMER, command.id)
        await uow.commit()


def _handler(name: str) -> tuple[type[Contract], Handler]:
    try:
        return HANDLERS[name]
    except KeyError:
        raise PermanentError(f"booking does not handle {name}") from None


def _parse(model: type[Contract], command: Envelope) -> Contract:
    try:
        return model.model_validate(command.data)
    except ValidationError as exc:
        raise PermanentError(f"invalid {command.type}: {exc}") from exc


def _aggregate_id(cmd: Any) -> UUID:
    for name in ("booking_id", "entry_id", "pet_id", "shop_id"):
        if hasattr(cmd, name):
            found: UUID = getattr(cmd, name)
            return found
    raise PermanentError("a booking command names its aggregate")
