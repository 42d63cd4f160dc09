import asyncio

import asyncpg
import pytest
from frontdesk_platform import reads
from frontdesk_platform.database import driver_connection
from frontdesk_platform.eventstore import _LOAD_MANY, ConcurrencyError, EventStore, NewEvent

from .conftest import generic_plan

pytestmark = pytest.mark.integration


async def test_a_stream_reads_back_in_version_order(database):
    store = EventStore()
    async with database.sessions() as session, session.begin():
        await store.append(session, "s-1", 0, [NewEvent("opened", {"n": 1}), NewEvent("sent", {"n": 2})])
        await store.append(session, "s-1", 2, [NewEvent("sent", {"n": 3, "text": "给金毛洗澡"})])
    async with database.sessions() as session:
        events = await store.read_stream(session, "s-1")
        newest = await store.read_stream(session, "s-1", after_version=2)
    assert [(e.version, e.data["n"]) for e in events] == [(1, 1), (2, 2), (3, 3)]
    assert [e.data["text"] for e in newest] == ["给金毛洗澡"]


async def test_two_writers_of_the_same_version_one_wins_the_other_must_retry(database):
    store = EventStore()
    async with database.sessions() as session, session.begin():
        await store.append(session, "s-2", 0, [NewEvent("opened", {})])

    async def writer(name: str) -> str:
        async with database.sessions() as session, session.begin():
            await store.append(session, "s-2", 1, [NewEvent("sent", {"by": name})])
            await asyncio.sleep(0.05)
        return name

    results = await asyncio.gather(writer("a"), writer("b"), return_exceptions=True)
    assert sum(isinstance(r, ConcurrencyError) for r in results) == 1
    async with database.sessions() as session:
        events = await store.read_stream(session, "s-2")
    assert [e.version for e in events] == [1, 2]


async def test_snapshot_is_replaced_not_duplicated(database):
    store = EventStore()
    async with database.sessions() as session, session.begin():
        connection = await driver_connection(session)
        await store.save_snapshots(connection, {"s-3": (5, {"last_seq": 4})})
        await store.save_snapshots(connection, {"s-3": (9, {"last_seq": 8})})
    async with database.sessions() as session, session.begin():
        found = await store.load_many(await driver_connection(session), ["s-3", "missing"])
    assert found["s-3"].snapshot == (9, {"last_seq": 8})
    assert found["missing"].snapshot is None


async def test_the_snapshot_and_the_events_after_it_come_in_one_read(database):
    store = EventStore()
    async with database.sessions() as session, session.begin():
        await store.append(session, "s-9", 0, [NewEvent("opened", {"n": 1}), NewEvent("sent", {"n": 2})])
        await store.save_snapshots(await driver_connection(session), {"s-9": (2, {"messages": 1})})
        await store.append(session, "s-9", 2, [NewEvent("sent", {"n": 3})])
        await store.append(session, "s-10", 0, [NewEvent("opened", {"n": 1})])
    async with database.sessions() as session, session.begin():
        found = await store.load_many(await driver_connection(session), ["s-9", "s-10", "s-11"])
    snapshot, since = found["s-9"].snapshot, found["s-9"].events
    none, all_of_it = found["s-10"].snapshot, found["s-10"].events
    assert snapshot == (2, {"messages": 1}) and [e.data["n"] for e in since] == [3]
    assert none is None and [e.version for e in all_of_it] == [1]
    assert (found["s-11"].snapshot, found["s-11"].events) == (None, [])


async def test_a_batch_reads_only_the_events_after_each_snapshot_however_long_the_streams(database):
    # Before: a hash join read every event of every stream (a seq scan per batch once
    # conversations were long), whatever their snapshots said.
    store = EventStore()
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute(
            "INSERT INTO events (stream_id, version, event_id, type, data, metadata)"
            " SELECT 's-' || (n % 20), n / 20 + 1, gen_random_uuid(), 'sent', '{}', '{}'"
            " FROM generate_series(0, 19999) AS n"
        )
        await conn.execute(
            "INSERT INTO snapshots (stream_id, version, state)"
            " SELECT 's-' || n, 990, '{}' FROM generate_series(0, 19) AS n"
        )
        await conn.execute("ANALYZE events; ANALYZE snapshots")
        lines = await generic_plan(conn, "load_many", "text[]", _LOAD_MANY, "ARRAY['s-1', 's-2']")
        # the same read sent along with a batch's other reads (its tracking records first)
        together, _ = reads.statement(
            {"tracked": reads.Read("SELECT 1 AS one", (), ("one",)), "streams": store.read_many([])}
        )
        along = await generic_plan(conn, "load_along", "text[]", together, "ARRAY['s-1', 's-2']")
        found = store.histories(
            (await reads.read_together(conn, {"streams": store.read_many(["s-1", "s-2"])}))["streams"]
        )
        alone = await store.load_many(conn, ["s-1", "s-2"])
    finally:
        await conn.close()
    assert "Seq Scan on events" not in lines and "Rows Removed" not in lines, lines
    assert "Seq Scan on events" not in along and "Rows Removed" not in along, along
    assert found == alone and [e.version for e in found["s-1"].events] == list(range(991, 1001))
