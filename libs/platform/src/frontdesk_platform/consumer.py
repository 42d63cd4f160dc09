"""The consumer loop every service uses: at-least-once, batches, retries, dead letters.

Each partition has a worker that takes the records waiting for it (up to a bound; a
lone record does not wait for company) and hands them to its batch handler: a
`Pipeline` carries a batch out in one transaction, together with the batches of other
partitions that are waiting at that moment; a plain handler takes them one by one.
A record that failed permanently is copied to <topic>.dlt with its error at once. One
that failed transiently is held aside with the later records of its key and retried
with backoff while the partition's other keys go on, so a retry holds up nothing but
its own aggregate; after the last attempt it is dead-lettered too. Offsets are committed
only up to the first record not yet settled, after the database commit, so a crash
means a redelivery, which tracking records make harmless. On command topics a record
must carry a valid signature (signing.py) before it is even parsed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord
from frontdesk_contracts import Envelope
from frontdesk_contracts.topics import dead_letter
from pydantic import ValidationError

from .faults import DONE, WAIT, Outcome, PermanentError, failed
from .observability import CONSUMED, CONSUMER_LAG, DEAD_LETTERED, HANDLE_SECONDS, continue_trace

if TYPE_CHECKING:
    from .kafka import KafkaConnection
    from .signing import CommandSigner

__all__ = ["ConsumerLoop", "Handler", "PermanentError", "RetryPolicy"]

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[list[Outcome]]]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    first_delay: float = 0.1
    factor: float = 4.0
    max_delay: float = 5.0

    def delay(self, attempt: int) -> float:
        return float(min(self.first_delay * self.factor**attempt, self.max_delay))


# Offsets are committed beside the fetching, at most this often. A commit costs the
# consumer ~0.45 ms of CPU and ~6 ms until Kafka answers; awaited after every fetch, it was
# up to 10 % of messaging's CPU and held up the next fetch. Committing less often only
# means a crash redelivers more records, which their tracking records then skip.
COMMIT_EVERY = 0.5


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: ConsumerLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._loop.release(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("consumer %s assigned %s", self._loop.name, sorted(map(str, assigned)))


def one_by_one(handler: Handler) -> BatchHandler:
    """A plain handler as a batch handler: each record alone, later records of a key that
    failed transiently wait for it."""

    async def carry_out(batch: Sequence[Envelope]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        waiting: set[str | None] = set()
        for envelope in batch:
            if envelope.aggregate_id in waiting:
                outcomes.append(WAIT)
                continue
            try:
                with continue_trace(
                    f"handle {envelope.type}", envelope.traceparent, str(envelope.correlation_id)
                ):
                    await handler(envelope)
                outcomes.append(DONE)
            except Exception as exc:
                outcome = failed(exc)
                if outcome.kind == "retry":
                    waiting.add(envelope.aggregate_id)
                outcomes.append(outcome)
        return outcomes

    return carry_out


@dataclass
class _Entry:
    record: ConsumerRecord
    envelope: Envelope


@dataclass
class _Held:
    """The records of one key held aside for a retry, oldest first."""

    entries: deque[_Entry] = field(default_factory=deque)
    attempt: int = 0
    due: float = 0.0


class _PartitionWorker:
    """Carries out one partition's records, in order per key, apart from the other partitions."""

    def __init__(self, loop: ConsumerLoop, tp: TopicPartition) -> None:
        self.queue: asyncio.Queue[ConsumerRecord | None] = asyncio.Queue()
        self._loop = loop
        self._tp = tp
        self._held: dict[str | None, _Held] = {}
        self._next = -1  # the offset after the last record taken
        self._task = asyncio.create_task(self._work(), name=f"consumer:{loop.name}:{tp}")

    @property
    def backlog(self) -> int:
        return self.queue.qsize() + sum(len(h.entries) for h in self._held.values())

    async def _work(self) -> None:
        while (fresh := await self._take()) is not None:
            batch = self._due()
            for record in fresh:
                self._next = record.offset + 1
                entry = await self._loop._admit(record)
                if entry is None:
                    continue
                held = self._held.get(entry.envelope.aggregate_id)
                if held is not None:
                    held.entries.append(entry)  # behind its key's retry
                else:
                    batch.append(entry)
            if batch:
                await self._carry_out(batch)
            self._loop._done[self._tp] = self._committable()

    async def _take(self) -> list[ConsumerRecord] | None:
        """The records waiting (at least one, or none when a held key is due); None to stop."""
        timeout = None
        if self._held:
            timeout = max(0.0, min(h.due for h in self._held.values()) - time.monotonic())
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return []
        records: list[ConsumerRecord] = []
        item: ConsumerRecord | None = first
        while item is not None:
            records.append(item)
            if len(records) >= self._loop.max_batch or self.queue.empty():
                return records
            item = self.queue.get_nowait()
        return None

    def _due(self) -> list[_Entry]:
        now = time.monotonic()
        due: list[_Entry] = []
        for held in self._held.values():
            if held.due <= now:
                due.extend(held.entries)
                held.entries.clear()
        return due

    async def _carry_out(self, batch: list[_Entry]) -> None:
        outcomes = await self._loop._carry_out_together(batch)
        retried: set[str | None] = set()
        for entry, outcome in zip(batch, outcomes, strict=True):
            key = entry.envelope.aggregate_id
            held = self._held.get(key)
            if outcome.kind == "done":
                if held is not None and not held.entries:
                    del self._held[key]  # its retry went through
            elif outcome.kind == "dead_letter":
                await self._loop._dead_letter(entry.record, outcome.error or PermanentError("unknown"))
            elif outcome.kind == "retry" and key not in retried:
                retried.add(key)
                held = self._held.setdefault(key, _Held())
                held.attempt += 1
                if held.attempt >= self._loop.retry.attempts:
                    await self._loop._dead_letter(entry.record, outcome.error or PermanentError("unknown"))
                    held.attempt, held.due = 0, 0.0  # what waited behind it goes next
                else:
                    self._loop._retrying(entry, outcome.error, held.attempt)
                    held.entries.appendleft(entry)
                    held.due = time.monotonic() + self._loop.retry.delay(held.attempt - 1)
            else:  # waits behind a record of its key
                self._held.setdefault(key, _Held()).entries.append(entry)
        self._held = {
            key: _Held(deque(sorted(held.entries, key=lambda e: e.record.offset)), held.attempt, held.due)
            for key, held in self._held.items()
            if held.entries
        }

    def _committable(self) -> int:
        held: list[int] = [e.record.offset for h in self._held.values() for e in h.entries]
        return min([*held, self._next])

    async def stop(self) -> None:
        """Finish the batch in hand; the rest (and what is held for a retry) are fetched
        again by whoever owns the partition."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)
        await self._task


# While a transaction runs, the records handed over wait for it to end and then go as one,
# unless this many wait (a burst: they start a transaction beside it at once) or the first
# of them has waited PATIENCE seconds (the running one may be stuck on a lock). At a steady
# few hundred records a second, a transaction for every few records beside the running ones
# cost more per record and, the cores being shared, more wait: same sitting, 500 msg/s
# open loop, p99 lower in four pairs of five; closed loop no worse (docs/benchmarks.md).
COMPANY = 12
PATIENCE = 0.05


class _Together:
    """Carries out the batches the partition workers hand over, those that wait at the same
    moment as one: a single transaction for what several partitions have waiting, so under
    load more records share a batch's fixed statements, and a batch that comes alone goes
    at once. Up to `at_once` transactions run side by side when enough records wait (or
    have waited too long), so a batch that is slow (a lock wait) holds up the records it
    took, not the partitions' later ones. Each worker hands over its partition's records in
    order and waits for their outcomes, so a partition's order holds; partitions have no
    order between them."""

    def __init__(
        self, carry_out: Callable[[list[_Entry]], Awaitable[list[Outcome]]], max_batch: int, at_once: int
    ) -> None:
        self._carry_out = carry_out
        self._max_batch = max_batch
        self._at_once = at_once
        self._waiting: deque[tuple[list[_Entry], asyncio.Future[list[Outcome]]]] = deque()
        self._rounds_running = 0
        self._records_waiting = 0
        self._patience: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # referenced while they run

    async def carry_out(self, batch: list[_Entry]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        outcomes: asyncio.Future[list[Outcome]] = loop.create_future()
        self._waiting.append((batch, outcomes))
        self._records_waiting += len(batch)
        if self._rounds_running == 0 or self._records_waiting >= COMPANY:
            self._start_round()
        elif self._patience is None:
            self._patience = loop.call_later(PATIENCE, self._run_out_of_patience)
        return await outcomes

    def _start_round(self) -> None:
        if self._rounds_running < self._at_once and self._waiting:
            self._rounds_running += 1
            task = asyncio.create_task(self._rounds())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _run_out_of_patience(self) -> None:
        self._patience = None
        self._start_round()

    async def _rounds(self) -> None:
        try:
            await self._take_rounds()
        finally:
            # Counted down as the last round ends, with no await between the last look at
            # `_waiting` and here: a batch handed over after that look starts a round of its
            # own (a done-callback would count down a moment later, and such a batch would
            # wait for a round that never comes).
            self._rounds_running -= 1

    async def _take_rounds(self) -> None:
        while self._waiting:
            taken = [self._waiting.popleft()]
            size = len(taken[0][0])
            while self._waiting and size + len(self._waiting[0][0]) <= self._max_batch:
                size += len(self._waiting[0][0])
                taken.append(self._waiting.popleft())
            self._records_waiting -= size
            try:
                outcomes = await self._carry_out([entry for batch, _ in taken for entry in batch])
            except Exception as exc:
                for _, waiter in taken:
                    if not waiter.done():
                        waiter.set_exception(exc)
                continue
            start = 0
            for batch, waiter in taken:
                if not waiter.done():
                    waiter.set_result(outcomes[start : start + len(batch)])
                start += len(batch)


class ConsumerLoop:
    def __init__(
        self,
        *,
        name: str,
        kafka: KafkaConnection,
        topics: list[str],
        group_id: str | None,
        producer: AIOKafkaProducer,
        handler: Handler | None = None,
        pipeline: BatchHandler | None = None,
        retry: RetryPolicy | None = None,
        offset_reset: str = "earliest",
        max_queued: int = 500,
        max_batch: int = 100,
        at_once: int = 4,
        signer: CommandSigner | None = None,
        signed_topics: Iterable[str] = (),
        service: str = "",
    ) -> None:
        """`pipeline` carries out a batch of records at once (in at most `at_once`
        transactions side by side); a plain `handler` one record. `service` names the service in its dead letters (`frontdesk-<service> dead-letters`)."""
        self.name = name
        self.service = service
        self._topics = topics
        self._group_id = group_id
        if (handler is None) == (pipeline is None):
            raise ValueError(f"consumer {name} needs a handler or a pipeline")
        self._carry_out_batch = pipeline or one_by_one(handler)  # type: ignore[arg-type]
        self.max_batch = max_batch if pipeline is not None else 1
        # A pipeline's partitions share transactions; plain handlers share nothing, so each
        # partition carries out its own records, side by side with the others.
        self._together = _Together(self._carry_out, max_batch, at_once) if pipeline is not None else None
        self._producer = producer
        self.retry = retry or RetryPolicy()
        self._max_queued = max_queued
        self._signer = signer
        self._signed_topics = frozenset(signed_topics)
        if self._signed_topics and signer is None:
            raise ValueError(f"consumer {name} must check signatures but has no signer")
        self._consumer = AIOKafkaConsumer(
            **kafka,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset=offset_reset,
            max_poll_records=500,
        )
        self._workers: dict[TopicPartition, _PartitionWorker] = {}
        self._done: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lag_measured_at = 0.0
        self._committing: asyncio.Task[None] | None = None
        self._committed_at = 0.0
        self._lag_labels: set[tuple[str, str, str]] = set()
        self._first_fetched: dict[TopicPartition, int] = {}  # lag before anything is done
        for topic in topics:  # at zero from the start, so "dead letters appearing" sees the first
            CONSUMED.labels(name, topic, DEAD_LETTERED)

    async def start(self) -> None:
        self._consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer:{self.name}")

    async def wait_assigned(self, timeout: float = 30) -> None:
        """Block until partitions are assigned and their positions resolved."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assigned = self._consumer.assignment()
            if assigned:
                for tp in assigned:
                    await self._consumer.position(tp)
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"consumer {self.name} got no partitions of {self._topics}")

    async def stop(self) -> None:
        """Finish the messages in hand, commit what is done, leave the group."""
        self._stopping.set()
        if self._task:
            await self._task
        await self.release(set(self._workers))
        await self._consumer.stop()

    async def release(self, partitions: set[TopicPartition]) -> None:
        """Stop working on partitions (revoked, or shutting down) and commit their progress."""
        if self._committing is not None:
            await asyncio.gather(self._committing, return_exceptions=True)
        for tp in partitions:
            self._first_fetched.pop(tp, None)
            worker = self._workers.pop(tp, None)
            if worker is not None:
                await worker.stop()
        await self.commit(partitions)

    async def commit(self, partitions: set[TopicPartition]) -> None:
        if self._group_id is None:
            return
        offsets = {
            tp: self._done[tp]
            for tp in partitions
            if tp in self._done and self._committed.get(tp) != self._done[tp]
        }
        if offsets:
            await self._consumer.commit(offsets)
            self._committed.update(offsets)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batches = await self._consumer.getmany(timeout_ms=100)
                for tp, records in batches.items():
                    worker = self._workers.get(tp) or self._workers.setdefault(tp, _PartitionWorker(self, tp))
                    self._first_fetched.setdefault(tp, records[0].offset)
                    for record in records:
                        worker.queue.put_nowait(record)
                self._apply_backpressure()
                self._commit_beside()
                await self._measure_lag()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s loop error; carrying on", self.name)
                await asyncio.sleep(1)

    def _commit_beside(self) -> None:
        """Commit what is done beside the fetching, one commit at a time."""
        if time.monotonic() - self._committed_at < COMMIT_EVERY:
            return
        if self._committing is None or self._committing.done():
            self._committed_at = time.monotonic()
            self._committing = asyncio.create_task(self._commit_done(), name=f"commit:{self.name}")

    async def _commit_done(self) -> None:
        try:
            await self.commit(set(self._workers))
        except Exception as exc:
            log.warning("consumer %s could not commit its offsets (%r); trying again", self.name, exc)

    async def _measure_lag(self) -> None:
        """Each assigned partition's records not yet carried out, at most once a second:
        what on-call looks at first when replies stop arriving."""
        if time.monotonic() - self._lag_measured_at < 1:
            return
        self._lag_measured_at = time.monotonic()
        group = self._group_id or self.name
        measured: set[tuple[str, str, str]] = set()
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            done = self._done.get(tp, self._first_fetched.get(tp))
            if done is None:  # nothing fetched yet: from where fetching starts
                try:
                    done = await asyncio.wait_for(self._consumer.position(tp), 1)
                except TimeoutError:
                    continue
            labels = (group, tp.topic, str(tp.partition))
            CONSUMER_LAG.labels(*labels).set(max(0, highwater - done))
            measured.add(labels)
        for gone in self._lag_labels - measured:  # revoked: another member reports it now
            CONSUMER_LAG.remove(*gone)
        self._lag_labels = measured

    def _apply_backpressure(self) -> None:
        """Stop fetching a partition whose worker is far behind, until it catches up."""
        paused = self._consumer.paused()
        for tp, worker in self._workers.items():
            backlog = worker.backlog
            if backlog >= self._max_queued and tp not in paused:
                self._consumer.pause(tp)
            elif backlog < self._max_queued // 2 and tp in paused:
                self._consumer.resume(tp)

    async def _admit(self, record: ConsumerRecord) -> _Entry | None:
        """The record's envelope, or None when it is dead-lettered unread (unsigned, not JSON)."""
        if self._signer is not None and record.topic in self._signed_topics:
            try:
                self._signer.check(record.value, record.headers)
            except PermanentError as exc:
                await self._dead_letter(record, exc)
                return None
        try:
            envelope = Envelope.model_validate_json(record.value)
        except ValidationError as exc:
            await self._dead_letter(record, exc)
            return None
        return _Entry(record, _after_last_hop(envelope, record))

    async def _carry_out_together(self, batch: list[_Entry]) -> list[Outcome]:
        if self._together is None:
            return await self._carry_out(batch)
        return await self._together.carry_out(batch)

    async def _carry_out(self, batch: list[_Entry]) -> list[Outcome]:
        """The outcome of each record; a batch whose transaction failed as a whole is
        carried out again record by record, so one bad record cannot sink the others."""
        started = time.perf_counter()
        try:
            outcomes = await self._carry_out_batch([entry.envelope for entry in batch])
        except Exception as exc:
            if len(batch) == 1:
                outcomes = [failed(exc)]
            else:
                log.warning("consumer %s: a batch of %d failed (%r); one by one", self.name, len(batch), exc)
                outcomes = await self._each_alone(batch)
        elapsed = (time.perf_counter() - started) / len(batch)
        for entry, outcome in zip(batch, outcomes, strict=True):
            if outcome.kind == "done":
                CONSUMED.labels(self.name, entry.record.topic, "ok").inc()
                HANDLE_SECONDS.labels(self.name).observe(elapsed)
        return outcomes

    async def _each_alone(self, batch: list[_Entry]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        waiting: set[str | None] = set()
        for entry in batch:
            key = entry.envelope.aggregate_id
            if key in waiting:
                outcomes.append(WAIT)
                continue
            try:
                [outcome] = await self._carry_out_batch([entry.envelope])
            except Exception as exc:
                outcome = failed(exc)
            if outcome.kind == "retry":
                waiting.add(key)
            outcomes.append(outcome)
        return outcomes

    def _retrying(self, entry: _Entry, error: BaseException | None, attempt: int) -> None:
        CONSUMED.labels(self.name, entry.record.topic, "retried").inc()
        log.warning("consumer %s: %s failed (%r), retry %d", self.name, entry.envelope.type, error, attempt)

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException) -> None:
        log.error("consumer %s: dead-lettering %s@%d: %r", self.name, record.topic, record.offset, exc)
        headers = list(record.headers or ()) + [
            ("error", repr(exc)[:2000].encode()),
            ("error_type", type(exc).__name__.encode()),
            ("original_topic", record.topic.encode()),
            ("original_partition", str(record.partition).encode()),
            ("original_offset", str(record.offset).encode()),
            ("consumer", self.name.encode()),
            ("service", self.service.encode()),
        ]
        await self._producer.send_and_wait(
            dead_letter(record.topic), value=record.value, key=record.key, headers=headers
        )
        CONSUMED.labels(self.name, record.topic, DEAD_LETTERED).inc()


def _after_last_hop(envelope: Envelope, record: ConsumerRecord) -> Envelope:
    """The envelope's trace continued from the record's `traceparent` header: the relay
    names its own span there (the envelope, signed when written, names the writer's)."""
    for name, value in record.headers:
        if name == "traceparent":
            hop = value.decode()
            return (
                envelope if hop == envelope.traceparent else envelope.model_copy(update={"traceparent": hop})
            )
    return envelope
