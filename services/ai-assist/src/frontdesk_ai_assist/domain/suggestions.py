"""Replies staff can send with one tap: up to three for a customer message, best first.

They come from what the message asks (a booking, a move, a health worry…) and from
the knowledge base's best answers, so a staff member answering from a phone at the
counter rarely types. Staff read them before sending: a suggestion may be a little
off, which is why a lower knowledge confidence is accepted here than for the
assistant's own answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from . import replies
from .decision import Dialogue
from .language import Language
from .shop import Pet, ShopContext
from .understanding import Understanding, understand

MAX_SUGGESTIONS = 3
SUGGESTION_CONFIDENCE = 0.35


def suggest_replies(
    text: str,
    shop: ShopContext,
    now: datetime,
    pets: Sequence[Pet] = (),
    dialogue: Dialogue | None = None,
    limit: int = MAX_SUGGESTIONS,
) -> list[str]:
    u = understand(text, shop, now, pets)
    found = _for_intent(u, shop, dialogue or Dialogue())
    if u.intent not in ("medical", "greeting", "thanks", "confirm", "decline"):
        found += [
            a.text
            for a in shop.knowledge.search(text, u.language, limit=limit)
            if a.confidence >= SUGGESTION_CONFIDENCE
        ]
    return list(dict.fromkeys(found))[:limit]


def _for_intent(u: Understanding, shop: ShopContext, dialogue: Dialogue) -> list[str]:
    zh = u.language == "zh"
    if u.intent == "medical":
        return [replies.medical(u.language, u.pet, shop.kind)]
    if u.intent == "human":
        return [
            "您好，我是店里的工作人员，请问有什么可以帮您？"
            if zh
            else "Hi, this is the shop's staff here. How can I help?"
        ]
    if u.intent == "faq" and u.answer is not None:
        return [u.answer.text]
    if u.intent in ("book", "reschedule"):
        return _booking(u, shop)
    if u.intent == "cancel":
        said = replies.when_text(u.when, u.language) if u.when else ""
        if zh:
            return [f"好的，已为您取消{said}的预约。" if said else "好的，请问是取消哪一天的预约呢？"]
        return [
            f"Sure, your booking on {said} is cancelled." if said else "Sure, which booking should I cancel?"
        ]
    if u.intent == "confirm" and dialogue.proposed:
        return [_ok(u.language)]
    simple = {
        "greeting": replies.greeting(shop, u.language),
        "thanks": replies.thanks(u.language),
        "decline": replies.declined(u.language),
        "confirm": replies.acknowledged(u.language),
    }
    return [simple[u.intent]] if u.intent in simple else []


def _booking(u: Understanding, shop: ShopContext) -> list[str]:
    language = u.language
    if u.service is None and u.intent == "book":
        return [replies.ask_service(shop, language)]
    if u.when is None:
        return [replies.ask_time(u.service, language)] if u.service else []
    said = replies.when_text(u.when, language)
    name = u.service.label(language) if u.service else ""
    if language == "zh":
        first = (
            f"好的，帮您改到{said}" if u.intent == "reschedule" else f"好的，帮您预约{said}的{name or '服务'}"
        )
        return [f"{first}，我看一下空位，稍等～", f"{said}已经约满了，换个时间可以吗？"]
    if u.intent == "reschedule":
        first = f"Sure, let me check whether we can move you to {said}, one moment."
    else:
        first = f"Sure, let me check {said} for {name or 'you'}, one moment."
    return [first, f"Sorry, {said} is fully booked. Would another time work?"]


def _ok(language: Language) -> str:
    return "好的，马上为您确认～" if language == "zh" else "Great, confirming that for you now."
