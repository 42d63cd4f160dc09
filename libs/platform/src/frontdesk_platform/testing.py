"""Helpers for services' own tests against the real infrastructure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from .database import migrate
from .settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


async def started_health(create_app: Callable[[S], FastAPI], settings: S, migrations: str) -> dict[str, Any]:
    """Migrate, start the app's lifespan (database, Kafka, consumers) and ask /health."""
    await migrate(settings, migrations)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            health: dict[str, Any] = (await client.get("/health")).json()
    return health


class Clock:
    """A clock a test hands to the code under test and moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
