"""The consumer loop every service uses: at-least-once, retries, dead letters.

Offsets are committed only after the handler returned, so a crash means the message
is delivered again; handlers are idempotent (tracking records). A message that keeps
failing is copied to <topic>.dlt with its error and the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import dead_letter
from pydantic import ValidationError

from .observability import CONSUMED, HANDLE_SECONDS, continue_trace

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]


class PermanentError(Exception):
    """Retrying cannot help (bad data); dead-letter at once."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    first_delay: float = 0.1
    factor: float = 4.0
    max_delay: float = 5.0

    def delay(self, attempt: int) -> float:
        return float(min(self.first_delay * self.factor**attempt, self.max_delay))


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: ConsumerLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._loop.commit(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("consumer %s assigned %s", self._loop.name, sorted(map(str, assigned)))


class ConsumerLoop:
    def __init__(
        self,
        *,
        name: str,
        bootstrap: str,
        topics: list[str],
        group_id: str | None,
        handler: Handler,
        producer: AIOKafkaProducer,
        retry: RetryPolicy | None = None,
        offset_reset: str = "earliest",
    ) -> None:
        self.name = name
        self._topics = topics
        self._group_id = group_id
        self._handler = handler
        self._producer = producer
        self._retry = retry or RetryPolicy()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset=offset_reset,
            max_poll_records=200,
        )
        self._done: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer:{self.name}")

    async def wait_assigned(self, timeout: float = 30) -> None:
        """Block until partitions are assigned and their positions resolved."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assigned = self._consumer.assignment()
            if assigned:
                for tp in assigned:
                    await self._consumer.position(tp)
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"consumer {self.name} got no partitions of {self._topics}")

    async def stop(self) -> None:
        """Finish the message in hand, commit what is done, leave the group."""
        self._stopping.set()
        if self._task:
            await self._task
        await self.commit(set(self._done))
        await self._consumer.stop()

    async def commit(self, partitions: set[TopicPartition]) -> None:
        if self._group_id is None:
            return
        offsets = {
            tp: self._done[tp]
            for tp in partitions
            if tp in self._done and self._committed.get(tp) != self._done[tp]
        }
        if offsets:
            await self._consumer.commit(offsets)
            self._committed.update(offsets)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batches = await self._consumer.getmany(timeout_ms=200)
                for tp, records in batches.items():
                    for record in records:
                        if self._stopping.is_set():
                            break
                        await self._process(record)
                        self._done[tp] = record.offset + 1
                    await self.commit({tp})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s loop error; carrying on", self.name)
                await self._rewind()
                await asyncio.sleep(1)

    async def _rewind(self) -> None:
        """Go back to the first message not yet handled, so nothing is skipped."""
        for tp in self._consumer.assignment():
            offset = self._done.get(tp)
            if offset is None and self._group_id is not None:
                offset = await self._consumer.committed(tp)
            if offset is not None:
                self._consumer.seek(tp, offset)

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            envelope = Envelope.model_validate_json(record.value)
        except ValidationError as exc:
            await self._dead_letter(record, exc)
            return
        started = time.perf_counter()
        for attempt in range(self._retry.attempts):
            try:
                with continue_trace(
                    f"consume {record.topic}", envelope.traceparent, str(envelope.correlation_id)
                ):
                    await self._handler(envelope)
                CONSUMED.labels(self.name, record.topic, "ok").inc()
                HANDLE_SECONDS.labels(self.name).observe(time.perf_counter() - started)
                return
            except PermanentError as exc:
                await self._dead_letter(record, exc)
                return
            except Exception as exc:
                if attempt + 1 == self._retry.attempts:
                    await self._dead_letter(record, exc)
                    return
                CONSUMED.labels(self.name, record.topic, "retried").inc()
                log.warning(
                    "consumer %s: %s failed (%r), retry %d", self.name, envelope.type, exc, attempt + 1
                )
                await asyncio.sleep(self._retry.delay(attempt))

    async def _dead_letter(self, record: ConsumerRecord, exc: Exception) -> None:
        log.error("consumer %s: dead-lettering %s@%d: %r", self.name, record.topic, record.offset, exc)
        headers = list(record.headers or ()) + [
            ("error", repr(exc)[:2000].encode()),
            ("error_type", type(exc).__name__.encode()),
            ("original_topic", record.topic.encode()),
            ("original_partition", str(record.partition).encode()),
            ("original_offset", str(record.offset).encode()),
            ("consumer", self.name.encode()),
        ]
        await self._producer.send_and_wait(
            dead_letter(record.topic), value=record.value, key=record.key, headers=headers
        )
        CONSUMED.labels(self.name, record.topic, "dead_lettered").inc()
