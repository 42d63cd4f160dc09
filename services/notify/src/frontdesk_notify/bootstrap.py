"""Wires the notify service: booking events in, reminders as durable timers, delivery
to the development sink, and the internal read API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.runtime import Runtime, service_app

from .config import Settings
from .entrypoints import campaigns as campaigns_http
from .entrypoints import http
from .service_layer.booking_events import handle_booking_event
from .service_layer.campaigns import SEND, CampaignPolicy, send_campaign
from .service_layer.commands import handle_command
from .service_layer.customer_events import handle_customer_event
from .service_layer.delivery import deliver_due
from .service_layer.deps import Dependencies
from .service_layer.timers import fire_due_reminders

MIGRATIONS = str(Path(__file__).parent / "migrations")


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    deps = Dependencies(runtime.unit_of_work, clock, settings.default_language)
    runtime.consumer("notify.booking-events", [topics.BOOKING_EVENTS], partial(handle_booking_event, deps))
    campaign_policy = CampaignPolicy(frequency_cap=timedelta(days=settings.campaign_cap_days))
    campaign_commands = {SEND: partial(send_campaign, deps, campaign_policy)}
    runtime.consumer(
        "notify.commands", [topics.NOTIFY_COMMANDS], partial(handle_command, deps, others=campaign_commands)
    )
    runtime.consumer(
        "notify.customer-facts",
        [topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS, topics.IDENTITY_EVENTS],
        partial(handle_customer_event, deps),
    )
    runtime.every("notify.reminders", settings.timer_poll_seconds, partial(fire_due_reminders, deps))
    runtime.every("notify.delivery", settings.delivery_poll_seconds, partial(deliver_due, deps))
    app = service_app(
        runtime,
        title="Frontdesk notify (internal)",
        description="Notifications, reminders and their delivery status. Internal API: the gateway "
        "calls it with the caller's shop scope; clients never do.",
    )
    app.include_router(http.router)
    app.include_router(campaigns_http.router)
    app.state.clock = clock
    return app
