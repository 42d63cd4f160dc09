"""The envelope every Frontdesk event and command travels in.

It is a CloudEvents-style record: the Kafka message value is the whole envelope as
JSON, and the fields a router needs (id, type, trace context) are copied into Kafka
headers so nobody has to parse the value to route or trace it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID = Field(default_factory=uuid4, description="Unique id; consumers dedupe on it.")
    type: str = Field(description="Versioned contract name, e.g. messaging.message.sent.v1")
    source: str = Field(description="The service that wrote it, e.g. frontdesk.messaging")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    tenant_id: UUID | None = Field(default=None, description="The shop the data belongs to.")
    aggregate_id: str = Field(description="Kafka key: the conversation, booking, ... id.")
    aggregate_version: int | None = Field(
        default=None, description="Version of the aggregate after this event; None for commands."
    )
    correlation_id: UUID = Field(default_factory=uuid4, description="The originating request.")
    causation_id: UUID | None = Field(default=None, description="The message that caused this.")
    traceparent: str | None = Field(default=None, description="W3C trace context.")
    data: dict[str, Any] = Field(default_factory=dict)

    def caused(self, **fields: Any) -> Envelope:
        """A new envelope caused by this one: same tenant, correlation and trace."""
        fields.setdefault("tenant_id", self.tenant_id)
        fields.setdefault("traceparent", self.traceparent)
        return Envelope(correlation_id=self.correlation_id, causation_id=self.id, **fields)
