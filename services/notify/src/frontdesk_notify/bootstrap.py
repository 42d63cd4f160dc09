"""Wires the notify service: booking events and commands in, reminders as durable timers,
delivery through the configured providers (or the development sink), the internal API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.runtime import Runtime, service_app

from .adapters.providers import Provider
from .adapters.providers.factory import build_providers, new_http_client
from .adapters.sink import sinks
from .config import Settings
from .entrypoints import campaigns as campaigns_http
from .entrypoints import care as care_http
from .entrypoints import http, receipts
from .entrypoints import webhooks as webhooks_http
from .service_layer import booking_events, chat_events, commands, customer_events, webhooks
from .service_layer.campaigns import send_due_campaigns
from .service_layer.care import give_due_care_notices
from .service_layer.chat_events import fire_due_alerts
from .service_layer.delivery import Delivery, deliver_due
from .service_layer.deps import Dependencies, drain
from .service_layer.timers import fire_due_reminders

MIGRATIONS = str(Path(__file__).parent / "migrations")


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    campaign_cap = timedelta(days=settings.campaign_cap_days)
    deps = Dependencies(
        runtime.unit_of_work,
        clock,
        settings.default_language,
        campaign_cap,
        settings.push_services,
        settings.booking_link,
    )
    providers: dict[str, Provider] = {}  # filled when the app starts
    delivery = Delivery(providers, timedelta(seconds=settings.fallback_after_seconds), settings.max_attempts)
    runtime.consumer(booking_events.CONSUMER, [topics.BOOKING_EVENTS], booking_events.events(deps))
    runtime.consumer(commands.CONSUMER, [topics.NOTIFY_COMMANDS], commands.pipeline(deps))
    chat_delay = timedelta(seconds=settings.chat_alert_delay_seconds)
    runtime.consumer(
        chat_events.CONSUMER,
        [topics.MESSAGING_EVENTS, topics.IDENTITY_EVENTS],
        chat_events.events(deps, chat_delay),
    )
    runtime.consumer(
        customer_events.CONSUMER,
        [topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS, topics.IDENTITY_EVENTS],
        customer_events.events(deps),
    )
    runtime.consumer(
        webhooks.CONSUMER, [topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS], webhooks.events(deps)
    )
    sending = webhooks.Sending(settings.webhook_retry_seconds, settings.webhooks_allow_loopback)
    rounds = {
        "notify.reminders": (settings.timer_poll_seconds, partial(fire_due_reminders, deps)),
        "notify.chat-alerts": (settings.timer_poll_seconds, partial(fire_due_alerts, deps)),
        "notify.care-notices": (settings.timer_poll_seconds, partial(give_due_care_notices, deps)),
        "notify.scheduled-campaigns": (settings.timer_poll_seconds, partial(send_due_campaigns, deps)),
        "notify.delivery": (settings.delivery_poll_seconds, partial(deliver_due, deps, delivery)),
        "notify.webhooks": (settings.delivery_poll_seconds, partial(webhooks.deliver_due, deps, sending)),
    }
    for name, (seconds, round_) in rounds.items():
        runtime.every(name, seconds, partial(drain, round_, settings.batch_size))

    @asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        async with (
            new_http_client() as client,
            asyncpg.create_pool(settings.asyncpg_dsn(), min_size=1, max_size=4) as sink_pool,
        ):
            configured = build_providers(settings.providers, client)
            chosen = configured.items() if configured else sinks(sink_pool).items()
            providers.update((str(platform), provider) for platform, provider in chosen)
            sending.http.append(client)
            yield
            sending.http.clear()

    app = service_app(
        runtime,
        title="Frontdesk notify (internal)",
        description="Notifications, reminders and their delivery status. Internal API: the gateway "
        "calls it with the caller's shop scope; clients never do.",
        resources=resources,
    )
    app.state.settings = settings
    app.include_router(http.router)
    app.include_router(receipts.router)
    app.include_router(campaigns_http.router)
    app.include_router(care_http.router)
    app.include_router(webhooks_http.router)
    app.state.webhooks = sending
    app.state.clock = clock
    return app
