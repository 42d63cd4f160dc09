"""The consumer loop every service uses: at-least-once, retries, dead letters.

Offsets are committed only after the handler returned, so a crash means the message
is delivered again; handlers are idempotent (tracking records). A message that keeps
failing is copied to <topic>.dlt with its error and the loop goes on. On command topics
a record must carry a valid signature (signing.py) before it is even parsed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import dead_letter
from pydantic import ValidationError

from .observability import CONSUMED, HANDLE_SECONDS, continue_trace

if TYPE_CHECKING:
    from .kafka import KafkaConnection
    from .signing import CommandSigner

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
        await self._loop.release(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("consumer %s assigned %s", self._loop.name, sorted(map(str, assigned)))


class _PartitionWorker:
    """Handles one partition's records in order, apart from the other partitions."""

    def __init__(self, loop: ConsumerLoop, tp: TopicPartition) -> None:
        self.queue: asyncio.Queue[ConsumerRecord | None] = asyncio.Queue()
        self._loop = loop
        self._tp = tp
        self._task = asyncio.create_task(self._work(), name=f"consumer:{loop.name}:{tp}")

    async def _work(self) -> None:
        while (record := await self.queue.get()) is not None:
            while True:
                try:
                    await self._loop._process(record)
                    break
                except Exception:  # only when even the dead-letter topic is unreachable
                    log.exception("consumer %s cannot settle %s; retrying", self._loop.name, self._tp)
                    await asyncio.sleep(1)
            self._loop._done[self._tp] = record.offset + 1

    async def stop(self) -> None:
        """Finish the record in hand; the rest are fetched again by whoever owns the partition."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)
        await self._task


class ConsumerLoop:
    def __init__(
        self,
        *,
        name: str,
        kafka: KafkaConnection,
        topics: list[str],
        group_id: str | None,
        handler: Handler,
        producer: AIOKafkaProducer,
        retry: RetryPolicy | None = None,
        offset_reset: str = "earliest",
        max_queued: int = 500,
        signer: CommandSigner | None = None,
        signed_topics: Iterable[str] = (),
    ) -> None:
        self.name = name
        self._topics = topics
        self._group_id = group_id
        self._handler = handler
        self._producer = producer
        self._retry = retry or RetryPolicy()
        self._max_queued = max_queued
        self._signer = signer
        self._signed_topics = frozenset(signed_topics)
        if self._signed_topics and signer is None:
            raise ValueError(f"consumer {name} must check signatures but has no signer")
        self._consumer = AIOKafkaConsumer(
            **kafka,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset=offset_reset,
            max_poll_records=500,
        )
        self._workers: dict[TopicPartition, _PartitionWorker] = {}
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
        """Finish the messages in hand, commit what is done, leave the group."""
        self._stopping.set()
        if self._task:
            await self._task
        await self.release(set(self._workers))
        await self._consumer.stop()

    async def release(self, partitions: set[TopicPartition]) -> None:
        """Stop working on partitions (revoked, or shutting down) and commit their progress."""
        for tp in partitions:
            worker = self._workers.pop(tp, None)
            if worker is not None:
                await worker.stop()
        await self.commit(partitions)

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
                batches = await self._consumer.getmany(timeout_ms=100)
                for tp, records in batches.items():
                    worker = self._workers.get(tp) or self._workers.setdefault(tp, _PartitionWorker(self, tp))
                    for record in records:
                        worker.queue.put_nowait(record)
                self._apply_backpressure()
                await self.commit(set(self._workers))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s loop error; carrying on", self.name)
                await asyncio.sleep(1)

    def _apply_backpressure(self) -> None:
        """Stop fetching a partition whose worker is far behind, until it catches up."""
        paused = self._consumer.paused()
        for tp, worker in self._workers.items():
            backlog = worker.queue.qsize()
            if backlog >= self._max_queued and tp not in paused:
                self._consumer.pause(tp)
            elif backlog < self._max_queued // 2 and tp in paused:
                self._consumer.resume(tp)

    async def _process(self, record: ConsumerRecord) -> None:
        if self._signer is not None and record.topic in self._signed_topics:
            try:
                self._signer.check(record.value, record.headers)
            except PermanentError as exc:
                await self._dead_letter(record, exc)
                return
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
