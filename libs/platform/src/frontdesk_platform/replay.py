"""Reading topics from their beginning to where they end now, for rebuilding projections
that a service keeps from other services' events.

No consumer group: nothing is committed and live consumers are not disturbed. Each
partition is read up to the end offset it had when the replay began; events of one key
come in their order, as live. A record that is not an envelope is skipped and logged.
Records are fetched thousands at a time and handed over a page at a time, so a rebuild
can write a page with a few statements instead of one per event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition
from frontdesk_contracts import Envelope
from pydantic import ValidationError

from .kafka import KafkaConnection

log = logging.getLogger(__name__)
PAGE = 10_000


async def replay_pages(
    kafka: KafkaConnection,
    topics: Iterable[str],
    handle_page: Callable[[list[Envelope]], Awaitable[None]],
    page: int = PAGE,
    timeout: float = 30,
    wanted_type: Callable[[str], bool] = lambda _: True,
) -> int:
    """Up to `page` events at a time; a page keeps each partition's order (and so each
    key's), partitions interleaved. A record whose `ce_type` header names a type that is
    not `wanted_type` is counted but never parsed: parsing is most of a replay's work, and
    most events on a topic are of no interest to a given projection. A record without the
    header is parsed. Returns how many records were read."""
    wanted = set(topics)
    read = 0
    consumer = AIOKafkaConsumer(
        *wanted,
        **kafka,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 << 20,  # fewer, larger fetches: a replay reads everything
    )
    await consumer.start()
    try:
        for _ in range(int(timeout / 0.05)):  # without a group, every partition is assigned once known
            if {tp.topic for tp in consumer.assignment()} == wanted:
                break
            await asyncio.sleep(0.05)
        else:
            raise TimeoutError(f"no partitions of {sorted(wanted)} within {timeout}s")
        partitions = sorted(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
        envelopes: list[Envelope] = []
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000, max_records=page)
            for tp, records in batches.items():
                records = [r for r in records if r.offset < ends[tp]]
                read += len(records)
                envelopes.extend(_envelopes(tp, [r for r in records if _worth_parsing(r, wanted_type)]))
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if len(envelopes) >= page or (envelopes and not remaining):
                await handle_page(envelopes)
                envelopes = []
    finally:
        await consumer.stop()
    return read


def _worth_parsing(record: ConsumerRecord[bytes, bytes], wanted_type: Callable[[str], bool]) -> bool:
    for name, value in record.headers:
        if name == "ce_type":
            return wanted_type(value.decode())
    return True


def _envelopes(tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]) -> list[Envelope]:
    envelopes = []
    for record in records:
        try:
            envelopes.append(Envelope.model_validate_json(record.value or b""))
        except ValidationError:
            log.warning("skipping a record that is not an envelope: %s@%s", tp, record.offset)
    return envelopes
