"""One customer message → the assistant's answer: understand it, decide, carry it out.

Health worries and requests for a person always go to a person. A question the
knowledge base cannot answer, or a message the rules cannot place, goes to a person
too — unless a language model is configured and answers it from the shop's facts. With
a model, knowledge-base answers are also worded for the question (never losing a number).
"""

from __future__ import annotations

from dataclasses import replace

from ..domain import (
    Ask,
    Book,
    Cancel,
    ConfirmService,
    Dialogue,
    HandOff,
    ProposeSlots,
    Reply,
    Reschedule,
    Understanding,
    decide,
    understand,
)
from ..domain.facts import shop_facts
from ..domain.language import has_words
from . import booking_steps as steps
from .deps import Dependencies
from .outcome import Outcome, Talk


async def respond(deps: Dependencies, talk: Talk, text: str, dialogue: Dialogue) -> Outcome:
    context = talk.shop.context
    u = understand(text, context, talk.now, talk.pets)
    if talk.language is not None and not has_words(text):
        u = replace(u, language=talk.language)
    outcome = await _carry_out(deps, talk, u, dialogue)
    return replace(outcome, language=u.language)


async def _carry_out(deps: Dependencies, talk: Talk, u: Understanding, dialogue: Dialogue) -> Outcome:
    context = talk.shop.context
    decision = decide(u, context, dialogue)
    match decision:
        case HandOff():
            return await _hand_off(deps, talk, u, decision, dialogue)
        case Reply(kind="declined"):
            return Outcome("declined", decision.text, Dialogue(dialogue.wanted))
        case Reply(kind="answer") if deps.model is not None:
            worded = await deps.model.reword(u.text, decision.text, u.language)
            return Outcome("answer", worded or decision.text, dialogue)
        case Reply():
            return Outcome(decision.kind, decision.text, dialogue)
        case Ask():
            kept = dialogue.proposed if decision.missing == "option" else ()
            return Outcome(f"ask_{decision.missing}", decision.text, Dialogue(decision.wanted, kept))
        case ProposeSlots():
            return await steps.propose(deps, talk, u, decision)
        case ConfirmService():
            return steps.confirm_service(talk, u, decision)
        case Book():
            return await steps.book(deps, talk, u, decision, dialogue)
        case Reschedule():
            return await steps.reschedule(deps, talk, u, decision, dialogue)
        case Cancel():
            return await steps.cancel(deps, talk, u, decision)
    raise AssertionError(f"unknown decision {decision!r}")


async def _hand_off(
    deps: Dependencies, talk: Talk, u: Understanding, decision: HandOff, dialogue: Dialogue
) -> Outcome:
    if deps.model is not None and decision.reason in ("no_answer", "unsure") and u.intent in ("faq", "other"):
        context = talk.shop.context
        facts = [*context.faq, *shop_facts(context)]
        answer = await deps.model.answer(u.text, context.label(u.language), facts, u.language)
        if answer:
            return Outcome("model_answer", answer, dialogue)
    return Outcome(f"handoff_{decision.reason}", decision.reply, Dialogue(), decision.summary)
