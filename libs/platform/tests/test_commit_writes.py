"""A transaction's last writes go in one statement, and a unique violation in it still
means what it meant as a statement of its own: a message another delivery carried out
meanwhile (AlreadyProcessed), a stream that moved on (ConcurrencyError); nothing of the
transaction is kept either way."""

from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from frontdesk_contracts import Envelope
from frontdesk_platform.commit_writes import CommitWrites, Insert
from frontdesk_platform.eventstore import ConcurrencyError, EventStore, NewEvent
from frontdesk_platform.staged import StagedStreams
from frontdesk_platform.unit_of_work import AlreadyProcessed, UnitOfWork

CONSUMER = "baths.commands"


def test_each_insert_keeps_its_own_parameters_after_the_ones_before_it() -> None:
    writes = CommitWrites()
    writes.add(Insert("INSERT INTO a SELECT $1, $2", [1, 2], "a"))
    writes.add(Insert("INSERT INTO b SELECT unnest($1::int[]), $2, $1", [[3], 4], "b"))
    writes.notify("wake")
    assert writes.statement() == (
        "WITH w0 AS (INSERT INTO a SELECT $1, $2), w1 AS (INSERT INTO b SELECT unnest($3::int[]), $4, $3) "
        "SELECT pg_notify('wake', '')",
        [1, 2, [3], 4],
    )


class Sent:
    """The statements a unit of work sends on its own connection."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, record: Any) -> None:
        self.statements.append(record.query)


async def transaction(
    database: Any, stream: str, version: int, message: Any, sent: Sent | None = None
) -> None:
    async with UnitOfWork(database.sessions, database.settings.topic) as uow:
        connection = await uow.connection()
        if sent is not None:
            connection.add_query_logger(sent)
        streams: StagedStreams = await uow.streams(EventStore())
        await streams.load([stream])
        streams.stage(stream, version, [NewEvent("bathed", {"n": version + 1})], {"n": version + 1})
        uow.publish(Envelope(type="messaging.message.sent.v1", source="t", aggregate_id=stream, data={}))
        uow.mark_all_processed(CONSUMER, [message])
        try:
            await uow.commit()
        finally:
            if sent is not None:
                connection.remove_query_logger(sent)


async def rows(database: Any) -> dict[str, int]:
    conn = await asyncpg.connect(database.dsn)
    try:
        found = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM snapshots) AS snapshots,"
            " (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM processed_messages) AS tracked"
        )
    finally:
        await conn.close()
    return dict(found)


@pytest.mark.integration
async def test_events_snapshots_tracking_and_outbox_are_one_statement_before_commit(database) -> None:
    sent = Sent()
    await transaction(database, "s", 0, uuid4(), sent)
    writing = [s for s in sent.statements if "INSERT INTO" in s]
    assert len(writing) == 1
    assert all(table in writing[0] for table in ("events", "snapshots", "processed_messages", "outbox"))
    assert await rows(database) == {"events": 1, "snapshots": 1, "outbox": 1, "tracked": 1}


@pytest.mark.integration
async def test_a_message_carried_out_meanwhile_is_already_processed_and_nothing_is_kept(database) -> None:
    message = uuid4()
    await transaction(database, "s", 0, message)
    with pytest.raises(AlreadyProcessed):
        await transaction(database, "other", 0, message)  # the same message again, another stream
    assert await rows(database) == {"events": 1, "snapshots": 1, "outbox": 1, "tracked": 1}


@pytest.mark.integration
async def test_a_stream_that_moved_on_is_a_concurrency_error_and_nothing_is_kept(database) -> None:
    async with UnitOfWork(database.sessions, database.settings.topic) as uow:
        streams = await uow.streams(EventStore())
        await streams.load(["s"])
        await transaction(database, "s", 0, uuid4())  # another writer of the stream commits first
        streams.stage("s", 0, [NewEvent("bathed", {"n": 1})], {"n": 1})
        uow.mark_all_processed(CONSUMER, [uuid4()])
        with pytest.raises(ConcurrencyError):
            await uow.commit()
    assert await rows(database) == {"events": 1, "snapshots": 1, "outbox": 1, "tracked": 1}
