"""One customer message, understood: what they want (intent, with a confidence), and
the service, pet or child, time and option it names.

A time is read only where it says when to come (book, reschedule, cancel, confirm, and
a request for a person, for the handoff note):
"上周一洗完澡就一直挠" names a Monday that is no booking. For a move, the time is the
new one ("把周六的改到周日下午" is Sunday afternoon). A question is looked up in the
shop's knowledge base; when the rules saw no clear intent but the knowledge base
answers it well, it is a question after all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .intents import Intent, classify
from .knowledge import Answer
from .language import Language, detect_language, fold, with_digits
from .mentions import PetMention, find_pet
from .service_names import match_service
from .shop import Pet, ServiceOffer, ShopContext
from .when import When, parse_change, parse_when

# A person taking over also wants to know when ("转人工，周六10点洗澡").
_TIMED: frozenset[Intent] = frozenset({"book", "reschedule", "cancel", "confirm", "human"})
# A question the rules could not place is taken as one only if the answer fits well.
_RESCUE_CONFIDENCE = 0.75


@dataclass(frozen=True)
class Understanding:
    text: str
    language: Language
    intent: Intent
    confidence: float  # 0..1: how sure the intent is (for faq: how well the answer fits)
    service: ServiceOffer | None = None
    rival: ServiceOffer | None = None  # another service the words could mean about as well
    pet: PetMention | None = None
    when: When | None = None
    option: int | None = None  # the offered option picked, 1-based; -1 is the last
    answer: Answer | None = None  # for faq: the knowledge base's answer, if it has one
    concerns: tuple[str, ...] = ()  # for medical: the worrying words, as said


def understand(text: str, shop: ShopContext, now: datetime, pets: Sequence[Pet] = ()) -> Understanding:
    """Read one message. `now` must be timezone-aware; times are resolved in the shop's
    timezone. `pets` are the customer's own pets or children, so "豆豆" or "my dog"
    can be recognised as one of them."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    folded = with_digits(fold(text))
    language = detect_language(text)
    named = match_service(folded, shop)
    service = named.service if named else None
    pet = find_pet(folded, pets)
    when = parse_when(text, now, shop.timezone)
    guess = classify(
        text, has_when=when is not None, has_service=service is not None, has_pet=pet is not None
    )
    intent, confidence = guess.intent, guess.confidence
    if intent == "reschedule":
        when = parse_change(text, now, shop.timezone)
    elif intent not in _TIMED:
        when = None
    answer = None
    if intent in ("faq", "other"):
        answer = shop.knowledge.answer(text, language)
        if intent == "faq":
            confidence = answer.confidence if answer else min(confidence, 0.4)
        elif answer is not None and answer.confidence >= _RESCUE_CONFIDENCE:
            intent, confidence = "faq", answer.confidence
        else:
            answer = None
    return Understanding(
        text=text,
        language=language,
        intent=intent,
        confidence=confidence,
        service=service,
        rival=named.rival if named else None,
        pet=pet,
        when=when,
        option=guess.option,
        answer=answer,
        concerns=guess.concerns,
    )
