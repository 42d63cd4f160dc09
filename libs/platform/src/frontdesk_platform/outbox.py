"""The outbox relay: publishes committed outbox rows to Kafka in commit order.

Rows are read in (xid, id) order and only below the xmin of the current snapshot:
every transaction with a smaller xid has finished, so no row can still appear
behind the relay's position (BIGSERIAL ids alone commit out of order and a plain
"id > last" poll would skip rows). One relay per database holds an advisory lock;
a second instance waits as a standby. Delivery is at-least-once: a crash between
publishing and saving the position publishes those rows again, and consumers dedupe
on the envelope id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from .observability import OUTBOX_DELAY, PUBLISHED
from .signing import CommandSigner
from .unit_of_work import OUTBOX_CHANNEL

log = logging.getLogger(__name__)

# ORDER BY names the table's columns: a bare `xid` there would mean the text alias in the
# select list, and sort '1000' before '999'.
_FETCH = """
SELECT id, xid::text AS xid, topic, key, event_id, type, envelope, traceparent, created_at
FROM outbox
WHERE (xid, id) > ($1::text::xid8, $2)
  AND xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY outbox.xid, outbox.id
LIMIT $3
"""


@dataclass(frozen=True)
class RelayPosition:
    xid: str = "0"
    id: int = 0


class OutboxRelay:
    def __init__(
        self,
        *,
        name: str,
        dsn: str,
        producer: AIOKafkaProducer,
        signer: CommandSigner,
        batch_size: int = 500,
        idle_poll: float = 0.25,
        held_back_poll: float = 0.005,
        retention: timedelta = timedelta(days=7),
        prune_every: float = 300.0,
    ) -> None:
        self.name = name
        self._dsn = dsn
        self._producer = producer
        self._signer = signer
        self._batch_size = batch_size
        self._idle_poll = idle_poll
        self._held_back_poll = held_back_poll
        self._partitioner = DefaultPartitioner()
        self._partition_ids: dict[str, list[int]] = {}
        self._retention = retention
        self._prune_every = prune_every
        self._pruned_at = 0.0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self.name}")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task:
            await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._serve()
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                log.warning("outbox relay %s lost its connection (%r); reconnecting", self.name, exc)
                self.is_leader = False
                await asyncio.sleep(1)
            except Exception:
                log.exception("outbox relay %s failed; restarting", self.name)
                self.is_leader = False
                await asyncio.sleep(1)

    async def _serve(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        try:
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
            while not self._stopping.is_set():
                if not self.is_leader:
                    self.is_leader = await conn.fetchval(
                        "SELECT pg_try_advisory_lock(hashtext('frontdesk.outbox.' || $1))", self.name
                    )
                    if not self.is_leader:
                        await asyncio.sleep(1)
                        continue
                    log.info("outbox relay %s is the leader", self.name)
                self._wake.clear()
                published = await self.publish_batch(conn)
                if time.monotonic() - self._pruned_at > self._prune_every:
                    await self.prune(conn)
                if published == self._batch_size:
                    continue
                # xmin is cluster-wide: a transaction in any database can hold rows back,
                # and its commit sends no NOTIFY here. Look again soon while rows wait.
                wait = self._held_back_poll if await self._rows_held_back(conn) else self._idle_poll
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass
        finally:
            self.is_leader = False
            await conn.close()

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        position = await self._position(conn)
        rows = await conn.fetch(_FETCH, position.xid, position.id, self._batch_size)
        if not rows:
            return 0
        await self._send(rows)
        last = rows[-1]
        await conn.execute(
            "INSERT INTO outbox_position (relay, xid, id) VALUES ($1, $2::text::xid8, $3) "
            "ON CONFLICT (relay) DO UPDATE SET xid = EXCLUDED.xid, id = EXCLUDED.id",
            self.name,
            last["xid"],
            last["id"],
        )
        now = datetime.now(UTC)
        PUBLISHED.labels(self.name).inc(len(rows))
        for row in rows:
            OUTBOX_DELAY.labels(self.name).observe((now - row["created_at"]).total_seconds())
        return len(rows)

    async def prune(self, conn: asyncpg.Connection) -> int:
        """Delete published rows older than the retention (kept meanwhile for inspection)."""
        position = await self._position(conn)
        status = await conn.execute(
            "DELETE FROM outbox WHERE (xid, id) <= ($1::text::xid8, $2) AND created_at < now() - $3::interval",
            position.xid,
            position.id,
            self._retention,
        )
        self._pruned_at = time.monotonic()
        return int(status.split()[-1])

    async def _send(self, rows: list[asyncpg.Record]) -> None:
        """Every partition's rows in order, each acknowledged before the next is sent.

        A later record must never overtake an earlier one that failed, so each partition
        has at most one record in flight; partitions go in parallel. After any failure the
        relay starts again from its saved position: duplicates, never reordering.
        """
        by_partition: dict[tuple[str, int], list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            partitions = await self._partitions(row["topic"])
            partition = self._partitioner(row["key"].encode(), partitions, partitions)
            by_partition[(row["topic"], partition)].append(row)
        outcomes = await asyncio.gather(
            *(
                self._send_partition(topic, partition, part)
                for (topic, partition), part in by_partition.items()
            ),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _partitions(self, topic: str) -> list[int]:
        """A topic's partitions, read fresh once and then kept: a key must always go to the
        same partition, whatever a stale metadata answer says later. Adding partitions to a
        topic therefore needs a relay restart (and, as in Kafka, moves keys)."""
        known = self._partition_ids.get(topic)
        if known is None:
            await self._producer.client.force_metadata_update()
            known = sorted(await self._producer.partitions_for(topic))
            self._partition_ids[topic] = known
        return known

    async def _send_partition(self, topic: str, partition: int, rows: list[asyncpg.Record]) -> None:
        for row in rows:
            # Signed like every record a service sends: some rows are commands to another
            # service (the assistant's replies through messaging).
            value = row["envelope"].encode()
            delivered = await self._producer.send(
                topic,
                value=value,
                key=row["key"].encode(),
                headers=[*_headers(row), self._signer.header(value)],
                partition=partition,
            )
            await delivered

    async def _rows_held_back(self, conn: asyncpg.Connection) -> bool:
        position = await self._position(conn)
        return bool(
            await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE (xid, id) > ($1::text::xid8, $2))",
                position.xid,
                position.id,
            )
        )

    async def _position(self, conn: asyncpg.Connection) -> RelayPosition:
        row = await conn.fetchrow(
            "SELECT xid::text AS xid, id FROM outbox_position WHERE relay = $1", self.name
        )
        return RelayPosition(row["xid"], row["id"]) if row else RelayPosition()


def _headers(row: asyncpg.Record) -> list[tuple[str, bytes]]:
    headers = [("ce_id", str(row["event_id"]).encode()), ("ce_type", row["type"].encode())]
    if row["traceparent"]:
        headers.append(("traceparent", row["traceparent"].encode()))
    return headers
