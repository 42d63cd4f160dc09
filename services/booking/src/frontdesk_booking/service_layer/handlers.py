"""Booking's commands, carried out by the platform's pipeline: the command's effect, its
events, the outbox rows, the answer and the tracking record in one transaction. A
refusal undoes the effect and answers with a rejection, with alternative slots when the
time asked for is taken."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from frontdesk_contracts import Contract, Envelope
from frontdesk_contracts import booking as c
from frontdesk_platform.faults import PermanentError
from frontdesk_platform.pipeline import Answers, Pipeline, Preload, Route
from frontdesk_platform.reads import Read, Rows
from frontdesk_platform.refusals import Refused
from frontdesk_platform.unit_of_work import UnitOfWork

from . import allocation_view, bookings, customers, setup, translate
from .context import SOURCE, Context, Dependencies

CONSUMER = "booking.commands"

Handler = Callable[[Context, Any], Awaitable[Any]]
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
    "booking.booking.add_staff_note.v1": (c.AddStaffNote, bookings.add_staff_note),
    "booking.waitlist.join.v1": (c.JoinWaitlist, customers.join_waitlist),
    "booking.waitlist.leave.v1": (c.LeaveWaitlist, customers.leave_waitlist),
    "booking.pet.register.v1": (c.RegisterPet, customers.register_pet),
    "booking.pet.update.v1": (c.UpdatePet, customers.update_pet),
}


def commands(deps: Dependencies) -> Pipeline[Context]:
    routes = {name: Route(handler, model) for name, (model, handler) in HANDLERS.items()}
    return Pipeline(
        routes,
        lambda uow, command: Context(deps, uow, command, deps.clock()),
        ANSWERS,
        preload=Preload(partial(preload_reads, deps), partial(preload_take, deps)),
    )


async def preload_reads(deps: Dependencies, uow: UnitOfWork, commands: Sequence[Any]) -> dict[str, Read]:
    """The streams a batch's commands name (bookings, waitlist entries, pets), read with its
    tracking records in one round trip; the rest are read when a command asks. The times
    its commands ask for are noted, for its first slot search to read their allocations at
    once."""
    repositories, wanted = deps.repositories, []
    times = [cmd.starts_at for cmd in commands if isinstance(getattr(cmd, "starts_at", None), datetime)]
    named = [cmd.booking_id for cmd in commands if isinstance(getattr(cmd, "booking_id", None), UUID)]
    allocation_view.expect(uow, times, named)
    for cmd in commands:
        if isinstance(getattr(cmd, "booking_id", None), UUID):
            wanted.append(repositories.bookings.stream_id(cmd.booking_id))
        if isinstance(getattr(cmd, "entry_id", None), UUID):
            wanted.append(repositories.waitlist.stream_id(cmd.entry_id))
        if isinstance(getattr(cmd, "pet_id", None), UUID):
            wanted.append(repositories.pets.stream_id(cmd.pet_id))
    return (await uow.streams(repositories.store)).reads(wanted)


async def preload_take(
    deps: Dependencies, uow: UnitOfWork, commands: Sequence[Any], found: Mapping[str, Rows]
) -> None:
    (await uow.streams(deps.repositories.store)).take(found)


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """One command on its own (tests); the consumer carries out batches with `commands`."""
    await commands(deps).carry_out_one(CONSUMER, deps.unit_of_work, command)


def _rejection(fields: dict[str, Any], refused: Refused) -> tuple[str, Contract]:
    return translate.rejection(fields, refused.details.get("alternatives", []))


def _aggregate_id(cmd: Any) -> UUID:
    for name in ("booking_id", "entry_id", "pet_id", "shop_id"):
        if hasattr(cmd, name):
            found: UUID = getattr(cmd, name)
            return found
    raise PermanentError("a booking command names its aggregate")


ANSWERS = Answers(
    SOURCE,
    "booking.command.accepted.v1",
    "booking.command.rejected.v1",
    echo=lambda command, cmd: {"aggregate_id": str(_aggregate_id(cmd))},
    rejection=_rejection,
)
