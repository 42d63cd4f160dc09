"""Wires the ai-assist service: other services' events in (shops, pets, conversations,
customer messages), its own commands (knowledge base, settings), the turn worker that
answers customers through messaging and booking commands, the booking service's
internal API and verdicts, an optional language model, and the internal read API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from frontdesk_contracts import topics
from frontdesk_platform.command_client import CommandClient, Replies
from frontdesk_platform.observability import carry_context
from frontdesk_platform.runtime import Runtime, service_app

from .adapters.booking import SOURCE, BookingDesk
from .adapters.llm import ChatModel
from .config import Settings
from .domain import load
from .entrypoints import http
from .service_layer import commands
from .service_layer import events as event_handling
from .service_layer.deps import Dependencies
from .service_layer.shops import ShopContexts
from .service_layer.worker import TurnWorker

MIGRATIONS = str(Path(__file__).parent / "migrations")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Wiring:
    """What the consumers and timers reach; set up when the app starts (its HTTP clients
    live in the app's lifespan)."""

    deps: Dependencies
    worker: TurnWorker

    def dependencies(self) -> Dependencies:
        return self.deps

    async def round(self) -> int:
        return await self.worker.round()

    async def stop(self) -> None:
        await self.worker.stop()


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    replies, contexts, wiring = Replies(), ShopContexts(), Wiring()
    events = [topics.IDENTITY_EVENTS, topics.BOOKING_EVENTS, topics.MESSAGING_EVENTS]
    runtime.consumer(event_handling.CONSUMER, events, event_handling.events(wiring.dependencies))
    runtime.consumer(commands.CONSUMER, [topics.ASSISTANT_COMMANDS], commands.pipeline(wiring.dependencies))
    # Every instance reads every verdict: the one that sent the command is waiting for it.
    runtime.consumer(
        f"ai-assist-booking-replies-{settings.instance_id}",
        [topics.BOOKING_REPLIES],
        replies.handle,
        shared_group=False,
        offset_reset="latest",
    )
    runtime.every("ai-assist.turns", settings.turn_poll_seconds, wiring.round)
    runtime.before_stop(wiring.stop)

    @asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        load()
        llm_url = settings.llm_base_url.rstrip("/") + "/" if settings.llm_base_url else "http://llm.invalid/"
        async with (
            httpx.AsyncClient(
                base_url=settings.booking_url,
                timeout=10,
                headers=settings.service_headers(),
                event_hooks={"request": [carry_context]},
            ) as booking_http,
            httpx.AsyncClient(base_url=llm_url) as llm_http,
        ):
            model = None
            if settings.llm_base_url:
                key = settings.llm_api_key.get_secret_value()
                model = ChatModel(llm_http, settings.llm_model, key, settings.llm_timeout_seconds)
            commands = CommandClient(SOURCE, runtime.publish, replies, settings.booking_reply_timeout_seconds)
            desk = BookingDesk(booking_http, commands)
            wiring.deps = Dependencies(
                runtime.unit_of_work,
                clock,
                desk,
                model,
                contexts,
                lambda: wiring.worker.wake(),
                timedelta(minutes=settings.dialogue_memory_minutes),
                settings.turn_max_attempts,
            )
            wiring.worker = TurnWorker(wiring.deps, settings.turn_concurrency)
            app.state.clock = clock
            app.state.shop_contexts = contexts
            yield

    app = service_app(
        runtime,
        title="Frontdesk ai-assist (internal)",
        description="The shop's assistant: answers customers from the knowledge base, books through the "
        "booking service, hands off to staff, suggests replies. Internal API: the gateway calls it with "
        "the caller's shop scope; clients never do.",
        resources=resources,
    )
    app.include_router(http.router)
    return app
