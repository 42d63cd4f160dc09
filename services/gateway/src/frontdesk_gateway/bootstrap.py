"""Wires the gateway: identity, the messaging client, fan-out and the public API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.command_client import CommandClient, Replies
from frontdesk_platform.observability import carry_context
from frontdesk_platform.runtime import Runtime, service_app

from .assistant import ShopAssistant
from .attachments import erasure as attachment_erasure
from .attachments.content import Rules
from .attachments.service import Attachments
from .attachments.storage import storage_for
from .attachments.upload import largest_form
from .audit.log import AuditLog
from .audit.trail import AuditTrail
from .bookings import BookingReads, Bookings
from .calendar.feeds import CalendarFeeds
from .calls.frames import CallFrames
from .calls.policy import CallPolicies
from .calls.service import Calls, CallSettings
from .calls.store import CallRouting, CallStore
from .campaigns import Campaigns
from .commands import SOURCE, Commands
from .config import GatewaySettings
from .conversations import Conversations, MessagingReads
from .entrypoints import (
    api_keys,
    assistant,
    attachments,
    audit,
    booking,
    calendar,
    call_settings,
    campaigns,
    care,
    conversation_work,
    customer_data,
    notifications,
    password_reset,
    phone_customers,
    rest,
    search,
    shop_aliases,
    shop_settings,
    staff,
    webhooks,
    well_known,
    ws,
)
from .entrypoints.origins import allow_listed_origins
from .export import ShopExport
from .identity.api_keys import ApiKeys
from .identity.erasure import CustomerErasure
from .identity.key_source import configured_key_ring
from .identity.keys import KeyRing
from .identity.password_reset import PasswordReset
from .identity.passwords import Passwords
from .identity.revocations import Revocations
from .identity.service import Identity
from .identity.sign_in_limits import SignInLimits, SignInThrottle
from .identity.staff import Sessions, Staff
from .identity.tokens import TokenIssuer
from .internal import InternalApi
from .notifications import Notifications
from .ratelimit import RateLimiter
from .realtime.connections import Connections
from .realtime.event_reader import EventReader
from .realtime.fanout import Fanout
from .realtime.signals import Signals
from .search import MessageSearch
from .shared_redis import RedisWatch, bounded_redis

MIGRATIONS = str(Path(__file__).parent / "migrations")
# A campaign's text may be sent with every character escaped (\uXXXX, six bytes each).
CAMPAIGN_BODY_BYTES = 256 * 1024

DESCRIPTION = """\
Frontdesk's public API for customer apps, staff apps and the web console.

Sign in with `POST /v1/auth/token` and send `Authorization: Bearer <access_token>`.
Real-time traffic goes over the WebSocket at `/v1/ws`; it takes the access token in its first
frame or in the `Sec-WebSocket-Protocol` header (see docs/websocket.md).
Other services verify access tokens with the public keys at `/v1/.well-known/jwks.json`.
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


def sign_in_limits(settings: GatewaySettings) -> SignInLimits:
    return SignInLimits(
        free_failures=settings.sign_in_free_failures,
        first_delay_seconds=settings.sign_in_first_delay_seconds,
        max_delay_seconds=settings.sign_in_max_delay_seconds,
        failures_per_ip=settings.sign_in_failures_per_ip,
        ip_window_seconds=settings.sign_in_ip_window_seconds,
        checks_per_second=settings.sign_in_checks_per_second,
    )


def create_app(
    settings: GatewaySettings | None = None,
    clock: Callable[[], datetime] = utc_now,
    keys: KeyRing | None = None,
) -> FastAPI:
    settings = settings or GatewaySettings()
    keys = keys or configured_key_ring(settings)
    runtime = Runtime(settings)
    connections, replies = Connections(), Replies()
    fanout = Fanout(connections, replies)
    # Every instance needs every event for the sockets it holds: no shared group.
    events = EventReader(
        f"gateway-fanout-{settings.instance_id}",
        settings.kafka_connection(),
        [
            settings.topic(topics.MESSAGING_EVENTS),
            settings.topic(topics.MESSAGING_REPLIES),
            settings.topic(topics.BOOKING_EVENTS),
        ],
        settings.kafka_partitions,
        settings.kafka_replication_factor,
        fanout.handle_record,
    )
    runtime.consumer(
        f"gateway-booking-replies-{settings.instance_id}",
        [topics.BOOKING_REPLIES, topics.NOTIFY_REPLIES, topics.ASSISTANT_REPLIES],
        replies.handle,
        shared_group=False,
        offset_reset="latest",
    )
    issuer = TokenIssuer(keys, settings.access_token_seconds)
    rules = attachment_rules(settings)
    storage = storage_for(settings)
    runtime.consumer(
        attachment_erasure.CONSUMER, [topics.IDENTITY_EVENTS], attachment_erasure.events(storage)
    )

    @asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        redis = bounded_redis(settings)
        watch = RedisWatch(redis, settings.redis_pause_seconds)
        # Every call to a service's internal API carries the service credential.
        # and the request's trace and correlation id.
        internal: dict[str, Any] = {
            "timeout": 10,
            "headers": settings.service_headers(),
            "event_hooks": {"request": [carry_context]},
        }
        http = httpx.AsyncClient(base_url=settings.messaging_url, **internal)
        booking_http = httpx.AsyncClient(base_url=settings.booking_url, **internal)
        notify_http = httpx.AsyncClient(base_url=settings.notify_url, **internal)
        assistant_http = httpx.AsyncClient(base_url=settings.ai_assist_url, **internal)
        limiter = RateLimiter(redis, watch, settings.rate_limit_sync_seconds)
        limiter.start()
        app.state.settings = settings
        app.state.issuer = issuer
        app.state.limiter = limiter
        app.state.connections = connections
        app.state.redis = redis
        passwords = Passwords(settings.password_workers)
        throttle = SignInThrottle(redis, sign_in_limits(settings), settings.kafka_namespace)
        app.state.identity = Identity(
            runtime.unit_of_work, issuer, settings.refresh_token_days, clock, passwords, throttle
        )
        signals = Signals(redis, watch, connections, runtime.publish, settings.kafka_namespace)
        app.state.signals = signals
        revocations = Revocations(
            redis, runtime.unit_of_work, settings.access_token_seconds, settings.kafka_namespace, watch
        )
        app.state.revocations = revocations
        await revocations.start()
        sessions = Sessions(revocations, signals.sessions_ended, clock)
        app.state.staff = Staff(runtime.unit_of_work, sessions, clock)
        app.state.customer_erasure = CustomerErasure(runtime.unit_of_work, sessions)
        await signals.start()
        commands = Commands(CommandClient(SOURCE, runtime.publish, replies, settings.reply_timeout_seconds))
        app.state.audit = AuditLog(runtime.unit_of_work)
        app.state.password_reset = PasswordReset(
            runtime.unit_of_work,
            commands,
            runtime.publish,
            clock,
            timedelta(minutes=settings.password_reset_code_minutes),
            settings.password_reset_tries,
            sessions,
        )
        conversations = Conversations(settings, MessagingReads(http), commands, limiter)
        app.state.conversations = conversations
        app.state.attachments = Attachments(runtime.unit_of_work, storage, conversations, rules, clock)
        app.state.search = MessageSearch(MessagingReads(http))
        app.state.bookings = Bookings(BookingReads(booking_http), commands)
        app.state.export = ShopExport(conversations, app.state.bookings.reads, app.state.identity, clock)
        app.state.calendar_feeds = CalendarFeeds(runtime.unit_of_work, clock)
        app.state.api_keys = ApiKeys(runtime.unit_of_work, clock)
        app.state.notifications = Notifications(notify_http, commands)
        app.state.campaigns = Campaigns(notify_http, app.state.notifications)
        app.state.webhooks = InternalApi(notify_http, "Notify", frozenset({404, 422}))
        app.state.assistant = ShopAssistant(assistant_http, commands)
        call_routing = CallRouting(redis, connections, settings.kafka_namespace)
        app.state.calls = Calls(
            CallStore(redis, settings.kafka_namespace, settings.call_max_seconds),
            call_routing,
            commands,
            CallSettings(
                settings.call_ring_seconds,
                settings.call_max_seconds,
                settings.turn_urls,
                settings.turn_secret,
                settings.turn_credential_seconds,
            ),
            clock,
        )
        app.state.call_policies = CallPolicies(conversations)
        app.state.call_frames = CallFrames(
            app.state.calls,
            conversations,
            app.state.notifications,
            app.state.bookings,
            app.state.call_policies,
            limiter,
            settings.call_invites_per_minute,
        )
        await call_routing.start()
        fanout.on_booking = app.state.calls.on_booking
        await events.start()
        try:
            yield
        finally:
            await events.stop()
            await app.state.calls.stop()
            await call_routing.stop()
            await signals.stop()
            await revocations.stop()
            await limiter.stop()
            await watch.stop()
            passwords.close()
            await booking_http.aclose()
            await notify_http.aclose()
            await assistant_http.aclose()
            await http.aclose()
            await redis.aclose()

    app = service_app(
        runtime,
        title="Frontdesk API",
        description=DESCRIPTION,
        version="1.0.0",
        resources=resources,
        # No Redis check: the gateway serves without Redis (presence and typing pause), and a
        # balancer must not take every gateway out when Redis blips. The metric
        # frontdesk_gateway_redis_unavailable says when it is away.
        checks={},
        telemetry={"exclude": ws.is_socket},
    )
    # FastAPI tries the routes one by one in this order, at a few microseconds each: the
    # busiest (sending messages, holding and confirming bookings) come early. Every route
    # must stay the one its own path reaches (conversation_work's /conversations/sync before
    # rest's /conversations/{id}): services/gateway/tests/test_route_table.py.
    app.include_router(conversation_work.router)
    app.include_router(rest.router)
    app.include_router(booking.router)
    app.include_router(shop_settings.router)
    app.include_router(call_settings.router)
    app.include_router(staff.router)
    app.include_router(attachments.router, max_body_size=largest_form(rules))
    app.include_router(calendar.router)
    app.include_router(search.router)
    app.include_router(notifications.router)
    app.include_router(campaigns.router, max_body_size=CAMPAIGN_BODY_BYTES)
    app.include_router(care.router)
    app.include_router(assistant.router)
    app.include_router(well_known.router)
    app.include_router(password_reset.router)
    app.include_router(phone_customers.router)
    app.include_router(audit.router)
    app.include_router(customer_data.router)
    app.include_router(webhooks.router)
    app.include_router(api_keys.router)
    app.include_router(shop_aliases.deprecated_aliases(shop_settings.router, staff.router))
    app.add_middleware(AuditTrail)
    allow_listed_origins(app, settings.cors_origins)
    app.add_middleware(ws.StraightToSockets)  # last added: outermost
    return app
