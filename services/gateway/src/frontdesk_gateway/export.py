"""A shop's archive on request (PIPL/GDPR portability): every conversation with its whole
history and internal notes, and every booking, of the shop or of one customer (then also
their account and pets), gathered from the services' internal reads with the owner's
scope. The format is documented in docs/operations.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_platform.errors import ApiError

from .bookings import BookingReads
from .conversations import Conversations
from .identity.service import Identity
from .identity.tokens import Principal

FORMAT = "frontdesk.export.v1"
_PAGE = 200  # the most the messaging reads give at once
_BOOKINGS_PAGE = 500


class ShopExport:
    def __init__(
        self,
        conversations: Conversations,
        bookings: BookingReads,
        identity: Identity,
        clock: Callable[[], datetime],
    ) -> None:
        self._conversations = conversations
        self._bookings = bookings
        self._identity = identity
        self._clock = clock

    async def archive(self, owner: Principal, customer_id: UUID | None = None) -> dict[str, Any]:
        if owner.role != "owner":
            raise ApiError(403, "forbidden", "Only the shop's owner can export the shop's data.")
        exported_at = self._clock()
        customer = None
        if customer_id is not None:
            customer = await self._identity.customer_account(owner.shop_id, customer_id)
            if customer is None:
                raise ApiError(404, "customer_not_found", "No such customer in this shop.")
            customer["pets"] = await self._bookings.get(owner, "/pets", customer_id=customer_id)
        conversations = [
            {
                **conversation,
                "messages": await self._history(owner, conversation["id"]),
                "notes": await self._conversations.read(
                    owner, f"/internal/conversations/{conversation['id']}/notes"
                ),
            }
            for conversation in await self._all_conversations(owner)
            if customer_id is None or str(conversation["customer_id"]) == str(customer_id)
        ]
        return {
            "format": FORMAT,
            "shop_id": owner.shop_id,
            "customer_id": customer_id,
            "exported_at": exported_at,
            "customer": customer,
            "conversations": conversations,
            "bookings": await self._all_bookings(owner, customer_id),
        }

    async def _all_conversations(self, owner: Principal) -> list[dict[str, Any]]:
        """Through the changes feed: its cursor pages over every conversation exactly once."""
        found: list[dict[str, Any]] = []
        cursor = 0
        while True:
            page = await self._conversations.read(owner, "/internal/changes", after=cursor, limit=_PAGE)
            found += page["conversations"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return found

    async def _history(self, owner: Principal, conversation_id: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        path = f"/internal/conversations/{conversation_id}/messages"
        while True:
            after = messages[-1]["seq"] if messages else 0
            page = await self._conversations.read(owner, path, after_seq=after, limit=_PAGE)
            messages += page["messages"]
            if not page["messages"] or messages[-1]["seq"] >= page["last_seq"]:
                return messages

    async def _all_bookings(self, owner: Principal, customer_id: UUID | None) -> list[dict[str, Any]]:
        """Paged by start time (inclusive), so a page's last start comes again: kept once by id."""
        found: dict[str, dict[str, Any]] = {}
        starts_from = None
        while True:
            page = await self._bookings.get(
                owner, "/bookings", customer_id=customer_id, starts_from=starts_from, limit=_BOOKINGS_PAGE
            )
            new = {b["id"]: b for b in page if b["id"] not in found}
            found |= new
            if len(page) < _BOOKINGS_PAGE or not new:
                return list(found.values())
            starts_from = page[-1]["starts_at"]
