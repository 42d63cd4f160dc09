"""The fan-out's own Kafka reader: every messaging event and reply, from the newest offset.

Not the platform's consumer loop: the fan-out keeps no offsets (a device resumes by seq),
retries nothing and dead-letters nothing, and it is the end of each trace (it only pushes
to sockets), so a span, a pydantic parse and a partition worker per event would be pure
cost on the gateway's busiest path. Records go to `Fanout.handle_record` as fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from frontdesk_platform.kafka import KafkaConnection, ensure_topics
from frontdesk_platform.observability import CONSUMED

log = logging.getLogger(__name__)


class EventReader:
    def __init__(
        self,
        name: str,
        kafka: KafkaConnection,
        topics: Iterable[str],
        partitions: int,
        replication_factor: int,
        handle: Callable[[ConsumerRecord[bytes, bytes]], None],
    ) -> None:
        self._name = name
        self._kafka = kafka
        self._topics = list(topics)
        self._partitions = partitions
        self._replication_factor = replication_factor
        self._handle = handle
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Returns once every partition's newest offset is fixed: an event committed after
        that reaches the sockets (a socket that gets `ready` misses nothing live)."""
        await ensure_topics(self._kafka, self._topics, self._partitions, self._replication_factor)
        consumer = AIOKafkaConsumer(
            *self._topics,
            **self._kafka,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            max_poll_records=1000,
        )
        await consumer.start()
        self._consumer = consumer
        for _ in range(600):  # without a group, every partition is assigned once metadata comes
            if consumer.assignment():
                break
            await asyncio.sleep(0.05)
        else:
            raise TimeoutError(f"{self._name} got no partitions of {self._topics}")
        for tp in consumer.assignment():
            await consumer.position(tp)
        self._task = asyncio.create_task(self._run(), name=f"event-reader:{self._name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=100)
            except Exception:
                log.exception("%s: fetching failed; carrying on", self._name)
                await asyncio.sleep(1)
                continue
            for tp, records in batches.items():
                for record in records:
                    try:
                        self._handle(record)
                    except Exception:
                        # One malformed record must not stop delivery of the others.
                        log.exception("%s: skipping %s@%d", self._name, tp, record.offset)
                        CONSUMED.labels(self._name, tp.topic, "failed").inc()
                CONSUMED.labels(self._name, tp.topic, "ok").inc(len(records))
