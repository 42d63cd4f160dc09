"""Turns messaging events into socket frames and command replies into acks.

Every gateway instance reads every messaging event (no consumer group, from the
newest offset) and pushes to the sockets it holds; see docs/adr/0002-gateway-fanout.md
for how this scales and when to switch to per-user routing through Redis.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any
from uuid import UUID

from frontdesk_contracts import Envelope, messaging

from .connections import Connections


class ReplyWaiters:
    """Futures for commands this instance sent, resolved by the owning service's reply."""

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


class _Seen:
    """Recently pushed event ids: Kafka may deliver an event twice, a device sees it once."""

    def __init__(self, size: int = 100_000) -> None:
        self._ids: OrderedDict[UUID, None] = OrderedDict()
        self._size = size

    def first_time(self, event_id: UUID) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class Fanout:
    def __init__(self, connections: Connections, replies: ReplyWaiters) -> None:
        self._connections = connections
        self._replies = replies
        self._seen = _Seen()

    async def handle(self, envelope: Envelope) -> None:
        if envelope.type.startswith("messaging.command."):
            self._replies.resolve(envelope)
            return
        if not self._seen.first_time(envelope.id):
            return
        if envelope.type == "messaging.message.sent.v1":
            sent = messaging.MessageSent.model_validate(envelope.data)
            self._push(sent.shop_id, sent.customer_id, {"type": "message.new", "message": envelope.data})
        elif envelope.type == "messaging.conversation.opened.v1":
            opened = messaging.ConversationOpened.model_validate(envelope.data)
            self._push(
                opened.shop_id,
                opened.customer_id,
                {"type": "conversation.opened", "conversation": envelope.data},
            )

    def _push(self, shop_id: UUID, customer_id: UUID, frame: dict[str, Any]) -> None:
        recipients = self._connections.of_shop_staff(shop_id) | {
            c for c in self._connections.of_user(customer_id) if c.principal.shop_id == shop_id
        }
        for connection in recipients:
            connection.push(frame)
