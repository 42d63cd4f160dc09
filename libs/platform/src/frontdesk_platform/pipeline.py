"""One way for every consumer to carry out what it receives, exactly once.

For a batch of records in one transaction: parse each into its contract type, skip what
the consumer's tracking records say was done, run the handler (in a savepoint once a
batch had a failure; see `_transaction`; a refusal raised before the handler wrote
anything needs none), answer a
command (accepted with what the handler returned, or rejected with a `Refused`'s code),
and write the batch's tracking records. A record that fails is undone alone: a data
error is permanent at once (a command is answered `invalid_data`, an event is
dead-lettered); a transient one is handed back for a retry, and the later records of
its key wait with it so per-key order holds. Services write handlers, not plumbing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from frontdesk_contracts import Contract, Envelope, contract_type
from pydantic import ValidationError

from .faults import DONE, WAIT, Outcome, PermanentError, failed, is_transient, reason
from .observability import COMMAND_VERDICTS, current_traceparent, handling
from .reads import Read, Rows
from .refusals import Refused
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

C = TypeVar("C")
D = TypeVar("D")
Handler = Callable[[C, Any], Awaitable[Any]]
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[list[Outcome]]]


@dataclass(frozen=True)
class Preload:
    """What a batch's parsed messages will need (e.g. all their aggregates), read in the
    batch's first round trip along with its tracking records: `reads` names the reads
    (reads.read_together), `take` gets their rows and may read more."""

    reads: Callable[[UnitOfWork, Sequence[Any]], Awaitable[Mapping[str, Read]]]
    take: Callable[[UnitOfWork, Sequence[Any], Mapping[str, Rows]], Awaitable[None]]


@dataclass(frozen=True)
class Route(Generic[C]):
    """A handler and the contract its messages are parsed into (None: it gets the envelope)."""

    handler: Handler[C]
    contract: type[Contract] | None = None


@dataclass(frozen=True)
class Work(Generic[D]):
    """What a handler that needs no context of its own works with."""

    deps: D
    uow: UnitOfWork
    message: Envelope

    @property
    def session(self) -> Any:
        return self.uow.session


def work(deps: D) -> Callable[[UnitOfWork, Envelope], Work[D]]:
    return lambda uow, message: Work(deps, uow, message)


def _aggregate(command: Envelope, cmd: Any) -> dict[str, Any]:
    return {"aggregate_id": command.aggregate_id}


@dataclass(frozen=True)
class Answers:
    """How a service answers its commands: the reply types, the ids both verdicts repeat
    from the command (`echo`), and a hook that builds a rejection of its own (booking's
    alternative slots)."""

    source: str
    accepted: str
    rejected: str
    echo: Callable[[Envelope, Any], dict[str, Any]] = _aggregate
    rejection: Callable[[dict[str, Any], Refused], tuple[str, Contract]] | None = None

    def accept(self, uow: UnitOfWork, command: Envelope, cmd: Any, result: Mapping[str, Any] | None) -> None:
        fields = self._fields(command, cmd) | dict(result or {})
        self._reply(uow, command, self.accepted, contract_type(self.accepted).parse(fields))
        self._count(uow, command, "accepted")

    def reject(self, uow: UnitOfWork, command: Envelope, cmd: Any, refused: Refused) -> None:
        fields = self._fields(command, cmd) | {"code": refused.code, "message": refused.message}
        if self.rejection is not None:
            name, reply = self.rejection(fields, refused)
        else:
            name, reply = self.rejected, contract_type(self.rejected).parse(fields)
        self._reply(uow, command, name, reply)
        self._count(uow, command, refused.code)

    def _count(self, uow: UnitOfWork, command: Envelope, verdict: str) -> None:
        # After the commit: a batch undone and carried out again must count each verdict once.
        counter = COMMAND_VERDICTS.labels(self.source, command.type, verdict)
        uow.after_commit(counter.inc)

    def _fields(self, command: Envelope, cmd: Any) -> dict[str, Any]:
        return {"command_id": command.id, "command_type": command.type, **self.echo(command, cmd)}

    def _reply(self, uow: UnitOfWork, command: Envelope, name: str, reply: Contract) -> None:
        uow.publish(
            command.caused(
                type=name,
                source=self.source,
                aggregate_id=command.aggregate_id,
                traceparent=current_traceparent() or command.traceparent,
                data=reply.model_dump(mode="json"),
            )
        )


@dataclass(frozen=True)
class _Item:
    index: int
    message: Envelope
    route: Route[Any]
    body: Any


# After a batch had to be undone and done again, this many batches use savepoints from the
# start: a consumer whose commands are often refused (booking under contention) does not
# pay for every batch twice.
CAREFUL_BATCHES = 20


class _Undo(Exception):
    """A record failed in a batch without savepoints: undo all of it, do it again carefully."""


class Pipeline(Generic[C]):
    """A consumer's routes (by message type, or a function of it: None means not ours),
    the context its handlers get, and for a command consumer how it answers."""

    def __init__(
        self,
        routes: Mapping[str, Route[C]] | Callable[[str], Route[C] | None],
        context: Callable[[UnitOfWork, Envelope], C],
        answers: Answers | None = None,
        preload: Preload | None = None,
    ) -> None:
        self._routes = routes.get if isinstance(routes, Mapping) else routes
        self._context = context
        self.answers = answers
        self._preload = preload
        self._careful = 0  # batches still to be carried out with savepoints

    def bind(self, consumer: str, unit_of_work: Callable[[], UnitOfWork]) -> BatchHandler:
        """The batch handler of the consumer registered as `consumer` (its tracking name)."""

        async def carry_out(batch: Sequence[Envelope]) -> list[Outcome]:
            return await self.carry_out(consumer, unit_of_work, batch)

        return carry_out

    async def carry_out(
        self, consumer: str, unit_of_work: Callable[[], UnitOfWork], batch: Sequence[Envelope]
    ) -> list[Outcome]:
        """Carry out a batch in one transaction; an outcome for each record, in order.
        Raises only when the transaction as a whole failed (nothing of it is kept)."""
        outcomes: list[Outcome] = [DONE] * len(batch)
        items: list[_Item] = []
        for index, message in enumerate(batch):
            parsed = self._parse(consumer, message)
            if isinstance(parsed, Outcome):
                outcomes[index] = parsed
            elif parsed is not None:
                items.append(_Item(index, message, *parsed))
        if not items:
            return outcomes
        if self._careful == 0:
            try:
                return await self._transaction(consumer, unit_of_work, items, outcomes, careful=False)
            except _Undo:
                self._careful = CAREFUL_BATCHES
        self._careful = max(0, self._careful - 1)
        return await self._transaction(consumer, unit_of_work, items, outcomes, careful=True)

    async def _transaction(
        self,
        consumer: str,
        unit_of_work: Callable[[], UnitOfWork],
        items: list[_Item],
        parsed: list[Outcome],
        careful: bool,
    ) -> list[Outcome]:
        """One transaction for the batch. Careful: each record in a savepoint, so a failing
        one is undone alone. Not careful: no savepoints (two statements fewer a record),
        and the first failure undoes the whole transaction (_Undo) to be done carefully."""
        outcomes = list(parsed)
        async with unit_of_work() as uow:
            bodies = [item.body for item in items]
            reads = await self._preload.reads(uow, bodies) if self._preload is not None else {}
            seen, found = await uow.processed_among(consumer, {item.message.id for item in items}, reads)
            if self._preload is not None:
                await self._preload.take(uow, bodies, found)
            waiting: set[str | None] = set()  # keys behind a record that is retried
            carried_out: list[UUID] = []
            for item in items:
                if item.message.aggregate_id in waiting:
                    outcomes[item.index] = WAIT
                    continue
                if item.message.id in seen:  # a redelivery: it changed what it had to the first time
                    if self.answers is not None:
                        self.answers.accept(uow, item.message, item.body, {"duplicate": True})
                    continue
                outcome = await self._one(uow, item, careful)
                outcomes[item.index] = outcome
                if outcome.kind == "retry":
                    waiting.add(item.message.aggregate_id)
                elif outcome.kind == "done":
                    seen.add(item.message.id)
                    carried_out.append(item.message.id)
            try:
                await uow.writes.flush()  # the batch's staged read-model writes
            except Exception as exc:
                if careful:
                    raise
                raise _Undo from exc  # which command's write failed? each in a savepoint will tell
            uow.mark_all_processed(consumer, carried_out)  # written with the commit
            try:
                await uow.commit()  # the batch's events are written only now
            except Exception as exc:
                if careful or is_transient(exc):
                    raise
                raise _Undo from exc  # an event the database refuses: whose? savepoints will tell
        return outcomes

    async def carry_out_one(
        self, consumer: str, unit_of_work: Callable[[], UnitOfWork], message: Envelope
    ) -> None:
        """One message on its own (a test, a tool); raises what it failed with."""
        [outcome] = await self.carry_out(consumer, unit_of_work, [message])
        if outcome.error is not None:
            raise outcome.error

    def _parse(self, consumer: str, message: Envelope) -> Outcome | tuple[Route[C], Any] | None:
        route = self._routes(message.type)
        if route is None:
            if self.answers is None:
                return None  # an event this consumer has no use for
            return failed(PermanentError(f"{consumer} does not handle {message.type}"))
        if route.contract is None:
            return route, message
        try:
            return route, route.contract.model_validate(message.data)
        except ValidationError as exc:
            return failed(PermanentError(f"invalid {message.type}: {exc}"))

    async def _one(self, uow: UnitOfWork, item: _Item, careful: bool) -> Outcome:
        message, answers = item.message, self.answers
        with handling(f"handle {message.type}", message.traceparent, str(message.correlation_id)):
            try:
                if careful:
                    async with uow.savepoint():
                        result = await item.route.handler(self._context(uow, message), item.body)
                else:
                    try:
                        result = await item.route.handler(self._context(uow, message), item.body)
                    except Refused as refused:
                        if refused.before_writing:
                            raise  # nothing to undo: answered below, the batch goes on
                        raise _Undo from refused
                    except Exception as exc:
                        raise _Undo from exc
            except _Undo:
                raise
            except Refused as refused:
                if answers is not None:
                    answers.reject(uow, message, item.body, refused)
                return DONE
            except Exception as exc:
                if answers is None or is_transient(exc):
                    return failed(exc)
                # A data error fails the same way every time: the sender hears so at once.
                log.error("%s %s cannot be carried out: %r", message.type, message.id, exc)
                answers.reject(uow, message, item.body, Refused("invalid_data", _unstorable(exc)))
                return DONE
            if answers is not None:
                answers.accept(uow, message, item.body, result)
            return DONE


def _unstorable(exc: BaseException) -> str:
    return f"the request holds data that cannot be stored ({reason(exc)}); change it, retrying will not help"
