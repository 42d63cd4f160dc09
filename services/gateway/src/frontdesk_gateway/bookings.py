"""What a caller may do with bookings: commands to the booking service, answered on
booking.replies, and reads from its internal API scoped to the caller's shop (and, for
a customer, to the customer). Who may do what to a booking is decided by the booking
service from the actor the gateway fills in from the verified token."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract, Envelope, booking

from .commands import Commands
from .identity.tokens import Principal
from .internal import InternalApi


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

    async def of_shop(self, shop_id: UUID, path: str, **params: Any) -> Any:
        """A read with no caller, for what a shop's secret grants (its staff's calendar feeds)."""
        return await self._api.request("GET", f"/internal/shops/{shop_id}{path}", params=params)


class Bookings:
    def __init__(self, reads: BookingReads, commands: Commands) -> None:
        self.reads = reads
        self._commands = commands

    async def run(self, caller: Principal, payload: Contract) -> Envelope:
        """Send a command and wait for booking's verdict; a refusal is an ApiError
        (slot_taken and not_bookable with the nearest free alternatives in its details).

        Every command of a shop goes keyed by the shop, so one partition worker carries
        them out in order: two transactions of one shop never wait on each other at the
        exclusion constraint, and booking carries out a batch of them in one."""
        return await self._commands.verdict(
            caller,
            caller.shop_id,
            payload,
            unanswered="Booking did not answer in time; retry with the same id.",
        )

    async def step(self, caller: Principal, booking_id: UUID, payload: Contract) -> dict[str, Any]:
        """Carry out a command on a booking and return the booking as it is now: from the
        verdict, which carries it as a customer sees it, or read back (for the shop's staff,
        who also see staff notes; a verdict from an older booking instance; a booking
        already under way)."""
        reply = await self.run(caller, payload)
        view: dict[str, Any] | None = reply.data.get("booking")
        if view is None or caller.is_staff:
            return await self.booking(caller, booking_id)
        return view

    async def booking(self, caller: Principal, booking_id: UUID) -> dict[str, Any]:
        """A booking as the caller may see it: staff notes for the shop's staff only."""
        staff_view = True if caller.is_staff else None
        found: dict[str, Any] = await self.reads.get(caller, f"/bookings/{booking_id}", staff_view=staff_view)
        return found
