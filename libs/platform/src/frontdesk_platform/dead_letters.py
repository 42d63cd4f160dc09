"""Dead letters: reading them back and replaying them into the topic they came from.

A dead letter is the failed record as it was (value, key, headers) plus the headers
`ConsumerLoop._dead_letter` adds: the error, the consumer and service that gave up, and
where the record was (original topic, partition, offset). Replaying sends the record back
to that partition as it was, signature header included: a command is obeyed again only
because the services signed it, never because an operator replayed it. Every consumer of
the topic sees it again; those that had carried it out skip it by their tracking records,
so a replay (or two) does the work once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from .kafka import Headers, KafkaConnection

# What _dead_letter adds to a record's own headers; a replay takes them off again.
DEAD_LETTER_HEADERS = frozenset(
    {"error", "error_type", "original_topic", "original_partition", "original_offset", "consumer", "service"}
)


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # the dead-letter topic
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes
    headers: Headers

    @property
    def address(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    def header(self, name: str) -> str:
        found = [value for key, value in self.headers if key == name]
        return found[-1].decode(errors="replace") if found else ""

    @property
    def envelope_id(self) -> str:
        return self.header("ce_id")

    @property
    def type(self) -> str:
        return self.header("ce_type")

    @property
    def error(self) -> str:
        return self.header("error")

    @property
    def consumer(self) -> str:
        return self.header("consumer")

    @property
    def service(self) -> str:
        return self.header("service")

    @property
    def original(self) -> tuple[str, int, int]:
        """The topic, partition and offset the record failed at."""
        return (
            self.header("original_topic"),
            int(self.header("original_partition") or 0),
            int(self.header("original_offset") or -1),
        )

    def record_headers(self) -> Headers:
        """The record's own headers, as they were when it failed (its signature among them)."""
        return [(key, value) for key, value in self.headers if key not in DEAD_LETTER_HEADERS]


@dataclass(frozen=True)
class Selection:
    """Dead letters by address (`topic:partition:first[-last]`) or by envelope id."""

    topic: str | None = None
    partition: int | None = None
    first: int = 0
    last: int = 0
    envelope_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Selection:
        """Raises ValueError with what a selection looks like."""
        if ":" not in text:
            return cls(envelope_id=text)
        topic, partition, offsets = text.rsplit(":", 2)
        first, _, last = offsets.partition("-")
        selection = cls(topic, int(partition), int(first), int(last or first))
        if selection.first > selection.last:
            raise ValueError(f"{text}: the offset range runs backwards")
        return selection

    def __str__(self) -> str:
        return self.envelope_id or f"{self.topic}:{self.partition}:{self.first}-{self.last}"

    def __contains__(self, letter: DeadLetter) -> bool:
        if self.envelope_id is not None:
            return letter.envelope_id == self.envelope_id
        return (
            letter.topic == self.topic
            and letter.partition == self.partition
            and self.first <= letter.offset <= self.last
        )


async def read_dead_letters(
    kafka: KafkaConnection, topics: Iterable[str], timeout: float = 30
) -> list[DeadLetter]:
    """Every record of the dead-letter topics (those that exist), up to where each
    partition ends now; no consumer group, so nothing is committed or disturbed."""
    consumer = AIOKafkaConsumer(**kafka, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        wanted = set(topics) & await consumer.topics()
        if not wanted:
            return []
        letters: list[DeadLetter] = []
        async with asyncio.timeout(timeout):
            consumer.subscribe(sorted(wanted))  # without a group: every partition, once known
            while {tp.topic for tp in consumer.assignment()} != wanted:  # noqa: ASYNC110 (aiokafka has no event for it)
                await asyncio.sleep(0.05)
            partitions = sorted(consumer.assignment())
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            remaining = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
            while remaining:
                batches = await consumer.getmany(*remaining, timeout_ms=500)
                for tp, records in batches.items():
                    letters.extend(_letter(r) for r in records if r.offset < ends[tp])
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return sorted(
        letters, key=lambda letter: (letter.timestamp, letter.topic, letter.partition, letter.offset)
    )


def _letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        key=record.key,
        value=record.value or b"",
        headers=[(key, bytes(value)) for key, value in record.headers],
    )


async def replay(producer: AIOKafkaProducer, letters: Sequence[DeadLetter]) -> None:
    """Send each record back where it failed, in the order it was dead-lettered."""
    for letter in letters:
        topic, partition, _ = letter.original
        await producer.send_and_wait(
            topic, value=letter.value, key=letter.key, partition=partition, headers=letter.record_headers()
        )
