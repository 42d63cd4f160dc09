"""The assistant's understanding of customer messages: pure Python, no I/O.

It works with no external model: deterministic rules and retrieval, in Chinese
(segmented with jieba) and English. A clock is never read: `now` is passed in.

Use::

    load()                                           # once at start: jieba's dictionary (~1 s)
    shop = ShopContext(name=..., timezone="Asia/Shanghai", kind="pet",
                       services=(ServiceOffer("bath", "洗澡", 60, 8000, name_en="Bath"), ...),
                       hours={0: ((time(10), time(20)),), ...}, address=..., faq=(FaqEntry(...), ...))
    understood = understand(text, shop, now, pets)   # -> Understanding
    decision = decide(understood, shop, dialogue)    # -> Reply | Ask | ProposeSlots | Book
                                                     #    | ConfirmService | Reschedule | Cancel | HandOff
    suggest_replies(text, shop, now, pets)           # -> up to 3 replies for staff to pick

- `understand(text, shop, now, pets=()) -> Understanding`: the intent (faq, book,
  reschedule, cancel, confirm, decline, human, medical, greeting, thanks, other)
  with a confidence; the service (one of `shop.services`), the pet or child
  (`PetMention`: species, breed, or one of the customer's `pets`), the time (`When`:
  a local date and an exact time or a part of the day, resolved in the shop's
  timezone), the option picked among those offered, and for a question the
  knowledge base's `Answer`. See `understanding`, `when`, `intents`, `mentions`.
- `shop.knowledge` (`KnowledgeBase(entries).answer(question, language=None) ->
  Answer | None`): BM25 over the FAQ plus hours, address and prices from the
  catalog; None below the confidence threshold. See `knowledge`, `facts`.
- `decide(understanding, shop, dialogue=None) -> Decision`: what to do next. The
  caller keeps the `Dialogue` (what was asked for so far, the `SlotOption`s offered).
  Health worries, requests for a person, unanswerable questions and anything unsure
  hand off (`HandOff`: a reason, a summary for staff, a reply). See `decision`.
- `replies`: everything the assistant says, in zh-CN and en (medical, handoff, slot
  proposal, booking confirmed, cannot understand, …).
- `suggest_replies(text, shop, now, pets=(), dialogue=None, limit=3) -> list[str]`.
"""

from . import replies
from .clock import PartOfDay
from .decision import (
    LOW_CONFIDENCE,
    Ask,
    Book,
    Cancel,
    ConfirmService,
    Decision,
    Dialogue,
    HandOff,
    HandoffReason,
    ProposeSlots,
    Reply,
    Reschedule,
    SlotOption,
    Wanted,
    decide,
)
from .intents import Intent
from .knowledge import Answer, FaqEntry, KnowledgeBase
from .language import Language, detect_language
from .mentions import PetMention
from .shop import Hours, Pet, ServiceOffer, ShopContext, ShopKind
from .suggestions import suggest_replies
from .terms import load
from .understanding import Understanding, understand
from .when import PART_WINDOWS, When, parse_when

__all__ = [
    "LOW_CONFIDENCE",
    "PART_WINDOWS",
    "Answer",
    "Ask",
    "Book",
    "Cancel",
    "ConfirmService",
    "Decision",
    "Dialogue",
    "FaqEntry",
    "HandOff",
    "HandoffReason",
    "Hours",
    "Intent",
    "KnowledgeBase",
    "Language",
    "PartOfDay",
    "Pet",
    "PetMention",
    "ProposeSlots",
    "Reply",
    "Reschedule",
    "ServiceOffer",
    "ShopContext",
    "ShopKind",
    "SlotOption",
    "Understanding",
    "Wanted",
    "When",
    "decide",
    "detect_language",
    "load",
    "parse_when",
    "replies",
    "suggest_replies",
    "understand",
]
