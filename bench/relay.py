"""Outbox relay throughput: rows/s from the outbox table into Kafka.

Fills a throwaway database's outbox with `--rows` committed rows over `--keys` keys, lets
one relay publish them all to a fresh topic of `--partitions` partitions, and reports
rows/s. Then reads the topic back and checks every key's rows arrived complete and in
order (duplicates are allowed by at-least-once; none are expected here).

Run: `make bench-relay` = `uv run python bench/relay.py [--rows 50000 --keys 1000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from frontdesk_platform import schema
from frontdesk_platform.kafka import create_producer, ensure_topics
from frontdesk_platform.outbox import OutboxRelay
from frontdesk_platform.settings import ServiceSettings
from frontdesk_platform.signing import CommandSigner


def settings() -> ServiceSettings:
    return ServiceSettings(
        service_name="bench-relay",
        database_name=f"bench_relay_{uuid.uuid4().hex[:10]}",
        kafka_namespace=f"benchrelay{uuid.uuid4().hex[:6]}.",
        log_json=False,
        environment="development",
    )


async def fill(conn: asyncpg.Connection, topic: str, rows: int, keys: int) -> None:
    """Rows as the services write them: an envelope of a few hundred bytes, versions per key."""
    await conn.execute(
        """
        INSERT INTO outbox (topic, key, event_id, type, envelope)
        SELECT $1, 'conv-' || (n % $3), gen_random_uuid(), 'messaging.message.sent.v1',
               json_build_object(
                   'id', gen_random_uuid(), 'type', 'messaging.message.sent.v1',
                   'source', 'bench', 'aggregate_id', 'conv-' || (n % $3),
                   'aggregate_version', n / $3 + 1,
                   'data', json_build_object('text', repeat('请问周六可以洗澡吗', 8), 'seq', n / $3 + 1)
               )::text
        FROM generate_series(0, $2 - 1) AS n
        """,
        topic,
        rows,
        keys,
    )


async def read_back(kafka: dict[str, Any], topic: str, count: int) -> dict[str, list[int]]:
    consumer = AIOKafkaConsumer(topic, **kafka, auto_offset_reset="earliest")
    await consumer.start()
    by_key: dict[str, list[int]] = {}
    seen = 0
    try:
        async with asyncio.timeout(120):
            while seen < count:
                for records in (await consumer.getmany(timeout_ms=500, max_records=10_000)).values():
                    for record in records:
                        by_key.setdefault(record.key.decode(), []).append(
                            json.loads(record.value)["aggregate_version"]
                        )
                        seen += 1
    finally:
        await consumer.stop()
    return by_key


async def run(rows: int, keys: int, partitions: int, batch_size: int) -> dict[str, Any]:
    config = settings()
    topic = config.topic("bench.relay")
    kafka = config.kafka_connection()
    admin = await asyncpg.connect(config.asyncpg_dsn("postgres"))
    await admin.execute(f'CREATE DATABASE "{config.database_name}"')
    producer = create_producer(kafka)
    try:
        conn = await asyncpg.connect(config.asyncpg_dsn())
        await conn.execute(schema.V1)
        await fill(conn, topic, rows, keys)
        await ensure_topics(kafka, [topic], partitions)
        await producer.start()
        relay = OutboxRelay(
            name="bench",
            dsn=config.asyncpg_dsn(),
            producer=producer,
            signer=CommandSigner(config.command_signing_keys()),
            batch_size=batch_size,
        )
        published = 0
        started = time.perf_counter()
        while published < rows:
            published += await relay.publish_batch(conn)
        elapsed = time.perf_counter() - started
        await conn.close()
        by_key = await read_back(kafka, topic, rows)
    finally:
        await producer.stop()
        await admin.execute(f'DROP DATABASE "{config.database_name}" WITH (FORCE)')
        await admin.close()
    in_order = all(versions == sorted(versions) for versions in by_key.values())
    return {
        "rows": rows,
        "keys": keys,
        "partitions": partitions,
        "batch_size": batch_size,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        "received": sum(len(v) for v in by_key.values()),
        "every_key_in_order": in_order,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=1_000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=500, help="the relay's rows per fetch")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.rows, args.keys, args.partitions, args.batch_size)), indent=2))


if __name__ == "__main__":
    main()
