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
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from opentelemetry import trace

from .observability import (
    OUTBOX_BACKLOG,
    OUTBOX_DELAY,
    OUTBOX_OLDEST,
    PUBLISHED,
    continue_trace,
    current_traceparent,
    exporting,
)
from .signing import CommandSigner
from .unit_of_work import OUTBOX_CHANNEL

log = logging.getLogger(__name__)

# Rows are ready once every transaction with a smaller xid has finished (below the
# snapshot's xmin). The second part says, in the same round trip, whether a row waits
# behind that line (one row at most: while a long transaction holds xmin back, the relay
# must not fetch the waiting rows every few milliseconds). ORDER BY names the table's
# columns: a bare `xid` there would mean the text alias, and sort '1000' before '999'.
# The relay's reads are ordered by the index and bound xid by a value, not a join:
# the generic plan PostgreSQL picks for a prepared statement after a few runs would
# otherwise scan every row kept for the retention, on every fetch.
_FETCH = """
WITH line AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
(SELECT id, xid::text AS xid, topic, key, event_id, type, envelope, traceparent, created_at,
        true AS ready
 FROM outbox
 WHERE (outbox.xid, id) > ($1::text::xid8, $2) AND outbox.xid < (SELECT xmin FROM line)
 ORDER BY outbox.xid, outbox.id
 LIMIT $3)
UNION ALL
(SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false
 FROM outbox
 WHERE (outbox.xid, id) > ($1::text::xid8, $2) AND outbox.xid >= (SELECT xmin FROM line)
 ORDER BY outbox.xid, outbox.id
 LIMIT 1)
"""

# Counted up to a cap: past it the number no longer changes what on-call does, and the
# count runs every second.
_BACKLOG_CAP = 100_000
_BACKLOG = """
SELECT count(*) AS rows,
       (SELECT extract(epoch FROM clock_timestamp() - created_at) FROM outbox
        WHERE (xid, id) > ($1::text::xid8, $2) ORDER BY outbox.xid, outbox.id LIMIT 1) AS oldest
FROM (SELECT 1 FROM outbox WHERE (xid, id) > ($1::text::xid8, $2) ORDER BY xid, id LIMIT $3) AS waiting
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
        self._measured_at = 0.0
        self._held_back = False  # the last fetch found rows not yet ready
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False
        # Read once on becoming the leader: only the leader moves it, so it is then known.
        self._at: RelayPosition | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self.name}")

    def wake(self) -> None:
        """Rows were committed: look for them now."""
        self._wake.set()

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task:
            await self._task
        if self._measured_at:  # a standby takes over and reports its own
            OUTBOX_BACKLOG.remove(self.name)
            OUTBOX_OLDEST.remove(self.name)

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
            # The saved position only says where to start: if the database loses its last
            # saves in a crash, those rows go again and consumers drop them by envelope id.
            # So saving it does not wait for the WAL to reach the disk (a batch's position
            # waited ~1-2 ms for each flush, holding up the next batch).
            await conn.execute("SET synchronous_commit = off")
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self.wake())  # another process committed
            while not self._stopping.is_set():
                if not self.is_leader:
                    self.is_leader = await conn.fetchval(
                        "SELECT pg_try_advisory_lock(hashtext('frontdesk.outbox.' || $1))", self.name
                    )
                    if not self.is_leader:
                        await asyncio.sleep(1)
                        continue
                    log.info("outbox relay %s is the leader", self.name)
                    self._at = None
                self._wake.clear()
                if time.monotonic() - self._measured_at > 1:
                    await self.measure_backlog(conn)
                published = await self.publish_batch(conn)
                if time.monotonic() - self._pruned_at > self._prune_every:
                    await self.prune(conn)
                if published == self._batch_size:
                    continue
                # xmin is cluster-wide: a transaction in any database can hold rows back,
                # and its commit sends no NOTIFY here. Look again soon while rows wait.
                wait = self._held_back_poll if self._held_back else self._idle_poll
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass
        finally:
            self.is_leader = False
            self._at = None
            await conn.close()

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        """Publish the next rows that are ready, in (xid, id) order; how many were acked.
        Notes whether rows wait behind a transaction still running (`_held_back`)."""
        position = await self._position(conn)
        fetched = await conn.fetch(_FETCH, position.xid, position.id, self._batch_size)
        rows = [row for row in fetched if row["ready"]]
        self._held_back = len(rows) < len(fetched)
        if not rows:
            return 0
        acked, failure = await self._send(rows)
        if acked:
            last = rows[acked - 1]
            await conn.execute(
                "INSERT INTO outbox_position (relay, xid, id) VALUES ($1, $2::text::xid8, $3) "
                "ON CONFLICT (relay) DO UPDATE SET xid = EXCLUDED.xid, id = EXCLUDED.id",
                self.name,
                last["xid"],
                last["id"],
            )
            self._at = RelayPosition(last["xid"], last["id"])
            now = datetime.now(UTC)
            PUBLISHED.labels(self.name).inc(acked)
            for row in rows[:acked]:
                OUTBOX_DELAY.labels(self.name).observe((now - row["created_at"]).total_seconds())
        if failure is not None:
            raise failure
        return acked

    async def measure_backlog(self, conn: asyncpg.Connection) -> None:
        """How many rows wait and how old the oldest is: a relay that cannot reach Kafka
        still measures, so "outbox stuck" fires while events pile up."""
        position = await self._position(conn)
        row = await conn.fetchrow(_BACKLOG, position.xid, position.id, _BACKLOG_CAP)
        OUTBOX_BACKLOG.labels(self.name).set(row["rows"])
        OUTBOX_OLDEST.labels(self.name).set(float(row["oldest"] or 0))
        self._measured_at = time.monotonic()

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

    async def _send(self, rows: list[asyncpg.Record]) -> tuple[int, BaseException | None]:
        """Hands every row to the producer in (xid, id) order, then waits for all the acks.

        Returns how many rows, counted from the first, were acknowledged without a gap, and
        the first failure if any: the position moves only over that prefix, so after a
        failure the relay sends the rest again (duplicates, never a skipped row). Order per
        key holds because a key always goes to the same partition and the idempotent
        producer keeps a partition's records in the order they were handed over, retries
        included (docs/adr/0001-outbox-commit-order.md).
        """
        acks: list[asyncio.Future[object]] = []
        refused: BaseException | None = None
        for row in rows:
            try:
                acks.append(await self._hand_over(row))
            except Exception as exc:  # e.g. too large: nothing after it may be handed over
                refused = exc
                break
        outcomes = await asyncio.gather(*acks, return_exceptions=True)
        for acked, outcome in enumerate(outcomes):
            if isinstance(outcome, BaseException):
                return acked, outcome
        return len(acks), refused

    async def _hand_over(self, row: asyncpg.Record) -> asyncio.Future[object]:
        # Signed like every record a service sends: some rows are commands to another
        # service (the assistant's replies through messaging).
        value = row["envelope"].encode()
        key = row["key"].encode()
        partitions = await self._partitions(row["topic"])
        # The relay's hop is a span of the trace that wrote the row; the record's header
        # names it as the parent of whatever the consumer does next.
        with _relay_span(row):
            delivered: asyncio.Future[object] = await self._producer.send(
                row["topic"],
                value=value,
                key=key,
                headers=[*_headers(row, current_traceparent()), self._signer.header(value)],
                partition=self._partitioner(key, partitions, partitions),
            )
        return delivered

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

    async def _position(self, conn: asyncpg.Connection) -> RelayPosition:
        if self._at is None:
            row = await conn.fetchrow(
                "SELECT xid::text AS xid, id FROM outbox_position WHERE relay = $1", self.name
            )
            self._at = RelayPosition(row["xid"], row["id"]) if row else RelayPosition()
        return self._at


def _relay_span(row: asyncpg.Record) -> AbstractContextManager[object]:
    if not row["traceparent"] or not exporting():  # a timer's row starts no trace
        return nullcontext()
    return continue_trace(f"publish {row['type']}", row["traceparent"], None, trace.SpanKind.PRODUCER)


def _headers(row: asyncpg.Record, traceparent: str | None) -> list[tuple[str, bytes]]:
    headers = [("ce_id", str(row["event_id"]).encode()), ("ce_type", row["type"].encode())]
    if traceparent := traceparent or row["traceparent"]:
        headers.append(("traceparent", traceparent.encode()))
    return headers
