"""Commands from the gateway to the services that own the data, through the platform's
command client: sent for the verified caller's shop, and a refusal, a verdict that does
not come in time or a command that cannot be queued answered as an ApiError."""

from __future__ import annotations

import asyncio
from uuid import UUID

from frontdesk_contracts import Contract, Envelope
from frontdesk_platform.command_client import CommandClient, Refusal, Unanswered, Unqueued, status_of
from frontdesk_platform.errors import ApiError

from .identity.tokens import Principal

SOURCE = "frontdesk.gateway"
UNQUEUED = ApiError(503, "service_unavailable", "Could not queue the request; retry.")


def refused(refusal: Refusal) -> ApiError:
    return ApiError(status_of(refusal.code), refusal.code, refusal.message, refusal.details or None)


class Commands:
    def __init__(self, client: CommandClient) -> None:
        self._client = client

    def envelope(self, caller: Principal, aggregate_id: UUID, payload: Contract) -> Envelope:
        return self._client.envelope(caller.shop_id, aggregate_id, payload)

    def for_shop(self, shop_id: UUID, aggregate_id: UUID, payload: Contract) -> Envelope:
        """A command on behalf of the gateway itself (a call's timeout), for that shop."""
        return self._client.envelope(shop_id, aggregate_id, payload)

    async def submit(self, command: Envelope) -> asyncio.Future[Envelope]:
        """Publish a command; the future resolves with the owning service's reply."""
        try:
            return await self._client.submit(command)
        except Unqueued as exc:
            raise UNQUEUED from exc

    async def outcome(self, reply: asyncio.Future[Envelope], timeout: float | None = None) -> Envelope | None:
        """The reply, or None when it did not come in time (the command may still apply)."""
        return await self._client.outcome(reply, timeout)

    async def verdict(self, caller: Principal, key: UUID, payload: Contract, *, unanswered: str) -> Envelope:
        """Send a command keyed by `key` and return the owning service's accepted reply;
        `unanswered` tells the caller what to do when no verdict comes in time."""
        try:
            return await self._client.verdict(self.envelope(caller, key, payload))
        except Refusal as refusal:
            raise refused(refusal) from None
        except Unanswered:
            raise ApiError(503, "not_confirmed", unanswered) from None
        except Unqueued as exc:
            raise UNQUEUED from exc
