"""What the assistant does next with an understood message: reply, ask for what is
missing, propose slots, book, move or cancel, or hand the conversation to a person.

`decide(understanding, shop, dialogue)` is pure. The caller keeps the `Dialogue`
between messages (what the customer asked for so far and the options last offered)
and carries out the decision:
- `ProposeSlots`: look up free times in `when.window(shop.timezone)` and send
  `replies.slot_proposal(...)`, remembering the options offered;
- `Book` / `Reschedule`: book (or move the customer's booking to) the picked option,
  then send `replies.booking_confirmed(...)` / `replies.rescheduled(...)`;
- `ConfirmService`: the words could also mean another service: name the service and
  the time back (`replies.confirm_service(...)`) and offer that one option, so the
  customer's yes books it and nothing is held for a service they did not mean;
- `Cancel`: cancel the customer's upcoming booking (on `when`'s day, if given);
- `Reply` / `Ask`: send the text; `HandOff`: send the reply and put the conversation
  in a person's queue with the reason and summary as the handoff note.

Health worries and requests for a person always hand off; so does anything the
assistant is not sure of (confidence below `LOW_CONFIDENCE`), and a question the
knowledge base cannot answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from . import replies
from .mentions import PetMention
from .shop import ServiceOffer, ShopContext
from .summary import summarize
from .understanding import Understanding
from .when import When

LOW_CONFIDENCE = 0.5
HandoffReason = Literal["medical", "requested", "no_answer", "unsure"]
Purpose = Literal["book", "reschedule"]
ReplyKind = Literal["answer", "greeting", "thanks", "declined", "acknowledged"]


@dataclass(frozen=True)
class SlotOption:
    """A free time the caller offered; `ref` is the caller's own id for it (a hold)."""

    start: datetime
    ref: str = ""


@dataclass(frozen=True)
class Wanted:
    """What the customer has asked for so far, gathered over several messages."""

    purpose: Purpose
    service: ServiceOffer | None = None
    pet: PetMention | None = None
    when: When | None = None
    rival: ServiceOffer | None = None  # another service the customer's words could mean

    def updated(self, understanding: Understanding) -> Wanted:
        named = understanding.service is not None
        return replace(
            self,
            service=understanding.service if named else self.service,
            rival=understanding.rival if named else self.rival,
            pet=understanding.pet or self.pet,
            when=understanding.when or self.when,
        )


@dataclass(frozen=True)
class Dialogue:
    """What the caller keeps between one message and the next of a conversation."""

    wanted: Wanted | None = None
    proposed: tuple[SlotOption, ...] = ()


@dataclass(frozen=True)
class Reply:
    text: str
    kind: ReplyKind


@dataclass(frozen=True)
class Ask:
    """A question back; keep `wanted` so the answer completes it."""

    text: str
    missing: Literal["service", "time", "option"]
    wanted: Wanted | None


@dataclass(frozen=True)
class ProposeSlots:
    """Find free times in `when`. For a booking `service` is always set; for a move it
    may be None (the customer's booking says which)."""

    purpose: Purpose
    when: When
    service: ServiceOffer | None
    pet: PetMention | None
    rival: ServiceOffer | None = None  # another service the customer's words could mean

    @property
    def wanted(self) -> Wanted:
        """What to remember with the options offered."""
        return Wanted(self.purpose, self.service, self.pet, self.when, self.rival)


@dataclass(frozen=True)
class Book:
    """Book the picked option (for what `service` and `pet` say, when known)."""

    option: SlotOption
    service: ServiceOffer | None
    pet: PetMention | None


@dataclass(frozen=True)
class ConfirmService:
    """Ask whether `wanted.service` at the picked option is right before booking it."""

    option: SlotOption
    wanted: Wanted


@dataclass(frozen=True)
class Reschedule:
    """Move the customer's booking to the picked option."""

    option: SlotOption


@dataclass(frozen=True)
class Cancel:
    """Cancel the customer's upcoming booking (the one on `when`'s day, for `service`, if said)."""

    when: When | None
    service: ServiceOffer | None


@dataclass(frozen=True)
class HandOff:
    reason: HandoffReason
    summary: str  # for staff: what the customer wants, in the customer's language
    reply: str  # for the customer


Decision = Reply | Ask | ProposeSlots | Book | ConfirmService | Reschedule | Cancel | HandOff


def decide(understanding: Understanding, shop: ShopContext, dialogue: Dialogue | None = None) -> Decision:
    u, dialogue = understanding, dialogue or Dialogue()
    language = u.language
    if u.intent == "medical":
        return HandOff("medical", summarize(u, dialogue.wanted), replies.medical(language, u.pet, shop.kind))
    if u.intent == "human":
        return HandOff("requested", summarize(u, dialogue.wanted), replies.handoff(language))
    if u.intent == "faq":
        if u.answer is None:
            return HandOff("no_answer", summarize(u, dialogue.wanted), replies.no_answer(language))
        return Reply(u.answer.text, "answer")
    if u.confidence < LOW_CONFIDENCE or u.intent == "other":
        return HandOff("unsure", summarize(u, dialogue.wanted), replies.cannot_understand(language))
    if u.intent == "book" and dialogue.proposed and u.when is not None:
        # "14:00 那个" after options were offered picks the one at 14:00
        same = _picked(replace(u, option=None), dialogue.proposed, shop.timezone)
        if same is not None:
            return _chosen(same, dialogue.wanted)
    if u.intent in ("book", "reschedule"):
        return _wants_time(u, shop, dialogue)
    if u.intent == "confirm":
        return _confirmed(u, shop, dialogue)
    if u.intent == "cancel":
        return Cancel(u.when, u.service)
    if u.intent == "decline":
        return Reply(replies.declined(language), "declined")
    if u.intent == "thanks" and dialogue.proposed:
        # "好的谢谢" after options were offered: thanks, but which one?
        return Ask(replies.ask_which_option(len(dialogue.proposed), language), "option", dialogue.wanted)
    if u.intent == "greeting":
        return Reply(replies.greeting(shop, language), "greeting")
    return Reply(replies.thanks(language), "thanks")


def _wants_time(u: Understanding, shop: ShopContext, dialogue: Dialogue) -> Decision:
    purpose: Purpose = "reschedule" if u.intent == "reschedule" else "book"
    earlier = dialogue.wanted if dialogue.wanted and dialogue.wanted.purpose == purpose else Wanted(purpose)
    wanted = earlier.updated(u)
    if purpose == "book" and wanted.service is None and len(shop.services) == 1:
        wanted = replace(wanted, service=shop.services[0])
    if purpose == "book" and wanted.service is None:
        return Ask(replies.ask_service(shop, u.language), "service", wanted)
    if wanted.when is None:
        service = wanted.service or (dialogue.wanted.service if dialogue.wanted else None)
        text = replies.ask_time(service, u.language) if service else _ask_day(u)
        return Ask(text, "time", wanted)
    return ProposeSlots(purpose, wanted.when, wanted.service, wanted.pet, wanted.rival)


def _confirmed(u: Understanding, shop: ShopContext, dialogue: Dialogue) -> Decision:
    wanted = dialogue.wanted
    if not dialogue.proposed:
        if (
            wanted is not None
            and wanted.when is not None
            and (wanted.service or wanted.purpose == "reschedule")
        ):
            return ProposeSlots(wanted.purpose, wanted.when, wanted.service, wanted.pet, wanted.rival)
        return Reply(replies.acknowledged(u.language), "acknowledged")
    option = _picked(u, dialogue.proposed, shop.timezone)
    if option is None:
        return Ask(replies.ask_which_option(len(dialogue.proposed), u.language), "option", wanted)
    return _chosen(option, wanted)


def _chosen(option: SlotOption, wanted: Wanted | None) -> Decision:
    if wanted is not None and wanted.purpose == "reschedule":
        return Reschedule(option)
    if wanted is not None and wanted.service is not None and wanted.rival is not None:
        return ConfirmService(option, replace(wanted, rival=None))
    return Book(option, wanted.service if wanted else None, wanted.pet if wanted else None)


def _picked(u: Understanding, proposed: tuple[SlotOption, ...], timezone: str) -> SlotOption | None:
    if u.option is not None:
        index = u.option - 1 if u.option > 0 else len(proposed) + u.option
        return proposed[index] if 0 <= index < len(proposed) else None
    if u.when is not None and u.when.time is not None:
        zone = ZoneInfo(timezone)
        same = [o for o in proposed if o.start.astimezone(zone).time() == u.when.time]
        return same[0] if len(same) == 1 else None
    return proposed[0] if len(proposed) == 1 else None


def _ask_day(u: Understanding) -> str:
    if u.language == "zh":
        return "好的，请问想改到哪天、几点呢？"
    return "Sure, which day and time would you like instead?"
