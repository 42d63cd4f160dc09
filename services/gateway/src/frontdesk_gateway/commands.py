"""Commands from the gateway to the services that own the data: an envelope for the
verified caller, published keyed by its aggregate, and the owning service's reply
awaited by the command id."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID

from frontdesk_contracts import Contract, Envelope, type_name
from frontdesk_platform.errors import ApiError
from frontdesk_platform.observability import correlation_id, current_traceparent

from .identity.tokens import Principal
from .realtime.fanout import ReplyWaiters

SOURCE = "frontdesk.gateway"


class CommandSender:
    def __init__(
        self, publish: Callable[[Envelope], Awaitable[None]], replies: ReplyWaiters, timeout: float
    ) -> None:
        self._publish = publish
        self._replies = replies
        self._timeout = timeout

    def envelope(self, caller: Principal, aggregate_id: UUID, payload: Contract) -> Envelope:
        cid = correlation_id.get()
        return Envelope(
            type=type_name(type(payload)),
            source=SOURCE,
            tenant_id=caller.shop_id,
            aggregate_id=str(aggregate_id),
            traceparent=current_traceparent(),
            data=payload.model_dump(mode="json"),
            **({"correlation_id": UUID(cid)} if cid and _is_uuid(cid) else {}),
        )

    async def submit(self, command: Envelope) -> asyncio.Future[Envelope]:
        """Publish a command; the future resolves with the owning service's reply."""
        reply = self._replies.expect(command.id)
        try:
            await self._publish(command)
        except Exception as exc:
            reply.cancel()
            raise ApiError(503, "service_unavailable", "Could not queue the request; retry.") from exc
        return reply

    async def verdict(
        self, caller: Principal, key: UUID, payload: Contract, *, label: str, rejected: str
    ) -> Envelope:
        """Send a command keyed by `key` and wait for the owning service's verdict; a
        refusal (a reply of type `rejected`) is an ApiError with the service's code."""
        reply = await self.outcome(await self.submit(self.envelope(caller, key, payload)))
        if reply is None:
            raise ApiError(503, "not_confirmed", f"{label} did not answer in time; retry.")
        if reply.type == rejected:
            code = reply.data["code"]
            status = 403 if code == "forbidden" else 404 if code.endswith("not_found") else 422
            raise ApiError(status, code, reply.data["message"])
        return reply

    async def outcome(self, reply: asyncio.Future[Envelope], timeout: float | None = None) -> Envelope | None:
        """The reply, or None when it did not come in time (the command may still apply)."""
        try:
            return await asyncio.wait_for(reply, timeout or self._timeout)
        except TimeoutError:
            return None


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
