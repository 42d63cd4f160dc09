"""Kafka plumbing: the producer, topic creation and the envelope wire format."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from frontdesk_contracts import Envelope, contract_type

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]


def headers_for(envelope: Envelope) -> Headers:
    headers = [("ce_id", str(envelope.id).encode()), ("ce_type", envelope.type.encode())]
    if envelope.traceparent:
        headers.append(("traceparent", envelope.traceparent.encode()))
    return headers


def create_producer(bootstrap: str) -> AIOKafkaProducer:
    # Idempotence keeps retried batches from reordering or duplicating within a partition.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=1,
        request_timeout_ms=15000,
        max_batch_size=1 << 20,
    )


class Publisher:
    """Sends envelopes straight to Kafka (used for commands; events go through the outbox)."""

    def __init__(self, producer: AIOKafkaProducer, topic: Callable[[str], str]) -> None:
        self._producer = producer
        self._topic = topic

    async def publish(self, envelope: Envelope) -> None:
        await self._producer.send_and_wait(
            self._topic(contract_type(envelope.type).topic),
            value=envelope.model_dump_json().encode(),
            key=envelope.aggregate_id.encode(),
            headers=headers_for(envelope),
        )


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int,
    replication_factor: int = 1,
    attempts: int = 30,
) -> None:
    """Create the topics if missing, waiting for the broker to come up."""
    wanted = sorted(set(topics))
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in wanted if t not in existing]
            if missing:
                try:
                    await admin.create_topics(
                        [
                            NewTopic(t, num_partitions=partitions, replication_factor=replication_factor)
                            for t in missing
                        ]
                    )
                except TopicAlreadyExistsError:
                    pass
            return
        except KafkaError as exc:
            log.warning("kafka not ready (%s), attempt %d", exc, attempt + 1)
            await asyncio.sleep(1)
        finally:
            await admin.close()
    raise RuntimeError(f"could not create topics {wanted} on {bootstrap}")
