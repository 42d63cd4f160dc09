"""Searching message history within what the caller may see: staff their whole shop,
a customer only their own conversation. The scope comes from the token, never from
the request."""

from __future__ import annotations

from typing import Any

from .conversations import MessagingReads
from .identity.tokens import Principal


class MessageSearch:
    def __init__(self, reads: MessagingReads) -> None:
        self._reads = reads

    async def find(self, caller: Principal, q: str, limit: int, before: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"shop_id": caller.shop_id, "q": q, "limit": limit}
        if not caller.is_staff:
            params["customer_id"] = caller.user_id
        if before is not None:
            params["before"] = before
        page: dict[str, Any] = await self._reads.get("/internal/search", **params)
        return page
