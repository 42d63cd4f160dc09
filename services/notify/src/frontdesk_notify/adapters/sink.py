"""The development sink: a provider for every platform that records what it would have
sent instead of sending it, so `make dev` users and tests can see it
(`GET /v1/shops/{shop_id}/dev-sink`). It is the default while no provider is configured."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from .providers import Message, Outcome
from .providers.base import Platform

PLATFORMS: tuple[Platform, ...] = ("webpush", "fcm", "apns", "sms")


class Sink:
    def __init__(self, platform: Platform, pool: asyncpg.Pool) -> None:
        self.platform = platform
        self._pool = pool

    async def send(self, message: Message) -> Outcome:
        """Record once per notification and platform; a repeat records nothing new."""
        data: dict[str, Any] = {**message.data, "address": message.address, "critical": message.critical}
        await self._pool.execute(
            "INSERT INTO sink_records (notification_id, shop_id, user_id, platform, title, body, data, "
            "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT DO NOTHING",
            message.notification_id,
            UUID(message.data["shop_id"]),
            UUID(message.data["user_id"]),
            self.platform,
            message.title,
            message.body,
            json.dumps(data),
            datetime.now(UTC),
        )
        return Outcome.sent(f"sink:{message.notification_id}:{self.platform}")


def sinks(pool: asyncpg.Pool) -> dict[str, Sink]:
    """One sink per platform, writing through a small pool of its own (one statement,
    autocommit: as cheap as recording can be)."""
    return {platform: Sink(platform, pool) for platform in PLATFORMS}
