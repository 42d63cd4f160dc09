"""Reading topics from their beginning to where they end now, for rebuilding projections
that a service keeps from other services' events.

No consumer group: nothing is committed and live consumers are not disturbed. Each
partition is read up to the end offset it had when the replay began; events of one key
come in their order, as live. A record that is not an envelope is skipped and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from aiokafka import AIOKafkaConsumer
from frontdesk_contracts import Envelope
from pydantic import ValidationError

from .kafka import KafkaConnection

log = logging.getLogger(__name__)


async def replay(
    kafka: KafkaConnection,
    topics: Iterable[str],
    handle: Callable[[Envelope], Awaitable[None]],
    timeout: float = 30,
) -> int:
    wanted = set(topics)
    consumer = AIOKafkaConsumer(
        *wanted,
        **kafka,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    handled = 0
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
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        break
                    try:
                        envelope = Envelope.model_validate_json(record.value)
                    except ValidationError:
                        log.warning("skipping a record that is not an envelope: %s@%s", tp, record.offset)
                        continue
                    await handle(envelope)
                    handled += 1
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return handled
