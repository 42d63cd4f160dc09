import asyncio
import json

import asyncpg
import pytest
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import MESSAGING_EVENTS
from frontdesk_platform.eventstore import ConcurrencyError, EventStore, NewEvent
from frontdesk_platform.kafka import ensure_topics
from frontdesk_platform.outbox import _BACKLOG, _FETCH, OutboxRelay
from frontdesk_platform.unit_of_work import OUTBOX_CHANNEL, UnitOfWork
from prometheus_client import REGISTRY

from .conftest import generic_plan, read_topic

pytestmark = pytest.mark.integration
EVENT = "messaging.message.sent.v1"


def envelope(key: str, n: int) -> Envelope:
    return Envelope(type=EVENT, source="test", aggregate_id=key, aggregate_version=n, data={"n": n})


async def insert_outbox_row(conn: asyncpg.Connection, topic: str, env: Envelope) -> int:
    return await conn.fetchval(
        "INSERT INTO outbox (topic, key, event_id, type, envelope) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        topic,
        env.aggregate_id,
        env.id,
        env.type,
        env.model_dump_json(),
    )


async def publish_all(relay: OutboxRelay, conn: asyncpg.Connection, expected: int) -> int:
    """Publishes until `expected` rows went out. xmin is cluster-wide: under load another
    database's open transaction holds committed rows back for a moment (never reorders
    them), so a single publish_batch may find fewer than were committed."""
    published = 0
    async with asyncio.timeout(10):
        while published < expected:
            published += await relay.publish_batch(conn)
            if published < expected:
                await asyncio.sleep(0.01)
    return published


async def test_a_row_committed_after_a_higher_id_is_published_first_not_skipped(database, producer):
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 1)
    relay = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer)
    early, late = await asyncpg.connect(database.dsn), await asyncpg.connect(database.dsn)
    relay_conn = await asyncpg.connect(database.dsn)
    try:
        slow = early.transaction()
        await slow.start()
        low_id = await insert_outbox_row(early, topic, envelope("a", 1))
        high_id = await insert_outbox_row(late, topic, envelope("b", 1))  # autocommits
        assert low_id < high_id

        # The committed higher id must wait: publishing it now would move the position past
        # the lower id that is still in flight, and a plain "id > last" relay would lose it.
        assert await relay.publish_batch(relay_conn) == 0

        await slow.commit()
        # xmin is cluster-wide: another database's open transaction may hold both rows
        # back a little longer, never reorder them.
        published = 0
        async with asyncio.timeout(10):
            while published < 2:
                published += await relay.publish_batch(relay_conn)
                await asyncio.sleep(0.01)
        assert published == 2
    finally:
        for conn in (early, late, relay_conn):
            await conn.close()

    records = await read_topic(database.settings.kafka_connection(), topic, 2)
    assert [r.key for r in records] == [b"a", b"b"]
    assert dict(records[0].headers)["ce_type"] == EVENT.encode()


async def test_rows_held_back_by_a_running_transaction_go_out_soon_after_it_ends(database, producer):
    """Rows behind a transaction still running are looked at again within milliseconds,
    not after the idle poll: its commit may send no NOTIFY (another database's, or this
    raw insert's)."""
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 1)
    relay = OutboxRelay(
        name="t",
        dsn=database.dsn,
        producer=producer,
        signer=database.signer,
        idle_poll=30,
        held_back_poll=0.005,
    )
    early, late = await asyncpg.connect(database.dsn), await asyncpg.connect(database.dsn)
    try:
        slow = early.transaction()
        await slow.start()
        await insert_outbox_row(early, topic, envelope("a", 1))
        await insert_outbox_row(late, topic, envelope("b", 1))  # committed, but behind "a"
        await relay.start()
        await asyncio.sleep(0.3)  # the relay has looked, found both waiting, and polls
        await slow.commit()
        records = await read_topic(database.settings.kafka_connection(), topic, 2, timeout=10)
    finally:
        await relay.stop()
        for conn in (early, late):
            await conn.close()
    assert [r.key for r in records] == [b"a", b"b"]


async def test_rows_go_out_in_numeric_xid_order_when_xids_gain_a_digit(database, producer):
    # A fresh PostgreSQL reaches xid 1000 early; '1000' sorts before '999' as text.
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 1)
    relay = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer)
    conn = await asyncpg.connect(database.dsn)
    try:
        for xid, version in (("10", 2), ("9", 1)):  # both long finished, inserted 10 first
            row_id = await insert_outbox_row(conn, topic, envelope("a", version))
            await conn.execute("UPDATE outbox SET xid = $1::text::xid8 WHERE id = $2", xid, row_id)
        assert await relay.publish_batch(conn) == 2
    finally:
        await conn.close()

    records = await read_topic(database.settings.kafka_connection(), topic, 2)
    assert [json.loads(r.value)["aggregate_version"] for r in records] == [1, 2]


async def test_concurrent_writers_publish_every_stream_in_version_order(database, producer):
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 3)
    store = EventStore()
    streams, per_stream = ["cat", "dog", "rabbit"], 25

    async def append_next(stream: str) -> None:
        while True:
            try:
                async with UnitOfWork(database.sessions, database.settings.topic) as uow:
                    version = len(await store.read_stream(uow.session, stream))
                    await asyncio.sleep(0.001)
                    await store.append(uow.session, stream, version, [NewEvent("e", {})])
                    uow.publish(envelope(stream, version + 1))
                    await uow.commit()
                return
            except ConcurrencyError:
                continue

    relay = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer, idle_poll=0.02)
    await relay.start()
    try:
        await asyncio.gather(*(append_next(s) for s in streams for _ in range(per_stream)))
        records = await read_topic(database.settings.kafka_connection(), topic, len(streams) * per_stream)
    finally:
        await relay.stop()

    by_stream: dict[str, list[int]] = {s: [] for s in streams}
    for record in records:
        by_stream[record.key.decode()].append(json.loads(record.value)["aggregate_version"])
    assert by_stream == {s: list(range(1, per_stream + 1)) for s in streams}


async def test_a_commit_wakes_the_relay_of_its_own_process_without_notify(database, producer):
    """A leading relay in the committing process is woken directly (no NOTIFY, whose lock
    would keep concurrent commits from sharing a WAL flush); a process whose relay does
    not lead still sends NOTIFY, so the leader elsewhere hears of the rows."""
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 1)
    leader = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer, idle_poll=30)
    standby = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer, idle_poll=30)
    heard: list[str] = []
    listener = await asyncpg.connect(database.dsn)
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: heard.append(args[2]))
    await leader.start()
    try:
        async with asyncio.timeout(5):
            while not leader.is_leader:
                await asyncio.sleep(0.02)
        await standby.start()
        async with UnitOfWork(database.sessions, database.settings.topic, leader) as uow:
            uow.publish(envelope("own", 1))
            await uow.commit()
        records = await read_topic(database.settings.kafka_connection(), topic, 1, timeout=5)
        assert [r.key for r in records] == [b"own"]  # long before the 30 s poll
        await asyncio.sleep(0.2)
        assert heard == []

        async with UnitOfWork(database.sessions, database.settings.topic, standby) as uow:
            uow.publish(envelope("elsewhere", 1))
            await uow.commit()
        records = await read_topic(database.settings.kafka_connection(), topic, 2, timeout=5)
        assert [r.key for r in records] == [b"own", b"elsewhere"]
        async with asyncio.timeout(5):
            while not heard:
                await asyncio.sleep(0.02)
    finally:
        await standby.stop()
        await leader.stop()
        await listener.close()


async def test_only_one_relay_publishes_at_a_time(database, producer):
    first = OutboxRelay(name="same", dsn=database.dsn, producer=producer, signer=database.signer)
    second = OutboxRelay(name="same", dsn=database.dsn, producer=producer, signer=database.signer)
    await first.start()
    await second.start()
    try:
        async with asyncio.timeout(5):
            while not (first.is_leader or second.is_leader):
                await asyncio.sleep(0.05)
        await asyncio.sleep(1.2)
        assert [first.is_leader, second.is_leader].count(True) == 1
    finally:
        await first.stop()
        await second.stop()


async def test_unit_of_work_rolls_back_everything_when_not_committed(database):
    async with UnitOfWork(database.sessions, database.settings.topic) as uow:
        await EventStore().append(uow.session, "s", 0, [NewEvent("e", {})])
        uow.publish(envelope("s", 1))
    conn = await asyncpg.connect(database.dsn)
    try:
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM outbox) AS outbox"
        )
    finally:
        await conn.close()
    assert dict(counts) == {"events": 0, "outbox": 0}


async def test_a_savepoint_that_fails_takes_its_writes_and_outbox_rows_with_it(database):
    uow = UnitOfWork(database.sessions, database.settings.topic)
    async with uow:
        await EventStore().append(uow.session, "kept", 0, [NewEvent("x", {})])
        uow.publish(envelope("kept", 1))
        with pytest.raises(RuntimeError):
            async with uow.savepoint():
                await EventStore().append(uow.session, "undone", 0, [NewEvent("x", {})])
                uow.publish(envelope("undone", 1))
                raise RuntimeError("refused")
        await uow.commit()
    conn = await asyncpg.connect(database.dsn)
    try:
        assert [r["key"] for r in await conn.fetch("SELECT key FROM outbox")] == ["kept"]
        assert [r["stream_id"] for r in await conn.fetch("SELECT stream_id FROM events")] == ["kept"]
    finally:
        await conn.close()


async def test_a_savepoint_undoes_statements_sent_past_sqlalchemy_and_events_it_cannot_store(database):
    # Before: SQLAlchemy sent SAVEPOINT only with its own next statement, so a raw one
    # failing first aborted the whole batch's transaction instead of its savepoint.
    uow = UnitOfWork(database.sessions, database.settings.topic)
    async with uow:
        streams = await uow.streams(EventStore())
        await streams.load(["kept", "raw", "unstorable"])
        streams.stage("kept", 0, [NewEvent("x", {})], None)
        with pytest.raises(asyncpg.DataError):
            async with uow.savepoint():
                await insert_outbox_row(await uow.connection(), "t", envelope("raw", 1))
                await (await uow.connection()).execute("SELECT 1/0")
        with pytest.raises(asyncpg.DataError):
            async with uow.savepoint():
                streams.stage("unstorable", 0, [NewEvent("x", {"text": "a\x00b"})], None)
        await uow.commit()
    conn = await asyncpg.connect(database.dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
        assert [r["stream_id"] for r in await conn.fetch("SELECT stream_id FROM events")] == ["kept"]
    finally:
        await conn.close()


async def test_published_rows_past_their_retention_are_pruned_and_nothing_else(database, producer):
    from datetime import timedelta

    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 1)
    relay = OutboxRelay(
        name="t", dsn=database.dsn, producer=producer, signer=database.signer, retention=timedelta(0)
    )
    conn = await asyncpg.connect(database.dsn)
    try:
        for n in (1, 2):
            await insert_outbox_row(conn, topic, envelope("a", n))
        assert await publish_all(relay, conn, 2) == 2
        await insert_outbox_row(conn, topic, envelope("a", 3))  # not published yet
        assert await relay.prune(conn) == 2
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
        assert await publish_all(relay, conn, 1) == 1, "the relay carries on after pruning"
    finally:
        await conn.close()
    records = await read_topic(database.settings.kafka_connection(), topic, 3)
    assert [json.loads(r.value)["aggregate_version"] for r in records] == [1, 2, 3]


class HeldAcks:
    """A producer whose acks wait until the test releases them, failing the ones named."""

    def __init__(self, fail_versions: frozenset[int] = frozenset()) -> None:
        self.handed: list[int] = []
        self.acks: list[tuple[asyncio.Future[None], int]] = []
        self.fail_versions = fail_versions
        self.client = self

    async def force_metadata_update(self) -> None:
        return None

    async def partitions_for(self, topic: str) -> set[int]:
        return {0, 1, 2}

    async def send(self, topic: str, **record: object) -> asyncio.Future[None]:
        version = json.loads(record["value"])["aggregate_version"]  # type: ignore[arg-type]
        self.handed.append(version)
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks.append((ack, version))
        return ack

    def release(self) -> None:
        for ack, version in self.acks:
            if version in self.fail_versions:
                ack.set_exception(RuntimeError(f"broker refused {version}"))
            else:
                ack.set_result(None)


async def test_a_batch_is_handed_to_the_producer_before_any_ack_comes_back(database):
    producer = HeldAcks()
    relay = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer)  # type: ignore[arg-type]
    conn = await asyncpg.connect(database.dsn)
    try:
        async with conn.transaction():  # one xid: the relay sees all 50 rows or none
            for n in range(1, 51):
                await insert_outbox_row(conn, "events", envelope("a", n))
        publishing = asyncio.create_task(publish_all(relay, conn, 50))
        async with asyncio.timeout(5):
            while len(producer.handed) < 50:  # a relay awaiting each ack would stop at 1
                await asyncio.sleep(0.01)
        assert not publishing.done(), "the position waits for the acks"
        producer.release()
        assert await publishing == 50
    finally:
        await conn.close()
    assert producer.handed == list(range(1, 51))


async def test_a_failed_ack_saves_the_position_before_it_and_the_rest_go_again(database):
    producer = HeldAcks(fail_versions=frozenset({3}))
    relay = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer)  # type: ignore[arg-type]
    conn = await asyncpg.connect(database.dsn)
    try:
        async with conn.transaction():
            for n in range(1, 6):
                await insert_outbox_row(conn, "events", envelope("a", n))
        publishing = asyncio.create_task(publish_all(relay, conn, 5))
        async with asyncio.timeout(5):
            while len(producer.handed) < 5:
                await asyncio.sleep(0.01)
        producer.release()
        with pytest.raises(RuntimeError, match="refused 3"):
            await publishing

        producer.fail_versions = frozenset()
        producer.acks.clear()
        again = asyncio.create_task(publish_all(relay, conn, 3))
        async with asyncio.timeout(5):
            while len(producer.acks) < 3:
                await asyncio.sleep(0.01)
        producer.release()
        assert await again == 3
    finally:
        await conn.close()
    # 4 and 5 may have reached Kafka before 3 failed; they go again after 3, never skipped.
    assert producer.handed == [1, 2, 3, 4, 5, 3, 4, 5]


async def test_a_pipelined_batch_keeps_every_key_in_order_on_real_kafka(database, producer):
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 3)
    keys, per_key = [f"conv-{k}" for k in range(20)], 60
    relay = OutboxRelay(name="t", dsn=database.dsn, producer=producer, signer=database.signer, batch_size=400)
    conn = await asyncpg.connect(database.dsn)
    try:
        for n in range(1, per_key + 1):
            for key in keys:
                await insert_outbox_row(conn, topic, envelope(key, n))
        await publish_all(relay, conn, len(keys) * per_key)
    finally:
        await conn.close()

    records = await read_topic(database.settings.kafka_connection(), topic, len(keys) * per_key)
    by_key: dict[str, list[int]] = {}
    for record in records:
        by_key.setdefault(record.key.decode(), []).append(json.loads(record.value)["aggregate_version"])
    assert by_key == {key: list(range(1, per_key + 1)) for key in keys}


async def test_the_backlog_and_the_age_of_the_oldest_waiting_row_show_until_they_go_out(database, producer):
    topic = database.settings.topic(MESSAGING_EVENTS)
    await ensure_topics(database.settings.kafka_connection(), [topic], 1)
    relay = OutboxRelay(name="backlog", dsn=database.dsn, producer=producer, signer=database.signer)
    conn = await asyncpg.connect(database.dsn)
    try:
        ids = [await insert_outbox_row(conn, topic, envelope("k", n)) for n in range(3)]
        await conn.execute(
            "UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE id = $1", ids[0]
        )
        await relay.measure_backlog(conn)
        assert REGISTRY.get_sample_value("frontdesk_outbox_backlog_rows", {"relay": "backlog"}) == 3
        oldest = REGISTRY.get_sample_value(
            "frontdesk_outbox_oldest_unpublished_seconds", {"relay": "backlog"}
        )
        assert oldest is not None and 90 <= oldest < 120

        await publish_all(relay, conn, 3)
        await relay.measure_backlog(conn)
        assert REGISTRY.get_sample_value("frontdesk_outbox_backlog_rows", {"relay": "backlog"}) == 0
        assert (
            REGISTRY.get_sample_value("frontdesk_outbox_oldest_unpublished_seconds", {"relay": "backlog"})
            == 0
        )
    finally:
        await conn.close()


@pytest.mark.parametrize("name, statement", [("relay_fetch", _FETCH), ("relay_backlog", _BACKLOG)])
async def test_the_relay_reads_only_past_its_position_however_many_published_rows_are_kept(
    database, name, statement
):
    # Before: the plan PostgreSQL settles on for a prepared statement scanned every row
    # kept for the retention, each fetch (the relay's CPU grew with the outbox).
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute(
            "INSERT INTO outbox (topic, key, event_id, type, envelope)"
            " SELECT 't', 'k', gen_random_uuid(), 'x', repeat('e', 300) FROM generate_series(1, 5000)"
        )
        await conn.execute("ANALYZE outbox")
        last = await conn.fetchrow(
            "SELECT xid::text AS xid, id FROM outbox ORDER BY xid DESC, id DESC LIMIT 1"
        )
        position = f"'{last['xid']}', {last['id']}, 100"
        lines = await generic_plan(conn, name, "text, bigint, bigint", statement, position)
    finally:
        await conn.close()
    assert "Seq Scan" not in lines and "Rows Removed" not in lines, lines
