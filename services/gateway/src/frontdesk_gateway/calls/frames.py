"""The call frames of a socket: parse, check who may do it, hand to the use cases.

Who may call: only the conversation's participants (its customer, and the staff of its
shop); a customer reaches only their own shop. A customer's call rings the staff member
the conversation is assigned to, else the shop's staff on duty (or its owners: who
notify would push). A staff member's call rings every device of the customer.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID, uuid5

from frontdesk_contracts import booking
from frontdesk_contracts.messaging import conversation_id_for
from frontdesk_platform.storable import StoredBody
from pydantic import Field, ValidationError, model_validator

from ..bookings import Bookings, actor
from ..conversations import Conversations
from ..notifications import Notifications
from ..ratelimit import RateLimiter
from ..realtime.connections import Connection
from .model import CallRefused
from .policy import CallPolicies
from .service import Calls, Invite

STEPS = ("call.accept", "call.decline", "call.cancel", "call.hangup")
RELAYED = ("call.offer", "call.answer", "call.ice")
KINDS = frozenset({"call.invite", *STEPS, *RELAYED})


class InviteFrame(StoredBody):
    media: Literal["audio", "video", "live_view"]
    conversation_id: UUID | None = None
    booking_id: UUID | None = Field(default=None, description="live_view: the checked-in booking to show")

    @model_validator(mode="after")
    def _what_is_called(self) -> InviteFrame:
        if self.media == "live_view" and self.booking_id is None:
            raise ValueError("a live view names its booking_id")
        if self.media != "live_view" and self.conversation_id is None:
            raise ValueError("a call names its conversation_id")
        return self


class StepFrame(StoredBody):
    call_id: UUID


class SdpFrame(StepFrame):
    sdp: str = Field(min_length=1, max_length=60_000)


class IceFrame(StepFrame):
    # null: the sender's candidates are complete
    candidate: dict[str, Any] | None = None


class CallFrames:
    def __init__(
        self,
        calls: Calls,
        conversations: Conversations,
        notifications: Notifications,
        bookings: Bookings,
        policies: CallPolicies,
        limiter: RateLimiter,
        invites_per_minute: int,
    ) -> None:
        self._calls = calls
        self._conversations = conversations
        self._notifications = notifications
        self._bookings = bookings
        self._policies = policies
        self._limiter = limiter
        self._invites_per_minute = invites_per_minute

    async def on_frame(self, connection: Connection, kind: str, frame: dict[str, Any]) -> None:
        try:
            if kind == "call.invite":
                await self._invite(connection, InviteFrame.model_validate(frame), frame.get("id"))
            elif kind in RELAYED:
                model = IceFrame if kind == "call.ice" else SdpFrame
                body = model.model_validate(frame).model_dump(mode="json", exclude={"call_id"})
                await self._calls.relay(connection, kind, StepFrame.model_validate(frame).call_id, body)
            else:
                call_id = StepFrame.model_validate(frame).call_id
                step = {
                    "call.accept": self._calls.accept,
                    "call.decline": self._calls.decline,
                    "call.cancel": self._calls.cancel,
                    "call.hangup": self._calls.hang_up,
                }[kind]
                await step(connection, call_id)
        except ValidationError as exc:
            why = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise CallRefused("invalid_frame", f"{kind}: {why}", 422) from None

    async def _invite(self, connection: Connection, frame: InviteFrame, ref: Any) -> None:
        await self._limiter.check("call", str(connection.principal.user_id), self._invites_per_minute, 60)
        if frame.booking_id is not None and frame.media == "live_view":
            await self._live_view(connection, frame.booking_id, ref)
            return
        caller = connection.principal
        assert frame.conversation_id is not None and frame.media != "live_view"
        customer_id = await self._conversations.authorize(caller, frame.conversation_id)
        await self.check_policy(connection)
        if caller.is_staff:
            callees = [customer_id]
        else:
            callees = await self._staff_to_ring(connection, frame.conversation_id)
        invite = Invite(frame.conversation_id, customer_id, frame.media, callees)
        await self._calls.invite(connection, invite, ref)

    async def _live_view(self, connection: Connection, booking_id: UUID, ref: Any) -> None:
        """Staff show a checked-in booking's service to its customer, one way: every device
        of that customer (and nobody else) may join until the booking is completed or the
        shop's limit runs out. A progress update on the booking links to it."""
        caller = connection.principal
        if not caller.is_staff:
            raise CallRefused("not_allowed", "Staff start a live view of a booking.", 403)
        found = await self._bookings.booking(caller, booking_id)  # 404 unless the shop's own
        if found["status"] not in ("checked_in", "in_service"):
            raise CallRefused("not_checked_in", "A live view starts once the booking is checked in.", 409)
        policy = await self.check_policy(connection, business_hours=False)
        customer_id = UUID(str(found["customer_id"]))
        invite = Invite(
            conversation_id_for(caller.shop_id, customer_id),
            customer_id,
            "live_view",
            [customer_id],
            booking_id=booking_id,
            limit_seconds=int(policy["live_view_minutes"]) * 60,
        )
        call_id = await self._calls.invite(connection, invite, ref)
        if call_id is None:
            return
        link = booking.PostProgress(
            booking_id=booking_id,
            update_id=uuid5(call_id, "live-view"),
            actor=actor(caller),
            live_view_id=call_id,
        )
        await self._bookings.run(caller, link)

    async def check_policy(self, connection: Connection, business_hours: bool = True) -> dict[str, Any]:
        """The shop may have calls off, or on only in its business hours."""
        policy = await self._policies.of(connection.principal)
        if policy["policy"] == "off":
            raise CallRefused("calls_off", "This shop does not take calls.", 403)
        if business_hours and not policy["open_now"]:
            raise CallRefused("shop_closed", "This shop takes calls in its business hours only.", 403)
        return policy

    async def _staff_to_ring(self, connection: Connection, conversation_id: UUID) -> list[UUID]:
        caller = connection.principal
        assignee = await self._conversations.assignee(caller.shop_id, conversation_id)
        if assignee is not None:
            return [assignee]
        on_duty = await self._notifications.get(caller, "/on-duty")
        return [UUID(u) for u in on_duty["answering"]]
