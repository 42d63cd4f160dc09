"""What a running service holds: its database, the Kafka producer, the outbox relay and
its consumers, started and stopped in the right order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from frontdesk_contracts import Envelope
from frontdesk_contracts import topics as contract_topics
from sqlalchemy import text

from .app import HealthCheck, build_app
from .consumer import ConsumerLoop, Handler, RetryPolicy
from .database import create_engine, session_factory
from .kafka import Publisher, create_producer, ensure_topics
from .observability import configure_logging, configure_tracing, flush_traces
from .outbox import OutboxRelay
from .pipeline import Pipeline
from .settings import ServiceSettings
from .signing import CommandSigner
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class Runtime:
    """Created with the app; its connections are opened in start(), inside the event loop."""

    def __init__(self, settings: ServiceSettings) -> None:
        settings.refuse_unsafe()
        configure_logging(settings.service_name, settings.log_level, settings.log_json)
        configure_tracing(settings.service_name, settings.trace_console, settings.otlp_endpoint)
        self.settings = settings
        self.signer = CommandSigner(settings.command_signing_keys())
        self._command_topics = frozenset(settings.topic(t) for t in contract_topics.COMMANDS)
        self._consumer_specs: list[dict[str, Any]] = []
        self.consumers: list[ConsumerLoop] = []
        self._periodic_specs: list[tuple[str, float, Callable[[], Awaitable[object]]]] = []
        self._periodic: list[asyncio.Task[None]] = []
        self._before_stop: list[Callable[[], Awaitable[object]]] = []
        self.relay: OutboxRelay | None = None  # started with the rest in start()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.settings.topic, self.relay)

    async def publish(self, envelope: Envelope) -> None:
        """Send straight to Kafka (commands; events go through the outbox)."""
        await self.publisher.publish(envelope)

    def consumer(
        self,
        name: str,
        topics: Iterable[str],
        handler: Handler | Pipeline[Any],
        *,
        shared_group: bool = True,
        offset_reset: str = "earliest",
        retry: RetryPolicy | None = None,
        max_batch: int | None = None,
    ) -> None:
        """Consume contract topics. shared_group=False gives every instance every message.
        Records of command topics are obeyed only when signed with the command-signing key.
        A `Pipeline` carries out batches (of at most `max_batch` records, else the
        setting), tracked under `name`; a plain handler gets one record at a time and keeps
        no tracking records of its own accord."""
        real_topics = [self.settings.topic(t) for t in topics]
        carry_out: dict[str, Any] = (
            {
                "pipeline": handler.bind(name, self.unit_of_work),
                "max_batch": max_batch or self.settings.consumer_max_batch,
                "at_once": self.settings.consumer_at_once,
            }
            if isinstance(handler, Pipeline)
            else {"handler": handler}
        )
        self._consumer_specs.append(
            {
                "name": name,
                "topics": real_topics,
                "signed_topics": self._command_topics.intersection(real_topics),
                "group_id": self.settings.group(name) if shared_group else None,
                **carry_out,
                "retry": retry,
                "offset_reset": offset_reset,
            }
        )

    def every(self, name: str, seconds: float, task: Callable[[], Awaitable[object]]) -> None:
        """Run a task periodically while the service runs (timers, sweepers); a failing
        round is logged and the next one comes anyway."""
        self._periodic_specs.append((name, seconds, task))

    def before_stop(self, task: Callable[[], Awaitable[object]]) -> None:
        """Run at shutdown once periodic tasks are stopped, while the database and Kafka
        are still open (to finish work a service started on its own)."""
        self._before_stop.append(task)

    async def _repeat(self, name: str, seconds: float, task: Callable[[], Awaitable[object]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await task()
            except Exception:
                log.exception("periodic task %s failed; next round in %.1fs", name, seconds)

    async def start(self) -> None:
        settings = self.settings
        self.engine = create_engine(settings)
        self.sessions = session_factory(self.engine)
        every_topic = [settings.topic(t) for t in contract_topics.ALL]
        dead_letters = [contract_topics.dead_letter(t) for t in every_topic]
        kafka = settings.kafka_connection()
        await ensure_topics(
            kafka,
            every_topic + dead_letters,
            settings.kafka_partitions,
            settings.kafka_replication_factor,
        )
        self.producer = create_producer(kafka)
        self.publisher = Publisher(self.producer, settings.topic, self.signer)
        await self.producer.start()
        self.relay = OutboxRelay(
            name=settings.service_name, dsn=settings.asyncpg_dsn(), producer=self.producer, signer=self.signer
        )
        await self.relay.start()
        for spec in self._consumer_specs:
            consumer = ConsumerLoop(
                kafka=kafka, producer=self.producer, signer=self.signer, service=settings.service_name, **spec
            )
            await consumer.start()
            self.consumers.append(consumer)
        await asyncio.gather(*(c.wait_assigned() for c in self.consumers))
        for name, seconds, task in self._periodic_specs:
            self._periodic.append(asyncio.create_task(self._repeat(name, seconds, task), name=name))
        log.info("%s started", settings.service_name)

    async def stop(self) -> None:
        for periodic in self._periodic:
            periodic.cancel()
        await asyncio.gather(*self._periodic, return_exceptions=True)
        for task in self._before_stop:
            await task()
        for consumer in self.consumers:
            await consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.producer.stop()
        await self.engine.dispose()
        await asyncio.to_thread(flush_traces)

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_kafka(self) -> None:
        await asyncio.wait_for(
            self.producer.client.fetch_all_metadata(),
            timeout=5,
        )


def service_app(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    resources: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    checks: dict[str, HealthCheck] | None = None,
    **fastapi_args: Any,
) -> FastAPI:
    """A service's app: its runtime runs for the app's lifetime, inside any extra resources."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if resources is not None:
                await stack.enter_async_context(resources(app))
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            app.state.sessions = runtime.sessions
            yield

    return build_app(
        service=runtime.settings.service_name,
        title=title,
        description=description,
        lifespan=lifespan,
        health_checks={"database": runtime.check_database, "kafka": runtime.check_kafka, **(checks or {})},
        service_token=runtime.settings.service_credential(),
        max_body_bytes=runtime.settings.max_body_bytes,
        **fastapi_args,
    )
