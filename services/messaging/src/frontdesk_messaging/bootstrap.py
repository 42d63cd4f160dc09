"""Wires the messaging service: real adapters from settings, or whatever a test hands in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.consumer import RetryPolicy
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.runtime import Runtime, service_app

from .adapters.repository import ConversationRepository, ShopRepository
from .config import MessagingSettings
from .entrypoints import http, search, shop_http
from .projections import people, search_terms
from .projections.people import handle_presence_event
from .service_layer import bookings, handlers
from .service_layer.handlers import Dependencies

MIGRATIONS = str(Path(__file__).parent / "migrations")


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: MessagingSettings | None = None, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or MessagingSettings()
    runtime = Runtime(settings)
    search_terms.load()
    store = EventStore()
    deps = Dependencies(
        ConversationRepository(store),
        ShopRepository(store),
        runtime.unit_of_work,
        clock,
        recall_window=timedelta(seconds=settings.recall_window_seconds),
        edit_window=timedelta(seconds=settings.edit_window_seconds),
        language=settings.default_language,
    )
    # Retries up to ~12 s cover a staff member identity has not announced to messaging yet.
    runtime.consumer(
        handlers.CONSUMER,
        [topics.MESSAGING_COMMANDS],
        handlers.commands(deps),
        retry=RetryPolicy(attempts=6, first_delay=0.1, factor=4, max_delay=5),
    )
    runtime.consumer(people.CONSUMER, [topics.IDENTITY_EVENTS], people.IDENTITY_EVENTS)
    runtime.consumer(bookings.CONSUMER, [topics.BOOKING_EVENTS], bookings.events(deps))
    runtime.consumer(
        "messaging.presence", [topics.PRESENCE_EVENTS], partial(handle_presence_event, runtime.unit_of_work)
    )

    app = service_app(
        runtime,
        title="Frontdesk messaging (internal)",
        description="Conversations and messages. Internal API: the gateway calls it with the "
        "caller's shop scope; clients never do.",
    )
    app.include_router(http.router)
    app.include_router(shop_http.router)
    app.include_router(search.router)
    return app
