"""Wires the booking service: real adapters from settings, or whatever a test hands in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.eventstore import EventStore
from frontdesk_platform.runtime import Runtime, service_app

from .adapters.repository import Repositories
from .config import Settings
from .entrypoints import calendar, http
from .projections import erasure
from .service_layer import handlers
from .service_layer.context import Dependencies
from .service_layer.sweeper import expire_holds

MIGRATIONS = str(Path(__file__).parent / "migrations")


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    hold = settings.waitlist_hold_seconds
    waitlist_hold = timedelta(seconds=hold) if hold else None
    deps = Dependencies(Repositories(EventStore()), runtime.unit_of_work, clock, waitlist_hold)
    # A shop's commands come keyed by the shop (the gateway and ai-assist send them so),
    # so one worker carries them out in order and a batch of them in one transaction: no
    # two transactions of one shop wait on each other at the exclusion constraint (when
    # commands were keyed by booking, batches deadlocked across partitions).
    runtime.consumer(handlers.CONSUMER, [topics.BOOKING_COMMANDS], handlers.commands(deps))
    runtime.consumer(erasure.CONSUMER, [topics.IDENTITY_EVENTS], erasure.IDENTITY_EVENTS)
    runtime.every("booking.expire-holds", settings.hold_sweep_seconds, partial(expire_holds, deps))

    app = service_app(
        runtime,
        title="Frontdesk booking (internal)",
        description="Catalog, slots, bookings, waitlist and pets. Internal API: the gateway calls it "
        "with the caller's shop scope; clients never do.",
    )
    app.state.clock = clock
    app.include_router(http.router)
    app.include_router(calendar.router)
    return app
