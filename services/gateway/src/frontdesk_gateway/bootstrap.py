"""Wires the gateway: identity, the messaging client, fan-out and the public API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.runtime import Runtime, service_app
from redis.asyncio import Redis

from .assistant import ShopAssistant
from .attachments.content import Rules
from .attachments.service import Attachments
from .attachments.storage import storage_for
from .attachments.upload import largest_form
from .bookings import BookingReads, Bookings, reply_handler
from .campaigns import Campaigns
from .commands import CommandSender
from .config import GatewaySettings
from .conversations import Conversations, MessagingReads
from .entrypoints import (
    assistant,
    attachments,
    booking,
    campaigns,
    conversation_work,
    notifications,
    rest,
    search,
    shop_settings,
    ws,
)
from .entrypoints.origins import allow_listed_origins
from .identity.service import Identity
from .identity.tokens import TokenIssuer
from .notifications import Notifications
from .ratelimit import RateLimiter
from .realtime.connections import Connections
from .realtime.fanout import Fanout, ReplyWaiters
from .realtime.signals import Signals
from .search import MessageSearch

MIGRATIONS = str(Path(__file__).parent / "migrations")
# A campaign's text may be sent with every character escaped (\uXXXX, six bytes each).
CAMPAIGN_BODY_BYTES = 256 * 1024

DESCRIPTION = """\
Frontdesk's public API for customer apps, staff apps and the web console.

Sign in with `POST /v1/auth/token` and send `Authorization: Bearer <access_token>`.
Real-time traffic goes over the WebSocket at `/v1/ws?access_token=...` (see docs/websocket.md).
Errors always look like `{"error": {"code": "...", "message": "..."}}`.
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


def attachment_rules(settings: GatewaySettings) -> Rules:
    return Rules(
        max_bytes={
            "image": settings.attachment_max_image_bytes,
            "voice": settings.attachment_max_voice_bytes,
            "video": settings.attachment_max_video_bytes,
            "file": settings.attachment_max_file_bytes,
        },
        allowed_types=frozenset(settings.attachment_types),
        max_image_pixels=settings.attachment_max_image_pixels,
    )


def create_app(settings: GatewaySettings | None = None, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or GatewaySettings()
    runtime = Runtime(settings)
    connections, replies = Connections(), ReplyWaiters()
    fanout = Fanout(connections, replies)
    # Every instance needs every event for the sockets it holds: no shared group.
    runtime.consumer(
        f"gateway-fanout-{settings.instance_id}",
        [topics.MESSAGING_EVENTS, topics.MESSAGING_REPLIES],
        fanout.handle,
        shared_group=False,
        offset_reset="latest",
    )
    runtime.consumer(
        f"gateway-booking-replies-{settings.instance_id}",
        [topics.BOOKING_REPLIES, topics.NOTIFY_REPLIES, topics.ASSISTANT_REPLIES],
        reply_handler(replies),
        shared_group=False,
        offset_reset="latest",
    )
    issuer = TokenIssuer(settings.jwt_secret, settings.access_token_seconds)
    rules = attachment_rules(settings)

    @asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        redis = Redis.from_url(settings.redis_url)
        http = httpx.AsyncClient(base_url=settings.messaging_url, timeout=10)
        booking_http = httpx.AsyncClient(base_url=settings.booking_url, timeout=10)
        notify_http = httpx.AsyncClient(base_url=settings.notify_url, timeout=10)
        assistant_http = httpx.AsyncClient(base_url=settings.ai_assist_url, timeout=10)
        limiter = RateLimiter(redis)
        app.state.settings = settings
        app.state.issuer = issuer
        app.state.limiter = limiter
        app.state.connections = connections
        app.state.redis = redis
        app.state.identity = Identity(runtime.unit_of_work, issuer, settings.refresh_token_days, clock)
        signals = Signals(redis, connections, runtime.publish, settings.kafka_namespace)
        app.state.signals = signals
        await signals.start()
        commands = CommandSender(runtime.publish, replies, settings.reply_timeout_seconds)
        conversations = Conversations(settings, MessagingReads(http), commands, limiter)
        app.state.conversations = conversations
        app.state.attachments = Attachments(
            runtime.unit_of_work, storage_for(settings), conversations, rules, clock
        )
        app.state.search = MessageSearch(MessagingReads(http))
        app.state.bookings = Bookings(BookingReads(booking_http), commands)
        app.state.notifications = Notifications(notify_http, commands)
        app.state.campaigns = Campaigns(notify_http, app.state.notifications)
        app.state.assistant = ShopAssistant(assistant_http, commands)
        try:
            yield
        finally:
            await signals.stop()
            await booking_http.aclose()
            await notify_http.aclose()
            await assistant_http.aclose()
            await http.aclose()
            await redis.aclose()

    async def check_redis() -> None:
        await app.state.redis.ping()

    app = service_app(
        runtime,
        title="Frontdesk API",
        description=DESCRIPTION,
        version="1.0.0",
        resources=resources,
        checks={"redis": check_redis},
    )
    app.include_router(conversation_work.router)
    app.include_router(shop_settings.router)
    app.include_router(rest.router)
    app.include_router(attachments.router, max_body_size=largest_form(rules))
    app.include_router(booking.router)
    app.include_router(ws.router)
    app.include_router(search.router)
    app.include_router(notifications.router)
    app.include_router(campaigns.router, max_body_size=CAMPAIGN_BODY_BYTES)
    app.include_router(assistant.router)
    allow_listed_origins(app, settings.cors_origins)
    return app
