"""Kafka plumbing: the producer, topic creation and the envelope wire format."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from frontdesk_contracts import Envelope, contract_type

from .signing import CommandSigner

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]
# The keyword arguments every aiokafka client takes: the brokers and how to reach them
# (TLS, SASL). ServiceSettings.kafka_connection() makes one.
KafkaConnection = Mapping[str, Any]


def headers_for(envelope: Envelope) -> Headers:
    headers = [("ce_id", str(envelope.id).encode()), ("ce_type", envelope.type.encode())]
    if envelope.traceparent:
        headers.append(("traceparent", envelope.traceparent.encode()))
    return headers


def create_producer(kafka: KafkaConnection) -> AIOKafkaProducer:
    # Idempotence keeps retried batches from reordering or duplicating within a partition.
    # No linger: a record goes at once when no request is in flight; while one is, the
    # records handed over meanwhile wait and go as one batch (one request in flight per
    # broker), so batching comes from load, not from a timer that every record waits out.
    return AIOKafkaProducer(
        **kafka,
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        request_timeout_ms=15000,
        max_batch_size=1 << 20,
    )


class Publisher:
    """Sends envelopes straight to Kafka (used for commands; events go through the outbox)."""

    def __init__(
        self, producer: AIOKafkaProducer, topic: Callable[[str], str], signer: CommandSigner
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._signer = signer

    async def publish(self, envelope: Envelope) -> None:
        value = envelope.model_dump_json().encode()
        await self._producer.send_and_wait(
            self._topic(contract_type(envelope.type).topic),
            value=value,
            key=envelope.aggregate_id.encode(),
            headers=[*headers_for(envelope), self._signer.header(value)],
        )


async def ensure_topics(
    kafka: KafkaConnection,
    topics: Iterable[str],
    partitions: int,
    replication_factor: int = 1,
    attempts: int = 30,
) -> None:
    """Create the topics if missing and wait until every partition has a leader.

    Producing to a topic whose partitions are still being assigned fails or sees only
    some partitions, which would send one key to two partitions and break its order.
    """
    wanted = sorted(set(topics))
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(**kafka)
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
            if await _all_led(admin, wanted):
                return
        except KafkaError as exc:
            log.warning("kafka not ready (%s), attempt %d", exc, attempt + 1)
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise RuntimeError(
        f"topics {wanted} on {kafka['bootstrap_servers']} did not get leaders for every partition"
    )


async def _all_led(admin: AIOKafkaAdminClient, topics: list[str]) -> bool:
    described = await admin.describe_topics(topics)
    return len(described) == len(topics) and all(
        topic["error_code"] == 0
        and topic["partitions"]
        and all(p["error_code"] == 0 and p["leader"] >= 0 for p in topic["partitions"])
        for topic in described
    )
