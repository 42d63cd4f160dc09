"""What a caller may do with conversations: access checks, commands, scoped reads.

Customers have exactly one conversation per shop, whose id is derived from
(shop, customer), so their access check needs no lookup. Staff may act on any
conversation of their own shop, which the messaging service confirms (and this
instance remembers, since a conversation never changes shop).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Envelope, contract_type, messaging
from frontdesk_contracts.messaging import conversation_id_for
from frontdesk_platform.errors import ApiError

from .attachments.model import Attachment
from .commands import Commands
from .config import GatewaySettings
from .identity.tokens import Principal
from .internal import InternalApi
from .ratelimit import RateLimiter

SOURCE = "frontdesk.gateway"
NOT_FOUND = ApiError(404, "conversation_not_found", "No such conversation.")


class MessagingReads:
    """The messaging service's internal API, always called with the caller's shop."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        # 422: the caller's input, e.g. a search with no words
        self._api = InternalApi(client, "Messaging", frozenset({404, 422}))

    async def get(self, path: str, **params: Any) -> Any:
        try:
            return await self._api.request("GET", path, params=params)
        except ApiError as error:
            raise NOT_FOUND if error.status == 404 else error from None


class Conversations:
    def __init__(
        self,
        settings: GatewaySettings,
        reads: MessagingReads,
        commands: Commands,
        limiter: RateLimiter,
    ) -> None:
        self._settings = settings
        self._reads = reads
        self._commands = commands
        self.submit = commands.submit
        self.outcome = commands.outcome
        self._limiter = limiter
        self._owners: OrderedDict[UUID, tuple[UUID, UUID]] = OrderedDict()

    async def authorize(self, caller: Principal, conversation_id: UUID) -> UUID:
        """Refuse unless the caller may use the conversation; returns its customer."""
        if not caller.is_staff:
            if conversation_id != conversation_id_for(caller.shop_id, caller.user_id):
                raise NOT_FOUND
            return caller.user_id
        known = self._owners.get(conversation_id)
        if known is None:
            found = await self._reads.get(
                f"/internal/conversations/{conversation_id}", shop_id=caller.shop_id
            )
            known = (UUID(found["shop_id"]), UUID(found["customer_id"]))
            self._remember(conversation_id, known)
        if known[0] != caller.shop_id:
            raise NOT_FOUND
        return known[1]

    async def assignee(self, shop_id: UUID, conversation_id: UUID) -> UUID | None:
        """Who has the conversation now (a customer's call rings them)."""
        found = await self._reads.get(f"/internal/conversations/{conversation_id}", shop_id=shop_id)
        return UUID(found["assignee_id"]) if found.get("assignee_id") else None

    async def open(self, caller: Principal, customer_id: UUID) -> tuple[dict[str, Any], bool]:
        """Open (or find) the conversation with a customer; True if it was created now."""
        conversation_id = conversation_id_for(caller.shop_id, customer_id)
        command = messaging.OpenConversation(
            conversation_id=conversation_id,
            shop_id=caller.shop_id,
            customer_id=customer_id,
            actor=_actor(caller),
        )
        try:
            reply = await self._commands.verdict(
                caller,
                conversation_id,
                command,
                unanswered="The conversation was not confirmed in time; retry.",
            )
        except ApiError as error:
            # Refused: the customer is not the shop's, or the id is someone else's.
            raise NOT_FOUND if error.status < 500 else error from None
        conversation = await self.get(caller, conversation_id)
        return conversation, not reply.data.get("duplicate", False)

    def send_command(
        self,
        caller: Principal,
        conversation_id: UUID,
        client_msg_id: str,
        text: str,
        attachment: Attachment | None = None,
    ) -> Envelope:
        """With an attachment (looked up by the gateway, never described by the client) the
        text is its caption and may be empty."""
        if len(text) > self._settings.max_text_length:
            raise ApiError(
                413,
                "message_too_large",
                f"A message has at most {self._settings.max_text_length} characters.",
            )
        if attachment is None and not text.strip():
            raise ApiError(422, "invalid_message", "A message needs some text.")
        metadata = attachment.metadata() if attachment else {"kind": "text"}
        kind = metadata.pop("kind")
        return self._commands.envelope(
            caller,
            conversation_id,
            messaging.SendMessage(
                conversation_id=conversation_id,
                client_msg_id=client_msg_id,
                text=text,
                actor=_actor(caller),
                kind=kind,
                attachment=messaging.Attachment(**metadata) if attachment else None,
            ),
        )

    async def check_send_rate(self, caller: Principal) -> None:
        await self._limiter.check("send", str(caller.user_id), self._settings.sends_per_second, 1)

    async def get(self, caller: Principal, conversation_id: UUID) -> dict[str, Any]:
        await self.authorize(caller, conversation_id)
        found = await self.read(caller, f"/internal/conversations/{conversation_id}")
        return visible_to(caller, found)

    async def list(self, caller: Principal, limit: int) -> list[dict[str, Any]]:
        found = await self.read(caller, "/internal/conversations", limit=limit)
        return [visible_to(caller, c) for c in found]

    async def changes(self, caller: Principal, cursor: int, limit: int) -> dict[str, Any]:
        page: dict[str, Any] = await self.read(caller, "/internal/changes", after=cursor, limit=limit)
        page["conversations"] = [visible_to(caller, c) for c in page["conversations"]]
        return page

    async def history(self, caller: Principal, conversation_id: UUID, **paging: int | None) -> dict[str, Any]:
        await self.authorize(caller, conversation_id)
        params = {k: v for k, v in paging.items() if v is not None}
        page: dict[str, Any] = await self.read(
            caller, f"/internal/conversations/{conversation_id}/messages", **params
        )
        return page

    async def read(self, caller: Principal, path: str, **params: Any) -> Any:
        """A read from messaging, scoped to the caller's shop, and for customers to themselves."""
        scope: dict[str, Any] = {
            "shop_id": caller.shop_id,
            "reader_id": caller.user_id,
            "reader_role": caller.role,
        }
        if not caller.is_staff:
            scope["customer_id"] = caller.user_id
        return await self._reads.get(path, **scope, **params)

    async def read_shop(self, caller: Principal, path: str, **params: Any) -> Any:
        """A read of the caller's shop settings or figures from messaging."""
        return await self._reads.get(f"/internal/shops/{caller.shop_id}{path}", **params)

    async def execute(
        self, caller: Principal, conversation_id: UUID, name: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Send a command about a conversation and wait for messaging's verdict."""
        await self.authorize(caller, conversation_id)
        return await self._execute(
            caller, conversation_id, name, {**payload, "conversation_id": conversation_id}
        )

    async def execute_for_shop(self, caller: Principal, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a command about the caller's shop settings and wait for the verdict."""
        return await self._execute(caller, caller.shop_id, name, {**payload, "shop_id": caller.shop_id})

    async def _execute(
        self, caller: Principal, aggregate_id: UUID, name: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        full = {**payload, "actor": _actor(caller)}
        reply = await self._commands.verdict(
            caller,
            aggregate_id,
            contract_type(name).parse(full),
            unanswered="Not confirmed in time; it may still apply. Retry safely.",
        )
        data: dict[str, Any] = reply.data
        return data

    def _remember(self, conversation_id: UUID, owners: tuple[UUID, UUID]) -> None:
        """A conversation never changes shop or customer, so this never goes stale."""
        self._owners[conversation_id] = owners
        if len(self._owners) > 100_000:
            self._owners.popitem(last=False)


STAFF_ONLY_FIELDS = ("labels", "assignee_id", "assigned_at", "handoff_note")


def visible_to(caller: Principal, conversation: dict[str, Any]) -> dict[str, Any]:
    """Customers never see the shop's internal organisation of their conversation."""
    if caller.is_staff:
        return conversation
    return {k: v for k, v in conversation.items() if k not in STAFF_ONLY_FIELDS}


def _actor(caller: Principal) -> messaging.Actor:
    return messaging.Actor(user_id=caller.user_id, role=caller.role, shop_id=caller.shop_id)
