"""The development sink: a provider for every platform that records what it would have
sent instead of sending it, so `make dev` users and tests can see it
(`GET /v1/shops/{shop_id}/dev-sink`). It is the default while no provider is configured."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .providers import Message, Outcome
from .providers.base import Platform

PLATFORMS: tuple[Platform, ...] = ("webpush", "fcm", "apns", "sms")


class Sink:
    def __init__(self, platform: Platform, sessions: Callable[[], AsyncSession]) -> None:
        self.platform = platform
        self._sessions = sessions

    async def send(self, message: Message) -> Outcome:
        """Record once per notification and platform; a repeat records nothing new."""
        data: dict[str, Any] = {**message.data, "address": message.address, "critical": message.critical}
        async with self._sessions() as session:
            await session.execute(
                text(
                    "INSERT INTO sink_records (notification_id, shop_id, user_id, platform, title, body, data, "
                    "recorded_at) VALUES (:id, :shop, :user, :p, :t, :b, CAST(:d AS jsonb), :now) "
                    "ON CONFLICT DO NOTHING"
                ),
                {
                    "id": message.notification_id,
                    "shop": UUID(message.data["shop_id"]),
                    "user": UUID(message.data["user_id"]),
                    "p": self.platform,
                    "t": message.title,
                    "b": message.body,
                    "d": json.dumps(data),
                    "now": datetime.now(UTC),
                },
            )
            await session.commit()
        return Outcome.sent(f"sink:{message.notification_id}:{self.platform}")


def sinks(sessions: Callable[[], AsyncSession]) -> dict[str, Sink]:
    return {platform: Sink(platform, sessions) for platform in PLATFORMS}
