"""One customer message's result: what the assistant says, the dialogue it keeps, and
whether the conversation goes to a person (with the note staff get)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ..domain import Dialogue, Language, Pet, Understanding, Wanted, replies
from ..domain.summary import summarize_problem
from .shops import Shop


@dataclass(frozen=True)
class Talk:
    """The message being answered and where: its shop, conversation, customer, pets."""

    shop: Shop
    conversation_id: UUID
    customer_id: UUID
    seq: int
    pets: tuple[Pet, ...]
    now: datetime
    language: Language | None = None  # the conversation's so far, for a message in none ("2")


@dataclass(frozen=True)
class Outcome:
    kind: str  # for metrics and the turn's record: answer, proposed, booked, handoff_medical, ...
    text: str
    dialogue: Dialogue
    handoff: str | None = None  # the note for staff; set when a person takes over
    language: Language | None = None  # the customer's, as this message showed it


def handing_off(
    u: Understanding, wanted: Wanted | None, problem: tuple[str, str], kind: str, text: str | None = None
) -> Outcome:
    """A person takes over what the assistant could not finish (`problem` in zh and en)."""
    note = summarize_problem(u, wanted, *problem)
    return Outcome(f"handoff_{kind}", text or replies.not_booked(u.language), Dialogue(), note)
