"""Answering customers' messages when they are due (at once, or when a `no_staff_reply`
timer runs out): the turn worker.

A round finds conversations with due messages; each is worked on in its own
transaction holding its dialogue row (FOR NO KEY UPDATE SKIP LOCKED), so one instance
at a time answers a conversation, in order, and several conversations go at once.
Every message is checked again when due (a staff member may have answered or taken
the conversation meanwhile). The answer and a handoff are messaging commands written
to the outbox in that transaction, with ids derived from the message, so a retried
round changes nothing twice; booking commands name their booking by the message too.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from frontdesk_contracts import Envelope, type_name
from frontdesk_contracts import messaging as m
from frontdesk_contracts.assistant import assistant_id_for
from frontdesk_platform.unit_of_work import UnitOfWork
from prometheus_client import Counter, Histogram

from ..adapters import dialogues
from ..domain import Dialogue
from ..domain.speaking import quiet_reason
from ..projections import conversations as store
from .deps import Dependencies
from .outcome import Outcome, Talk
from .replying import respond
from .shops import Shop, customer_pets

log = logging.getLogger(__name__)
SOURCE = "frontdesk.ai-assist"
TURNS = Counter("frontdesk_assistant_turns_total", "Customer messages looked at, by outcome.", ["outcome"])
REPLY_SECONDS = Histogram(
    "frontdesk_assistant_reply_seconds",
    "From a customer's message to the assistant's answer being queued (answered ones only).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900),
)
WORK_SECONDS = Histogram(
    "frontdesk_assistant_turn_seconds",
    "Time to work out one answer (understanding, booking calls).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Quiet because a person has the conversation: the assistant's half-finished talk is dropped.
_PERSON = ("handed_off", "assigned", "staff_active", "staff_replied")


async def answer_conversation(deps: Dependencies, conversation_id: UUID) -> int:
    """Answer the conversation's due messages; returns how many were looked at."""
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        locked = await store.lock_dialogue(uow.session, conversation_id)
        if locked is None:
            return 0
        due = await store.due_turns(uow.session, conversation_id, now)
        if not due:
            return 0
        shop = await deps.shops.get(uow.session, due[0].shop_id)
        conversation = await store.conversation(uow.session, conversation_id)
        if shop is None or conversation is None:
            for turn in due:
                await store.settle_turn(uow.session, turn, "quiet", "unknown_shop", now)
            await uow.commit()
            return len(due)
        pets = tuple(await customer_pets(uow.session, conversation.customer_id))
        fresh = locked.updated_at is None or now - locked.updated_at > deps.dialogue_memory
        dialogue = Dialogue() if fresh else dialogues.load(locked.state, shop.context, pets)
        handed_off_at = locked.handed_off_at
        language = None if fresh else locked.state.get("language")
        for turn in due:
            state = store.state_of(conversation, handed_off_at)
            reason = quiet_reason(shop.settings, state, turn.sent_at, now, shop.context.hours, shop.timezone)
            if reason is not None:
                dialogue = Dialogue() if reason in _PERSON else dialogue
                await store.settle_turn(uow.session, turn, "quiet", reason, now)
                TURNS.labels(f"quiet_{reason}").inc()
                continue
            talk = Talk(shop, conversation_id, conversation.customer_id, turn.seq, pets, now, language)
            started = asyncio.get_running_loop().time()
            outcome = await respond(deps, talk, turn.text, dialogue)
            WORK_SECONDS.observe(asyncio.get_running_loop().time() - started)
            _carry_out(uow, shop, talk, outcome)
            if outcome.handoff is not None:
                handed_off_at = now
            dialogue, language = outcome.dialogue, outcome.language
            await store.settle_turn(uow.session, turn, "answered", outcome.kind, deps.clock())
            TURNS.labels(outcome.kind).inc()
            REPLY_SECONDS.observe(max((deps.clock() - turn.sent_at).total_seconds(), 0.0))
        kept = {**dialogues.dump(dialogue), "language": language}
        await store.save_dialogue(uow.session, conversation_id, kept, handed_off_at, now)
        await uow.commit()
    return len(due)


def _carry_out(uow: UnitOfWork, shop: Shop, talk: Talk, outcome: Outcome) -> None:
    actor = m.Actor(user_id=assistant_id_for(shop.shop_id), role="staff", shop_id=shop.shop_id)
    key = f"assistant:{talk.seq}"
    say = m.SendMessage(
        conversation_id=talk.conversation_id,
        client_msg_id=key,
        text=outcome.text,
        actor=actor,
        as_assistant=True,
    )
    uow.publish(_command(talk, shop, f"{key}:say", say))
    if outcome.handoff is not None:
        hand_off = m.AssignConversation(
            conversation_id=talk.conversation_id,
            actor=actor,
            assignee_id=None,
            handoff_note=outcome.handoff[:2000],
            next_in_rotation=True,
        )
        uow.publish(_command(talk, shop, f"{key}:handoff", hand_off))


def _command(talk: Talk, shop: Shop, name: str, payload: m.ConversationCommand | m.SendMessage) -> Envelope:
    return Envelope(
        id=uuid5(talk.conversation_id, name),
        type=type_name(type(payload)),
        source=SOURCE,
        tenant_id=shop.shop_id,
        aggregate_id=str(talk.conversation_id),
        data=payload.model_dump(mode="json"),
    )


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
