"""Turns messaging and booking events into socket frames and command replies into acks.

Every gateway instance reads every messaging event (no consumer group, from the
newest offset) and pushes to the sockets it holds; see docs/adr/0002-gateway-fanout.md
for how this scales and when to switch to per-user routing through Redis.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Literal
from uuid import UUID

import orjson
from aiokafka import ConsumerRecord
from frontdesk_contracts import Envelope
from frontdesk_contracts.booking_frames import FRAMES as BOOKING_FRAMES
from frontdesk_platform.command_client import Replies
from frontdesk_platform.observability import continue_trace, exporting

from .connections import Connection, Connections, Frame


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


def _pushing(kind: str, headers: dict[str, bytes], event: dict[str, Any]) -> AbstractContextManager[object]:
    """The push to sockets as the last hop of the trace that led to the event (the relay's
    span, named by the record's header)."""
    traceparent = headers.get("traceparent")
    if not exporting():
        return nullcontext()
    return continue_trace(
        f"push {kind}", traceparent.decode() if traceparent else None, event.get("correlation_id")
    )


class Fanout:
    def __init__(self, connections: Connections, replies: Replies) -> None:
        self._connections = connections
        self._replies = replies
        self._seen = _Seen()
        # Told of every booking change this instance reads (a live view ends with its booking).
        self.on_booking: Callable[[str, UUID], None] | None = None

    async def handle(self, envelope: Envelope) -> None:
        if envelope.type.startswith("messaging.command."):
            self._replies.resolve(envelope)
        elif envelope.type in ROUTES and self._seen.first_time(envelope.id):
            self._push(envelope.type, envelope.data)
        elif envelope.type in BOOKING_FRAMES and self._seen.first_time(envelope.id):
            self._push_booking(envelope.type, envelope.data)

    def handle_record(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """A record straight from Kafka, routed by its headers: an event no socket shows
        (or one pushed already) is never parsed, and an event is parsed once, by orjson."""
        headers = dict(record.headers)
        kind = headers.get("ce_type", b"").decode()
        if kind.startswith("messaging.command."):
            self._replies.resolve(Envelope.model_validate_json(record.value))
        elif kind in ROUTES and self._seen.first_time(UUID(headers["ce_id"].decode())):
            event = orjson.loads(record.value)
            with _pushing(kind, headers, event):
                self._push(kind, event["data"])
        elif kind in BOOKING_FRAMES and self._seen.first_time(UUID(headers["ce_id"].decode())):
            event = orjson.loads(record.value)
            with _pushing(kind, headers, event):
                self._push_booking(kind, event["data"])

    def _push(self, kind: str, data: dict[str, Any]) -> None:
        frame_type, audience = ROUTES[kind]
        shop_id, customer_id = UUID(data["shop_id"]), UUID(data["customer_id"])
        conversation_id = UUID(data["conversation_id"])
        recipients = self.recipients(shop_id, customer_id, audience)
        if not recipients:
            return
        if frame_type == "message.new":
            frame = Frame({"type": frame_type, "message": data})
            for connection in recipients:
                connection.push_message(conversation_id, data["seq"], frame)
            return
        frame = Frame(
            {"type": frame_type, "conversation": data}
            if frame_type == "conversation.opened"
            else {"type": frame_type, **data}
        )
        for connection in recipients:
            connection.push(frame)

    def _push_booking(self, kind: str, data: dict[str, Any]) -> None:
        """The shop's staff see every booking change; a customer their own."""
        if self.on_booking is not None:
            self.on_booking(kind, UUID(data["booking_id"]))
        frame_type, key = BOOKING_FRAMES[kind]
        recipients = self.recipients(UUID(data["shop_id"]), UUID(data["customer_id"]), "everyone")
        if recipients:
            frame = Frame({"type": frame_type, key: data})
            for connection in recipients:
                connection.push(frame)

    def recipients(self, shop_id: UUID, customer_id: UUID, audience: Audience) -> set[Connection]:
        staff = self._connections.of_shop_staff(shop_id)
        if audience == "staff":
            return staff
        return staff | {c for c in self._connections.of_user(customer_id) if c.principal.shop_id == shop_id}


Audience = Literal["everyone", "staff"]

# Which events reach which sockets, as which frame. Staff-only events (internal notes,
# assignment with its handoff note, labels) never reach a customer's device.
ROUTES: dict[str, tuple[str, Audience]] = {
    "messaging.message.sent.v1": ("message.new", "everyone"),
    "messaging.conversation.opened.v1": ("conversation.opened", "everyone"),
    "messaging.message.recalled.v1": ("message.recalled", "everyone"),
    "messaging.message.edited.v1": ("message.edited", "everyone"),
    "messaging.receipt.read.v1": ("receipt.read", "everyone"),
    "messaging.receipt.delivered.v1": ("receipt.delivered", "everyone"),
    "messaging.conversation.status_changed.v1": ("conversation.status", "everyone"),
    "messaging.survey.requested.v1": ("survey.requested", "everyone"),
    "messaging.survey.answered.v1": ("survey.answered", "everyone"),
    "messaging.note.added.v1": ("note.new", "staff"),
    "messaging.conversation.assigned.v1": ("conversation.assigned", "staff"),
    "messaging.conversation.labels_changed.v1": ("conversation.labels", "staff"),
}
