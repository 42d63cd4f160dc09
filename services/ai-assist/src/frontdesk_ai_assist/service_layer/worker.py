"""The turn worker: rounds on a timer, and at once when a message due now arrives; each
conversation with due messages is answered in its own task, a few at a time."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from uuid import UUID

from ..projections import conversations as store
from .deps import Dependencies
from .turns import answer_conversation

log = logging.getLogger(__name__)


class TurnWorker:
    """Runs rounds: on a timer, and at once when a message due now arrives."""

    def __init__(self, deps: Dependencies, concurrency: int, retry_after: timedelta = timedelta(seconds=5)):
        self._deps = deps
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._retry_after = retry_after
        self._working: dict[UUID, asyncio.Task[None]] = {}
        self._woken: asyncio.Task[int] | None = None
        self._stopped = False

    def wake(self) -> None:
        if not self._stopped and (self._woken is None or self._woken.done()):
            self._woken = asyncio.get_running_loop().create_task(self.round())

    async def round(self) -> int:
        if self._stopped:
            return 0
        async with self._deps.unit_of_work() as uow:
            due = await store.due_conversations(uow.session, self._deps.clock(), self._concurrency * 4)
        started = 0
        for conversation_id in due:
            if conversation_id not in self._working:
                task = asyncio.get_running_loop().create_task(self._answer(conversation_id))
                self._working[conversation_id] = task
                started += 1
        return started

    async def stop(self) -> None:
        self._stopped = True
        if self._woken is not None:
            self._woken.cancel()
        tasks = list(self._working.values())
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _answer(self, conversation_id: UUID) -> None:
        try:
            async with self._slots:
                await answer_conversation(self._deps, conversation_id)
        except Exception as exc:
            log.exception("answering conversation %s failed; it is retried", conversation_id)
            await self._later(conversation_id, exc)
        finally:
            self._working.pop(conversation_id, None)

    async def _later(self, conversation_id: UUID, exc: Exception) -> None:
        now: datetime = self._deps.clock()
        try:
            async with self._deps.unit_of_work() as uow:
                await store.retry_later(
                    uow.session,
                    conversation_id,
                    now,
                    now + self._retry_after,
                    self._deps.max_attempts,
                    repr(exc),
                )
                await uow.commit()
        except Exception:
            log.exception("could not put off conversation %s", conversation_id)
