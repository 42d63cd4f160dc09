"""Carrying out a service's commands exactly once and answering them.

A `CommandTable` maps command types to (contract, handler). Handling one: validate it
(an invalid or unknown command is a permanent error: dead-lettered, never retried),
skip it if its tracking record exists, run the handler in a savepoint, and queue the
verdict — accepted, or rejected with the `Refused` code and message, in which case the
handler's changes are undone — on the service's replies topic, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from frontdesk_contracts import Contract, Envelope, contract_type
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from .consumer import PermanentError
from .unit_of_work import UnitOfWork

D = TypeVar("D")
Handler = Callable[[AsyncSession, D, Any], Awaitable[None]]


class Refused(Exception):
    """The command is not allowed or not valid as asked; nothing it did is kept."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CommandTable(Generic[D]):
    consumer: str  # the tracking-record name
    source: str  # the envelope source of the replies
    accepted: str  # reply type names: their contracts take command_id, command_type, aggregate_id
    rejected: str  # (and code, message)
    handlers: dict[str, tuple[type[Contract], Handler[D]]]

    async def handle(self, unit_of_work: Callable[[], UnitOfWork], deps: D, command: Envelope) -> None:
        entry = self.handlers.get(command.type)
        if entry is None:
            raise PermanentError(f"{self.source} does not handle {command.type}")
        model, handler = entry
        try:
            cmd = model.model_validate(command.data)
        except ValidationError as exc:
            raise PermanentError(f"invalid {command.type}: {exc}") from exc
        async with unit_of_work() as uow:
            if await uow.already_processed(self.consumer, command.id):
                return
            verdict: dict[str, Any] = {
                "command_id": command.id,
                "command_type": command.type,
                "aggregate_id": command.aggregate_id,
            }
            name = self.accepted
            try:
                async with uow.savepoint():
                    await handler(uow.session, deps, cmd)
            except Refused as refused:
                name = self.rejected
                verdict |= {"code": refused.code, "message": refused.message}
            reply = contract_type(name).parse(verdict).model_dump(mode="json")
            uow.publish(
                command.caused(type=name, source=self.source, aggregate_id=command.aggregate_id, data=reply)
            )
            await uow.mark_processed(self.consumer, command.id)
            await uow.commit()
