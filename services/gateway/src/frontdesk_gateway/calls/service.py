"""The calls use cases, one per socket frame: invite, accept, decline, cancel, hang up,
and the relay of SDP and ICE between the two parties (docs/calls.md)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from frontdesk_contracts.call_frames import CallParty, CallView
from frontdesk_contracts.calls import RecordCall
from frontdesk_contracts.messaging import Actor
from frontdesk_platform.errors import ApiError
from prometheus_client import Counter, Histogram

from ..commands import Commands
from ..realtime.connections import Connection
from .model import Call, CallRefused, Media, Party, not_found
from .store import CallRouting, CallStore
from .turn import ice_servers

log = logging.getLogger(__name__)

CALLS = Counter("frontdesk_gateway_calls_total", "Calls by how they ended.", ["media", "outcome"])
SETUP = Histogram(
    "frontdesk_gateway_call_setup_seconds",
    "From a call's invite to its answer.",
    buckets=(0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60),
)
BOOKING_OVER = frozenset(
    {"booking.booking.completed.v1", "booking.booking.cancelled.v1", "booking.booking.no_show.v1"}
)


@dataclass(frozen=True)
class CallSettings:
    ring_seconds: float
    live_seconds: int
    turn_urls: list[str]
    turn_secret: str
    turn_ttl_seconds: int


@dataclass(frozen=True)
class Invite:
    """What the caller asked for, once the permission checks have passed."""

    conversation_id: UUID
    customer_id: UUID
    media: Media
    callees: list[UUID]
    booking_id: UUID | None = None
    limit_seconds: int | None = None


class Calls:
    def __init__(
        self,
        store: CallStore,
        routing: CallRouting,
        commands: Commands,
        settings: CallSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._routing = routing
        self._commands = commands
        self._settings = settings
        self._clock = clock
        self._mine: dict[UUID, set[UUID]] = defaultdict(set)  # socket id → calls it is a party to
        self._timers: dict[UUID, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def ice_servers(self, user_id: UUID) -> list[dict[str, Any]]:
        s = self._settings
        return ice_servers(s.turn_urls, s.turn_secret, user_id, self._clock(), s.turn_ttl_seconds)

    # -- steps -----------------------------------------------------------------------

    async def invite(self, connection: Connection, invite: Invite, ref: Any) -> UUID | None:
        """Ring the callee's devices; None if the conversation has a call already (glare)."""
        caller = connection.principal
        call = Call(
            call_id=uuid4(),
            shop_id=caller.shop_id,
            conversation_id=invite.conversation_id,
            customer_id=invite.customer_id,
            media=invite.media,
            caller=Party(caller.user_id, caller.role, connection.id),
            callees=invite.callees,
            started_at=self._clock(),
            booking_id=invite.booking_id,
            limit_seconds=invite.limit_seconds,
        )
        # A live view rings (may be joined) for its whole time; a call for ring_seconds.
        ring_seconds = float(invite.limit_seconds or self._settings.ring_seconds)
        if await self._store.create(call, ring_seconds) is None:
            live = await self._store.live_in(invite.conversation_id)
            connection.push(
                {
                    "type": "error",
                    "code": "call_in_progress",
                    "message": "This conversation has a call already: accept it, or wait for it to end.",
                    "ref": ref,
                    "call_id": str(live.call_id) if live else None,
                }
            )
            return None
        self._hold(connection, call.call_id)
        connection.push(
            {
                "type": "call.ringing",
                "ref": ref,
                "call": self._view(call),
                "ice_servers": self.ice_servers(caller.user_id),
            }
        )
        await self._routing.to_users(
            call.shop_id,
            call.callees,
            {"type": "call.incoming", "call": self._view(call)},
            but=[connection.id],
        )
        ends = self._run_out if invite.limit_seconds else self._time_out
        self._timers[call.call_id] = asyncio.get_running_loop().call_later(
            ring_seconds, self._ring_over, call.call_id, ends
        )
        self._record(call, "started", caller.user_id, caller.role)
        return call.call_id

    async def accept(self, connection: Connection, call_id: UUID) -> None:
        who = connection.principal
        now = self._clock()
        call, _ = await self._store.step(
            call_id, lambda c: c.accept(who.user_id, who.role, connection.id, now)
        )
        self._hold(connection, call_id)
        SETUP.observe((now - call.started_at).total_seconds())
        view = self._view(call)
        connection.push({"type": "call.accepted", "call": view, "ice_servers": self.ice_servers(who.user_id)})
        await self._routing.to_sockets([call.caller.connection], {"type": "call.accepted", "call": view})
        await self._routing.to_users(
            call.shop_id, call.callees, {"type": "call.answered_elsewhere", "call": view}, but=[connection.id]
        )
        self._record(call, "answered", who.user_id, who.role)

    async def decline(self, connection: Connection, call_id: UUID) -> None:
        now = self._clock()
        call, _ = await self._store.step(call_id, lambda c: c.decline(connection.principal.user_id, now))
        await self._ended(call)

    async def cancel(self, connection: Connection, call_id: UUID) -> None:
        now = self._clock()
        call, _ = await self._store.step(call_id, lambda c: c.cancel(connection.id, now))
        await self._ended(call)

    async def hang_up(self, connection: Connection, call_id: UUID) -> None:
        now = self._clock()
        call, _ = await self._store.step(call_id, lambda c: c.hang_up(connection.id, now))
        await self._ended(call)

    async def relay(self, connection: Connection, kind: str, call_id: UUID, body: dict[str, Any]) -> None:
        """SDP and ICE go only from one party's socket to the other's: the offer from the
        caller, the answer from whoever accepted, candidates either way."""
        call = await self._store.get(call_id)
        if call is None:
            raise not_found()
        peer = call.peer_of(connection.id)
        if kind == "call.offer" and connection.id != call.caller.connection:
            raise CallRefused("not_allowed", "The caller sends the offer.", 403)
        if kind == "call.answer" and connection.id == call.caller.connection:
            raise CallRefused("not_allowed", "The one who accepted sends the answer.", 403)
        await self._routing.to_sockets(
            [peer], {"type": kind, "call_id": str(call_id), "from": str(connection.principal.user_id), **body}
        )

    async def disconnected(self, connection: Connection) -> None:
        """A party's device dropped: its calls end for the other side."""
        for call_id in self._mine.pop(connection.id, set()):
            try:
                call, what = await self._store.step(
                    call_id, partial(Call.dropped, connection=connection.id, at=self._clock())
                )
            except ApiError:
                continue  # gone, or Redis is away: the other side's own drop or timeout ends it
            if what == "ended":
                await self._ended(call)
            elif what == "left":  # the viewer may join again, from any device
                await self._routing.to_sockets(
                    [call.caller.connection], {"type": "call.left", "call": self._view(call)}
                )
        self._routing.let_go(connection.id)

    def on_booking(self, kind: str, booking_id: UUID) -> None:
        """A live view ends when its booking is completed (or otherwise over)."""
        if kind in BOOKING_OVER:
            self._spawn(self._booking_over(booking_id))

    async def _booking_over(self, booking_id: UUID) -> None:
        call_id = await self._store.live_view_of(booking_id)
        if call_id is not None:
            await self._end_if(call_id, partial(Call.finish, reason="booking_completed", at=self._clock()))

    async def _end_if(self, call_id: UUID, change: Callable[[Call], bool]) -> None:
        try:
            call, ended = await self._store.step(call_id, change)
        except ApiError:
            return  # gone, or Redis is away: the other side's own drop or timeout ends it
        if ended:
            await self._ended(call)

    # -- the end of a call ------------------------------------------------------------

    def _ring_over(self, call_id: UUID, ends: Callable[[UUID], Coroutine[Any, Any, None]]) -> None:
        self._timers.pop(call_id, None)  # also when the call ended on another instance meanwhile
        self._spawn(ends(call_id))

    async def _time_out(self, call_id: UUID) -> None:
        await self._end_if(call_id, partial(Call.time_out, at=self._clock()))

    async def _run_out(self, call_id: UUID) -> None:
        await self._end_if(call_id, partial(Call.run_out, at=self._clock()))

    async def _ended(self, call: Call) -> None:
        timer = self._timers.pop(call.call_id, None)
        if timer is not None:
            timer.cancel()
        CALLS.labels(call.media, call.outcome or "unknown").inc()
        frame = {"type": "call.ended", "call": self._view(call)}
        parties = call.party_connections()
        await self._routing.to_sockets(parties, frame)
        if call.answered_by is None:  # every device that rang stops ringing
            await self._routing.to_users(call.shop_id, call.callees, frame, but=parties)
        for socket in parties:
            calls = self._mine.get(socket)
            if calls is not None:
                calls.discard(call.call_id)
        self._record(call, "ended", call.caller.user_id, call.caller.role)

    # -- helpers ---------------------------------------------------------------------

    def _hold(self, connection: Connection, call_id: UUID) -> None:
        self._mine[connection.id].add(call_id)
        self._routing.hold(connection)

    @staticmethod
    def _view(call: Call) -> dict[str, Any]:
        """What both sides see of a call (never the other side's socket ids)."""
        answered = call.answered_by
        return CallView(
            call_id=call.call_id,
            conversation_id=call.conversation_id,
            media=call.media,
            caller=CallParty(user_id=call.caller.user_id, role=call.caller.role),
            state=call.state,
            answered_by=CallParty(user_id=answered.user_id, role=answered.role) if answered else None,
            started_at=call.started_at,
            outcome=call.outcome,
            reason=call.reason,
            duration_ms=call.duration_ms,
            booking_id=call.booking_id,
        ).model_dump(mode="json")

    def _record(self, call: Call, phase: str, user_id: UUID, role: str) -> None:
        """Into the conversation, through messaging; the call goes on if Kafka is slow."""
        command = RecordCall(
            conversation_id=call.conversation_id,
            actor=Actor(user_id=user_id, role=role, shop_id=call.shop_id),
            call_id=call.call_id,
            phase=phase,
            media=call.media,
            caller_id=call.caller.user_id,
            caller_role=call.caller.role,
            at={"started": call.started_at, "answered": call.answered_at, "ended": call.ended_at}[phase]
            or self._clock(),
            started_at=call.started_at,
            answered_by=call.answered_by.user_id if call.answered_by else None,
            answered_at=call.answered_at,
            outcome=call.outcome if phase == "ended" else None,
            booking_id=call.booking_id,
            customer_id=call.customer_id,
        )
        self._spawn(self._submit(call.shop_id, call.conversation_id, command))

    async def _submit(self, shop_id: UUID, conversation_id: UUID, command: RecordCall) -> None:
        try:
            await self._commands.submit(self._commands.for_shop(shop_id, conversation_id, command))
        except Exception:
            log.warning("call %s: %s not recorded", command.call_id, command.phase, exc_info=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Awaitable[None]) -> None:
        try:
            await work
        except ApiError:
            pass  # another step won the race (answered meanwhile, ended already)
        except Exception:
            log.warning("call step failed", exc_info=True)

    async def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        for task in list(self._tasks):
            task.cancel()
