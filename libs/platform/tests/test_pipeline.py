"""The command pipeline with a fake unit of work: batches, answers, failure by kind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast
from uuid import UUID, uuid4

import asyncpg
from frontdesk_contracts import Contract, Envelope
from frontdesk_platform.faults import Outcome
from frontdesk_platform.observability import configure_tracing, current_trace_id
from frontdesk_platform.pipeline import Answers, Pipeline, Route
from frontdesk_platform.refusals import Refused
from frontdesk_platform.unit_of_work import UnitOfWork
from opentelemetry import trace
from prometheus_client import REGISTRY
from sqlalchemy.exc import DataError, OperationalError

CONSUMER = "baths.commands"


class Book(Contract):
    n: int
    pet: str = "Mochi"


class _DriverError(Exception):
    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class Database:
    """What a fake transaction commits into."""

    def __init__(self) -> None:
        self.baths: list[int] = []
        self.replies: list[Envelope] = []
        self.processed: set[tuple[str, UUID]] = set()
        self.commits = 0
        self.savepoints = 0


class FakeWrites:
    """Read-model writes staged until the next flush, like StagedWrites: a bad one fails
    only when it is sent."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow, self.staged = uow, list[int]()

    async def flush(self) -> None:
        staged, self.staged = self.staged, []
        if any(n < 0 for n in staged):
            raise DataError("INSERT", {}, _DriverError("22003", "value out of range"))
        self.uow.baths += staged

    def discard(self) -> None:
        self.staged = []


class FakeUnitOfWork:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def __aenter__(self) -> FakeUnitOfWork:
        self.baths = list(self.db.baths)
        self.outbox: list[Envelope] = []
        self.writes = FakeWrites(self)
        self.events = FakeWrites(self)  # like StagedStreams: sent with the commit, or a savepoint's end
        self.callbacks: list[Callable[[], object]] = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    def publish(self, envelope: Envelope) -> None:
        self.outbox.append(envelope)

    def after_commit(self, callback: Callable[[], object]) -> None:
        self.callbacks.append(callback)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        await self.writes.flush()
        await self.events.flush()
        baths, outbox, callbacks = len(self.baths), len(self.outbox), len(self.callbacks)
        self.db.savepoints += 1
        try:
            yield
            await self.writes.flush()
            await self.events.flush()
        except BaseException:
            self.writes.discard()
            self.events.discard()
            del self.baths[baths:], self.outbox[outbox:], self.callbacks[callbacks:]
            raise

    async def processed_among(
        self, consumer: str, ids: set[UUID], reads: dict[str, Any]
    ) -> tuple[set[UUID], dict[str, Any]]:
        assert not reads  # these pipelines preload nothing
        return {i for i in ids if (consumer, i) in self.db.processed}, {}

    def mark_all_processed(self, consumer: str, ids: list[UUID]) -> None:
        self.tracked = [(consumer, i) for i in ids]

    async def commit(self) -> None:
        await self.writes.flush()
        await self.events.flush()
        self.db.baths = self.baths
        self.db.replies += self.outbox
        self.db.processed.update(self.tracked)
        self.db.commits += 1
        for callback in self.callbacks:
            callback()


async def book(uow: FakeUnitOfWork, cmd: Book) -> dict[str, Any]:
    if cmd.pet == "nobody":
        raise Refused("pet_not_found", "no such pet")
    if cmd.pet == "taken":  # refused after looking, before writing anything
        raise Refused("slot_taken", "that time is taken", before_writing=True)
    uow.baths.append(cmd.n)
    if cmd.pet == "\x00":
        raise DataError(
            "INSERT", {}, _DriverError("22021", 'invalid byte sequence for encoding "UTF8": 0x00')
        )
    if cmd.pet == "flaky":
        raise OperationalError("INSERT", {}, _DriverError("08006", "connection failure"))
    if cmd.pet == "bug":
        raise KeyError("pet")
    if cmd.pet == "staged":  # a read-model write that fails only when the batch's writes are sent
        uow.baths.pop()
        uow.writes.staged.append(-cmd.n)
    if cmd.pet == "event":  # an event the database refuses only when the commit sends it
        uow.baths.pop()
        uow.events.staged.append(-cmd.n)
    return {"bath": cmd.n}


ANSWERS = Answers("frontdesk.baths", "notify.command.accepted.v1", "notify.command.rejected.v1")
COMMANDS = Pipeline({"baths.bath.book.v1": Route(book, Book)}, lambda uow, message: uow, ANSWERS)


def command(n: int, pet: str = "Mochi", key: str = "k1", **data: Any) -> Envelope:
    return Envelope(
        type="baths.bath.book.v1", source="test", aggregate_id=key, data={"n": n, "pet": pet, **data}
    )


async def carry_out(db: Database, batch: list[Envelope], pipeline: Pipeline[Any] = COMMANDS) -> list[str]:
    outcomes: list[Outcome] = await pipeline.carry_out(
        CONSUMER, lambda: cast(UnitOfWork, FakeUnitOfWork(db)), batch
    )
    return [o.kind for o in outcomes]


def verdicts(db: Database) -> list[tuple[str, str]]:
    return [(r.type.split(".")[-2], r.data.get("code") or str(r.data.get("bath"))) for r in db.replies]


async def test_a_batch_is_one_transaction_and_every_command_is_answered_in_order():
    db = Database()
    batch = [command(1), command(2, key="k2"), command(3)]
    assert await carry_out(db, batch) == ["done", "done", "done"]
    assert db.baths == [1, 2, 3]
    assert db.commits == 1
    assert verdicts(db) == [("accepted", "1"), ("accepted", "2"), ("accepted", "3")]
    assert [r.causation_id for r in db.replies] == [c.id for c in batch]
    assert db.processed == {(CONSUMER, c.id) for c in batch}


async def test_a_refused_command_is_undone_alone_and_answered_with_its_code():
    db = Database()
    assert await carry_out(db, [command(1), command(2, pet="nobody"), command(3)]) == ["done"] * 3
    assert db.baths == [1, 3]
    assert verdicts(db) == [("accepted", "1"), ("rejected", "pet_not_found"), ("accepted", "3")]


async def test_text_the_database_cannot_store_is_rejected_at_once_with_the_reason():
    db = Database()
    assert await carry_out(db, [command(1, pet="\x00"), command(2)]) == ["done", "done"]
    assert db.baths == [2]
    rejected = db.replies[0]
    assert rejected.data["code"] == "invalid_data"
    assert "0x00" in rejected.data["message"] and "retry" in rejected.data["message"]
    assert (CONSUMER, rejected.causation_id) in db.processed  # never tried again


async def test_a_bug_is_permanent_too():
    db = Database()
    assert await carry_out(db, [command(1, pet="bug")]) == ["done"]
    assert verdicts(db) == [("rejected", "invalid_data")]


async def test_a_lost_connection_is_retried_and_only_its_key_waits_behind_it():
    db = Database()
    batch = [command(1, pet="flaky"), command(2), command(3, key="k2")]
    assert await carry_out(db, batch) == ["retry", "wait", "done"]
    assert db.baths == [3]
    assert verdicts(db) == [("accepted", "3")]
    assert db.processed == {(CONSUMER, batch[2].id)}  # the others come again


async def test_a_redelivered_batch_changes_nothing_and_is_answered_as_duplicates():
    db = Database()
    batch = [command(1), command(2, pet="nobody")]
    await carry_out(db, batch)
    db.replies.clear()
    assert await carry_out(db, [*batch, batch[0]]) == ["done"] * 3
    assert db.baths == [1]
    assert [(r.type, r.data["duplicate"]) for r in db.replies] == [("notify.command.accepted.v1", True)] * 3


async def test_an_unknown_or_malformed_command_is_dead_lettered():
    db = Database()
    unknown = Envelope(type="baths.bath.cancel.v1", source="test", aggregate_id="k1", data={})
    malformed = Envelope(type="baths.bath.book.v1", source="test", aggregate_id="k1", data={"n": "many"})
    assert await carry_out(db, [unknown, malformed, command(2)]) == ["dead_letter", "dead_letter", "done"]
    assert db.baths == [2]


async def test_an_event_consumer_skips_what_it_does_not_handle_and_dead_letters_bad_data():
    db = Database()
    events = Pipeline(
        lambda t: Route(book, Book) if t == "baths.bath.book.v1" else None, lambda uow, message: uow
    )
    other = Envelope(type="baths.bath.cancelled.v1", source="test", aggregate_id="k1", data={})
    outcomes = await carry_out(db, [other, command(1, pet="\x00"), command(2)], events)
    assert outcomes == ["done", "dead_letter", "done"]
    assert db.baths == [2] and db.replies == []


async def test_a_clean_batch_needs_no_savepoints_and_a_failure_is_undone_alone_all_the_same():
    db = Database()
    pipeline = Pipeline({"baths.bath.book.v1": Route(book, Book)}, lambda uow, message: uow, ANSWERS)
    assert await carry_out(db, [command(1), command(2)], pipeline) == ["done", "done"]
    assert (db.savepoints, db.commits) == (0, 1)

    await carry_out(db, [command(3), command(4, pet="nobody"), command(5)], pipeline)
    assert db.baths == [1, 2, 3, 5]  # done again, carefully: the refused one alone undone
    assert (db.savepoints, db.commits) == (3, 2)
    assert verdicts(db)[2:] == [("accepted", "3"), ("rejected", "pet_not_found"), ("accepted", "5")]


async def test_a_refusal_raised_before_writing_is_answered_without_undoing_the_batch():
    db = Database()
    pipeline = Pipeline({"baths.bath.book.v1": Route(book, Book)}, lambda uow, message: uow, ANSWERS)
    batch = [command(1), command(2, pet="taken"), command(3), command(4, pet="taken")]
    assert await carry_out(db, batch, pipeline) == ["done"] * 4
    assert db.baths == [1, 3]
    assert verdicts(db) == [("accepted", "1"), ("rejected", "slot_taken"), ("accepted", "3")] + [
        ("rejected", "slot_taken")
    ]
    assert (db.savepoints, db.commits) == (0, 1)  # one pass, no savepoints
    assert db.processed == {(CONSUMER, c.id) for c in batch}

    await carry_out(db, [command(5), command(6, pet="taken")], pipeline)
    assert (db.savepoints, db.commits) == (0, 2)  # and the batches after it need none either


async def test_a_staged_write_that_fails_when_sent_fails_its_own_command_alone():
    # read-model writes go to the database together after the batch; the one that cannot
    # be stored is found by doing the batch again with a savepoint per command
    db = Database()
    pipeline = Pipeline({"baths.bath.book.v1": Route(book, Book)}, lambda uow, message: uow, ANSWERS)
    outcomes = await carry_out(db, [command(1), command(2, pet="staged", key="k2"), command(3)], pipeline)
    assert outcomes == ["done"] * 3
    assert db.baths == [1, 3]
    assert verdicts(db) == [("accepted", "1"), ("rejected", "invalid_data"), ("accepted", "3")]
    assert db.commits == 1


async def test_an_event_that_fails_only_at_commit_fails_its_own_command_alone():
    db = Database()
    pipeline = Pipeline({"baths.bath.book.v1": Route(book, Book)}, lambda uow, message: uow, ANSWERS)
    outcomes = await carry_out(db, [command(1), command(2, pet="event", key="k2"), command(3)], pipeline)
    assert outcomes == ["done"] * 3
    assert db.baths == [1, 3]
    assert verdicts(db) == [("accepted", "1"), ("rejected", "invalid_data"), ("accepted", "3")]
    assert db.commits == 1


def counted(verdict: str) -> float:
    labels = {"service": "frontdesk.baths", "command": "baths.bath.book.v1", "verdict": verdict}
    return REGISTRY.get_sample_value("frontdesk_command_verdicts_total", labels) or 0.0


async def test_each_verdict_is_counted_once_by_its_code_even_when_the_batch_is_done_again():
    db = Database()
    accepted, invalid, refused = counted("accepted"), counted("invalid_data"), counted("pet_not_found")
    batch = [command(1), command(2, pet="staged", key="k2"), command(3), command(4, pet="nobody", key="k3")]
    assert await carry_out(db, batch) == ["done"] * 4  # undone once, then done with savepoints
    assert counted("accepted") - accepted == 2
    assert counted("invalid_data") - invalid == 1
    assert counted("pet_not_found") - refused == 1


async def test_without_an_exporter_a_command_makes_no_span_yet_its_answer_stays_in_its_trace():
    """A span nobody exports is CPU thrown away on every command; the trace still goes on."""
    configure_tracing("baths")
    recording: list[bool] = []
    seen: list[str | None] = []  # the trace id its log lines name

    async def watched(uow: FakeUnitOfWork, cmd: Book) -> dict[str, Any]:
        recording.append(trace.get_current_span().is_recording())
        seen.append(current_trace_id())
        return await book(uow, cmd)

    pipeline = Pipeline({"baths.bath.book.v1": Route(watched, Book)}, lambda uow, message: uow, ANSWERS)
    trace_id = uuid4().hex
    traced = command(1).model_copy(update={"traceparent": f"00-{trace_id}-{'4' * 16}-01"})
    db = Database()
    assert await carry_out(db, [traced, command(2)], pipeline) == ["done", "done"]
    assert recording == [False, False]
    assert seen[0] == trace_id  # in the logs too
    assert db.replies[0].traceparent is not None and trace_id in db.replies[0].traceparent
    assert seen[1] is not None and seen[1] != trace_id  # one carrying none starts one
    assert db.replies[1].traceparent is not None and seen[1] in db.replies[1].traceparent


async def test_a_deadlock_on_a_statement_sent_without_sqlalchemy_is_retried_not_refused():
    """The hot path's statements go to asyncpg straight: its errors are judged by their
    SQLSTATE like SQLAlchemy's, so a deadlock is tried again, not answered invalid_data."""

    async def deadlocked(uow: FakeUnitOfWork, cmd: Book) -> dict[str, Any]:
        raise asyncpg.DeadlockDetectedError("deadlock detected")

    pipeline = Pipeline({"baths.bath.book.v1": Route(deadlocked, Book)}, lambda uow, message: uow, ANSWERS)
    db = Database()
    assert await carry_out(db, [command(1)], pipeline) == ["retry"]
    assert db.replies == []
