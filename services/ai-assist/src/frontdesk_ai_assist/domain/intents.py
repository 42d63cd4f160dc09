"""What a customer wants from one message, by rules a shop owner could read.

The order is the order of what matters most:
1. a health worry (呕吐, 便血, "not eating") is `medical`, whatever else is said: it
   always goes to a person, with a reply that recommends a vet or doctor;
2. asking for a person (转人工, "talk to a real person", a complaint) is `human`;
3. moving or cancelling a booking (改到周日, cancel) — unless it asks about the
   policy for doing so (取消要扣钱吗), which is a question;
4. a short yes/no or a pick among offered options (好的, 第二个, "the 2nd one") is
   `confirm` or `decline`;
5. asking to come (预约, 有空吗, "can I bring my dog in") or naming a time together
   with a service or pet is `book`; asking how booking works is `faq`;
6. any other question is `faq`; hello and thanks are `greeting` and `thanks`;
7. anything else is `other`, with a low confidence, so a person takes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from . import cues
from .language import fold, with_digits

Intent = Literal[
    "faq",
    "book",
    "reschedule",
    "cancel",
    "confirm",
    "decline",
    "human",
    "medical",
    "greeting",
    "thanks",
    "other",
]

_INSTEAD = re.compile(r"\binstead\b|改成|换成")
_ASKS_FOR_INFO = re.compile(
    r"多少钱|价格|价钱|收费|费用|几点开门|几点关门|营业时间|地址|在哪|怎么走|停车|包含|包括|多久|多长时间|"
    r"\bhow\s+much\b|\bprices?\b|\bcosts?\b|\bwhat\s+time\s+do\s+you\b|\bopening\s+hours\b|\baddress\b|\bwhere\b|\bhow\s+long\b|"
    r"\binclude[sd]?\b|\bparking\b|带什么|准备什么|要带|\bbring\b|\bpack\b"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class IntentGuess:
    intent: Intent
    confidence: float
    concerns: tuple[str, ...] = ()  # the health words said, for the handoff note
    option: int | None = None  # the option picked, 1-based; -1 is the last one


def classify(text: str, *, has_when: bool, has_service: bool, has_pet: bool) -> IntentGuess:
    folded = with_digits(fold(text))
    concerns = medical_concerns(folded)
    if concerns:
        return IntentGuess("medical", 0.95, concerns)
    if cues.HUMAN.search(folded):
        return IntentGuess("human", 0.95)
    if cues.RESCHEDULE.search(folded) or (_INSTEAD.search(folded) and has_when):
        if cues.POLICY.search(folded) and not has_when:
            return IntentGuess("faq", 0.8)
        return IntentGuess("reschedule", 0.9)
    if cues.CANCEL.search(folded):
        return IntentGuess("faq", 0.8) if cues.POLICY.search(folded) else IntentGuess("cancel", 0.9)
    core = _core(folded)
    if not core:
        return _small_talk(folded)
    if _is_short(core):
        option = cues.ordinal(core)
        if option is not None or _all_said(core, cues.CONFIRM_WORDS) or cues.CONFIRM_PHRASE.match(core):
            if option is None and cues.THANKS.search(folded) and not cues.STRONG_YES & set(core.split()):
                return IntentGuess("thanks", 0.8)
            return IntentGuess("confirm", 0.9, option=option)
    if _is_short(core, words=10) and not (has_when or has_service) and cues.DECLINE.search(core):
        return IntentGuess("decline", 0.85)
    return _asking(folded, core, has_when=has_when, has_service=has_service, has_pet=has_pet)


def medical_concerns(folded: str) -> tuple[str, ...]:
    """The health words in the text, each once, leaving out reassurances (会疼吗); or a
    body part said right next to something wrong with it ("耳朵臭", "poop is green")."""
    text = cues.NOT_MEDICAL.sub(lambda m: " " * len(m.group()), folded)
    said = [m.group().strip() for m in cues.MEDICAL.finditer(text)]
    for part, signs in ((cues.BODY, (cues.ABNORMAL, cues.COLOURS)), (cues.HANDS, (cues.ABNORMAL,))):
        for body in part.finditer(text):
            window = text[max(0, body.start() - cues.NEAR) : body.end() + cues.NEAR]
            wrong = next((m for m in (sign.search(window) for sign in signs) if m), None)
            if wrong:
                said.append(f"{body.group()} {wrong.group()}")
    return tuple(dict.fromkeys(said))


def _asking(folded: str, core: str, *, has_when: bool, has_service: bool, has_pet: bool) -> IntentGuess:
    question = cues.QUESTION.search(folded) is not None
    if cues.BOOKING_PROCESS.search(folded) and not has_when:
        return IntentGuess("faq", 0.8)
    if cues.BOOK.search(folded):
        if question and _ASKS_FOR_INFO.search(folded) and not has_when:
            return IntentGuess("faq", 0.75)
        return IntentGuess("book", 0.9)
    if question and (cues.HOURS.search(folded) or (_ASKS_FOR_INFO.search(folded) and not has_when)):
        return IntentGuess("faq", 0.8)
    if cues.MAYBE_BOOK.search(folded):
        return IntentGuess("book", 0.85) if has_when or not question else IntentGuess("faq", 0.7)
    if has_when and (has_service or has_pet or question):
        return IntentGuess("book", 0.8)
    if question:
        return IntentGuess("faq", 0.7)
    if cues.THANKS.search(folded) and _is_short(core):
        return IntentGuess("thanks", 0.8)
    if has_when:
        return IntentGuess("book", 0.6)
    if has_service:
        return IntentGuess("book", 0.55)
    return IntentGuess("other", 0.3)


def _small_talk(folded: str) -> IntentGuess:
    """A message that is only hello, thanks or particles (哈哈哈, 🙂)."""
    if cues.THANKS.search(folded):
        return IntentGuess("thanks", 0.9)
    if cues.GREETING.match(folded):
        return IntentGuess("greeting", 0.9)
    return IntentGuess("other", 0.3)


def _all_said(core: str, words: frozenset[str]) -> bool:
    """Every piece of the message is one of the words, or a word that only links them
    ("好的 就这个", "ok sure", "yes that's perfect")."""
    pieces = [piece for piece in core.split() if piece not in cues.LINKING]
    return core in words or (bool(pieces) and all(piece in words for piece in pieces))


def _core(folded: str) -> str:
    """The message without greetings, politeness, particles and punctuation."""
    stripped = cues.GREETING_WORDS.sub(" ", cues.GREETING.sub(" ", folded.strip()))
    return _SPACES.sub(" ", cues.FILLER.sub(" ", stripped)).strip()


def _is_short(core: str, words: int = 8) -> bool:
    return len(core.split()) <= words if core.isascii() else len(core) <= 12
