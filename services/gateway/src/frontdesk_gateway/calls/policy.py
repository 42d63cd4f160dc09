"""A shop's call policy as messaging keeps it, read when a call starts and remembered for a
few seconds per gateway instance: a burst of calls does not each wait for messaging. A
change made through this instance is seen at once; through another, within the TTL."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from ..conversations import Conversations
from ..identity.tokens import Principal

TTL_SECONDS = 5.0


class CallPolicies:
    def __init__(self, conversations: Conversations, clock: Callable[[], float] = time.monotonic) -> None:
        self._conversations = conversations
        self._clock = clock
        self._known: dict[UUID, tuple[float, dict[str, Any]]] = {}

    async def of(self, caller: Principal) -> dict[str, Any]:
        """{policy, live_view_minutes, open_now} of the caller's shop."""
        now = self._clock()
        known = self._known.get(caller.shop_id)
        if known is not None and now - known[0] < TTL_SECONDS:
            return known[1]
        policy: dict[str, Any] = await self._conversations.read_shop(caller, "/calls")
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[caller.shop_id] = (now, policy)
        return policy

    def forget(self, shop_id: UUID) -> None:
        self._known.pop(shop_id, None)
