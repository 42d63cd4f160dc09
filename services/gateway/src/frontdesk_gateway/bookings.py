"""What a caller may do with bookings: commands to the booking service, answered on
booking.replies, and reads from its internal API scoped to the caller's shop (and, for
a customer, to the customer). Who may do what to a booking is decided by the booking
service from the actor the gateway fills in from the verified token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract, Envelope, booking, booking_v2
from frontdesk_platform.errors import ApiError

from .commands import CommandSender
from .identity.tokens import Principal
from .internal import InternalApi
from .realtime.fanout import ReplyWaiters

SOURCE = "frontdesk.gateway"
CONFLICTS = {
    "slot_taken",
    "invalid_state",
    "hold_expired",
    "no_change_proposed",
    "slot_available",
    "shop_not_set_up",
}
UNPROCESSABLE = {"outside_policy", "not_bookable", "invalid_request", "invalid_service", "invalid_nights"}


def status_of(code: str) -> int:
    if code.endswith("not_found"):
        return 404
    if code == "forbidden":
        return 403
    if code in CONFLICTS:
        return 409
    return 422


def actor(caller: Principal) -> booking.Actor:
    return booking.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id)


class BookingReads:
    """The booking service's internal API, always called with the caller's shop."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._api = InternalApi(client, "Booking", frozenset({404, 409, 422}))

    async def get(self, caller: Principal, path: str, **params: Any) -> Any:
        if not caller.is_staff:
            params["customer_id"] = caller.user_id
        params = {k: v for k, v in params.items() if v is not None}
        return await self._api.of_shop(caller, path, params=params)


class Bookings:
    def __init__(
        self,
        reads: BookingReads,
        commands: CommandSender,
    ) -> None:
        self.reads = reads
        self._commands = commands

    async def run(self, caller: Principal, key: UUID, payload: Contract) -> Envelope:
        """Send a command keyed by `key` and wait for booking's verdict; a refusal is an ApiError."""
        commands = self._commands
        reply = await commands.outcome(await commands.submit(commands.envelope(caller, key, payload)))
        if reply is None:
            raise ApiError(503, "not_confirmed", "Booking did not answer in time; retry with the same id.")
        if reply.type in booking_v2.REJECTIONS:
            code = reply.data["code"]
            alternatives = reply.data.get("alternatives") or []
            details = {"alternatives": alternatives} if code in ("slot_taken", "not_bookable") else None
            raise ApiError(status_of(code), code, reply.data["message"], details)
        return reply

    async def booking(self, caller: Principal, booking_id: UUID) -> dict[str, Any]:
        """A booking as the caller may see it: staff notes for the shop's staff only."""
        staff_view = True if caller.is_staff else None
        found: dict[str, Any] = await self.reads.get(caller, f"/bookings/{booking_id}", staff_view=staff_view)
        return found


def reply_handler(replies: ReplyWaiters) -> Callable[[Envelope], Awaitable[None]]:
    async def resolve(reply: Envelope) -> None:
        replies.resolve(reply)

    return resolve
