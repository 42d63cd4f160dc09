"""Sending a command to the service that owns its aggregate and waiting for its verdict:
one client for every sender (the gateway, ai-assist).

A reply names the command it answers in its causation id, so a future is registered for
the command id before the command is published (a fast verdict cannot arrive first).
Every instance of a sender reads every reply; the one that sent the command takes it.
A rejection (`<service>.command.rejected.vN`) is a `Refusal` with the service's code,
message and whatever else it carries (booking's alternative slots); no verdict in time
is `Unanswered` (the command may still take effect, and is safe to send again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

from frontdesk_contracts import Contract, Envelope, type_name

from .observability import correlation_id, current_traceparent

# What every rejection repeats from its command; anything else it carries is a detail.
_REJECTION_FIELDS = frozenset({"command_id", "command_type", "aggregate_id", "code", "message"})

# HTTP statuses of the refusal codes that are not the caller's invalid input (422):
# any `*_not_found` is 404; these are what the caller may not do, or not now.
STATUSES: Mapping[str, int] = {
    "forbidden": 403,
    "not_allowed": 403,
    "slot_taken": 409,
    "slot_available": 409,
    "invalid_state": 409,
    "hold_expired": 409,
    "no_change_proposed": 409,
    "shop_not_set_up": 409,
    "window_closed": 409,
}


def status_of(code: str) -> int:
    """The HTTP status that tells a caller what a service's refusal `code` means."""
    if code.endswith("not_found"):
        return 404
    return STATUSES.get(code, 422)


def is_rejection(reply: Envelope) -> bool:
    return ".command.rejected." in reply.type


class Refusal(Exception):
    """The owning service refused the command; nothing it asked for happened."""

    def __init__(self, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    @classmethod
    def of(cls, reply: Envelope) -> Refusal:
        details = {k: v for k, v in reply.data.items() if k not in _REJECTION_FIELDS}
        return cls(reply.data["code"], reply.data["message"], details)


class Unanswered(Exception):
    """No verdict came in time; the command may still take effect."""


class Unqueued(Exception):
    """The command could not be published; nothing was sent."""


class Replies:
    """Futures for the commands this instance sent, resolved by their verdicts."""

    def __init__(self) -> None:
        self._waiting: dict[UUID, asyncio.Future[Envelope]] = {}

    def expect(self, command_id: UUID) -> asyncio.Future[Envelope]:
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._waiting[command_id] = future
        future.add_done_callback(lambda _: self._waiting.pop(command_id, None))
        return future

    def resolve(self, reply: Envelope) -> None:
        future = self._waiting.get(reply.causation_id) if reply.causation_id else None
        if future is not None and not future.done():
            future.set_result(reply)

    async def handle(self, reply: Envelope) -> None:
        """`resolve` as a consumer's handler of a replies topic."""
        self.resolve(reply)

    def __len__(self) -> int:
        return len(self._waiting)


class CommandClient:
    def __init__(
        self,
        source: str,
        publish: Callable[[Envelope], Awaitable[None]],
        replies: Replies,
        timeout: float,
    ) -> None:
        self._source = source
        self._publish = publish
        self.replies = replies
        self._timeout = timeout

    def envelope(self, tenant_id: UUID, aggregate_id: UUID, payload: Contract) -> Envelope:
        """The command for the shop `tenant_id`, keyed by its aggregate, in the current trace."""
        cid = correlation_id.get()
        return Envelope(
            type=type_name(type(payload)),
            source=self._source,
            tenant_id=tenant_id,
            aggregate_id=str(aggregate_id),
            traceparent=current_traceparent(),
            data=payload.model_dump(mode="json"),
            **({"correlation_id": UUID(cid)} if cid and _is_uuid(cid) else {}),
        )

    async def submit(self, command: Envelope) -> asyncio.Future[Envelope]:
        """Publish a command; the future resolves with the owning service's reply."""
        reply = self.replies.expect(command.id)
        try:
            await self._publish(command)
        except Exception as exc:
            reply.cancel()
            raise Unqueued(str(exc)) from exc
        return reply

    async def outcome(self, reply: asyncio.Future[Envelope], timeout: float | None = None) -> Envelope | None:
        """The reply, or None when it did not come in time (the command may still apply)."""
        try:
            return await asyncio.wait_for(reply, timeout or self._timeout)
        except TimeoutError:
            return None

    async def verdict(self, command: Envelope, timeout: float | None = None) -> Envelope:
        """Send `command` and return its accepted reply; a rejection raises `Refusal`, no
        reply in time `Unanswered`, a failed publish `Unqueued`."""
        reply = await self.outcome(await self.submit(command), timeout)
        if reply is None:
            raise Unanswered(f"{command.type} for {command.aggregate_id}")
        if is_rejection(reply):
            raise Refusal.of(reply)
        return reply


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
