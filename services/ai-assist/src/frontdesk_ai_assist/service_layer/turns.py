"""Answering one conversation's customer messages that are due (at once, or when a
`no_staff_reply` timer runs out); `worker` runs this for every conversation with due ones.

A conversation is claimed for a while (one worker at a time answers it, message by
message, in order), and no transaction stays open while the answer is worked out: the
booking service is called in between, and an open transaction would hold back every
outbox relay of the database cluster. Every message is checked again when due (a
staff member may have answered or taken the conversation meanwhile). The answer and a
handoff are messaging commands written to the outbox with the turn's outcome, with ids
derived from the message, so a retried round changes nothing twice; booking commands
name their booking by the message too.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4, uuid5

from frontdesk_contracts import Envelope, type_name
from frontdesk_contracts import messaging as m
from frontdesk_contracts.assistant import assistant_id_for
from frontdesk_platform.unit_of_work import UnitOfWork
from prometheus_client import Counter, Histogram

from ..adapters import dialogues
from ..domain import Dialogue, Language, Pet
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


@dataclass(frozen=True)
class _Claimed:
    shop: Shop
    conversation: store.ConversationRow
    pets: tuple[Pet, ...]
    dialogue: Dialogue
    language: Language | None
    handed_off_at: datetime | None
    due: list[store.Turn]


@dataclass(frozen=True)
class _Settled:
    turn: store.Turn
    status: str
    kind: str
    outcome: Outcome | None = None


async def answer_conversation(deps: Dependencies, conversation_id: UUID) -> int:
    """Answer the conversation's due messages; returns how many were looked at.

    Three steps: claim the conversation and read what is needed (one short transaction);
    work the answers out, calling the booking service (no transaction open); record the
    answers, the outbox commands and the dialogue, and give the claim back (one short
    transaction). A worker that dies holding a claim loses it when the claim runs out."""
    now, claim = deps.clock(), uuid4()
    async with deps.unit_of_work() as uow:
        claimed = await _claim(uow, deps, conversation_id, claim, now)
        await uow.commit()
    if claimed is None:
        return 0
    try:
        settled = await _work_out(deps, conversation_id, claimed, now)
    except BaseException:
        async with deps.unit_of_work() as uow:
            await store.release_dialogue(uow.session, conversation_id, claim)
            await uow.commit()
        raise
    return await _record(deps, conversation_id, claim, claimed.shop, settled, now)


async def _claim(
    uow: UnitOfWork, deps: Dependencies, conversation_id: UUID, claim: UUID, now: datetime
) -> _Claimed | None:
    session = uow.session
    kept = await store.claim_dialogue(session, conversation_id, claim, now, now + deps.claim_for)
    if kept is None:
        return None
    due = await store.due_turns(session, conversation_id, now)
    shop = await deps.shops.get(session, due[0].shop_id) if due else None
    conversation = await store.conversation(session, conversation_id)
    if shop is None or conversation is None:
        for turn in due:
            await store.settle_turn(session, turn, "quiet", "unknown_shop", now)
        await store.release_dialogue(session, conversation_id, claim)
        return None
    pets = tuple(await customer_pets(session, conversation.customer_id))
    fresh = kept.updated_at is None or now - kept.updated_at > deps.dialogue_memory
    dialogue = Dialogue() if fresh else dialogues.load(kept.state, shop.context, pets)
    language = None if fresh else kept.state.get("language")
    return _Claimed(shop, conversation, pets, dialogue, language, kept.handed_off_at, due)


async def _work_out(
    deps: Dependencies, conversation_id: UUID, c: _Claimed, now: datetime
) -> tuple[list[_Settled], Dialogue, Language | None, datetime | None]:
    shop, dialogue, language, handed_off_at = c.shop, c.dialogue, c.language, c.handed_off_at
    settled: list[_Settled] = []
    for turn in c.due:
        state = store.state_of(c.conversation, handed_off_at)
        reason = quiet_reason(shop.settings, state, turn.sent_at, now, shop.context.hours, shop.timezone)
        if reason is not None:
            dialogue = Dialogue() if reason in _PERSON else dialogue
            settled.append(_Settled(turn, "quiet", reason))
            continue
        talk = Talk(shop, conversation_id, c.conversation.customer_id, turn.seq, c.pets, now, language)
        started = time.perf_counter()
        outcome = await respond(deps, talk, turn.text, dialogue)
        WORK_SECONDS.observe(time.perf_counter() - started)
        if outcome.handoff is not None:
            handed_off_at = now
        dialogue, language = outcome.dialogue, outcome.language
        settled.append(_Settled(turn, "answered", outcome.kind, outcome))
    return settled, dialogue, language, handed_off_at


async def _record(
    deps: Dependencies,
    conversation_id: UUID,
    claim: UUID,
    shop: Shop,
    worked_out: tuple[list[_Settled], Dialogue, Language | None, datetime | None],
    now: datetime,
) -> int:
    settled, dialogue, language, handed_off_at = worked_out
    async with deps.unit_of_work() as uow:
        if not await store.release_dialogue(uow.session, conversation_id, claim):
            log.warning("the claim on conversation %s ran out; another worker answers it", conversation_id)
            return 0
        answered_at = deps.clock()
        for s in settled:
            if s.outcome is not None:
                _carry_out(uow, shop, conversation_id, s.turn.seq, s.outcome)
                REPLY_SECONDS.observe(max((answered_at - s.turn.sent_at).total_seconds(), 0.0))
            await store.settle_turn(uow.session, s.turn, s.status, s.kind, answered_at)
            TURNS.labels(s.kind if s.outcome is not None else f"quiet_{s.kind}").inc()
        kept = {**dialogues.dump(dialogue), "language": language}
        await store.save_dialogue(uow.session, conversation_id, kept, handed_off_at, now)
        await uow.commit()
    return len(settled)


def _carry_out(uow: UnitOfWork, shop: Shop, conversation_id: UUID, seq: int, outcome: Outcome) -> None:
    """The answer (and the handoff) as messaging commands, in the outbox of this transaction."""
    actor = m.Actor(user_id=assistant_id_for(shop.shop_id), role="staff", shop_id=shop.shop_id)
    key = f"assistant:{seq}"
    say = m.SendMessage(
        conversation_id=conversation_id, client_msg_id=key, text=outcome.text, actor=actor, as_assistant=True
    )
    uow.publish(_command(conversation_id, shop, f"{key}:say", say))
    if outcome.handoff is not None:
        hand_off = m.AssignConversation(
            conversation_id=conversation_id,
            actor=actor,
            assignee_id=None,
            handoff_note=outcome.handoff[:2000],
            next_in_rotation=True,
        )
        uow.publish(_command(conversation_id, shop, f"{key}:handoff", hand_off))


def _command(
    conversation_id: UUID, shop: Shop, name: str, payload: m.ConversationCommand | m.SendMessage
) -> Envelope:
    return Envelope(
        id=uuid5(conversation_id, name),
        type=type_name(type(payload)),
        source=SOURCE,
        tenant_id=shop.shop_id,
        aggregate_id=str(conversation_id),
        data=payload.model_dump(mode="json"),
    )
