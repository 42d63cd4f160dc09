"""The note staff get with a handoff, so the customer never repeats themselves:
what the customer wants, in the customer's language, and their words.

    Wants: Bath for golden retriever, Sat 21 Nov, 10:00
    想要：洗澡（金毛），11月21日（周六）10:00
    Health concern: vomiting, not eating (dog). Message: “my dog has been vomiting…”
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .replies import when_text

if TYPE_CHECKING:
    from .decision import Wanted
    from .understanding import Understanding

QUOTE_LENGTH = 80


def summarize(u: Understanding, wanted: Wanted | None = None) -> str:
    zh = u.language == "zh"
    quote = _quote(u.text)
    said = f"原话：{quote}" if zh else f"Message: {quote}"
    if u.intent == "medical":
        worry = ("、" if zh else ", ").join(u.concerns)
        who = f"（{u.pet.label()}）" if zh and u.pet else f" ({u.pet.label()})" if u.pet else ""
        return f"健康问题：{worry}{who}。{said}" if zh else f"Health concern: {worry}{who}. {said}"
    wants = _wants(u, wanted)
    if u.intent == "human":
        head = "要求转人工" if zh else "Asks for a person"
    elif u.intent == "faq":
        head = "问题未能自动回答" if zh else "Question the assistant could not answer"
    else:
        head = "未能理解" if zh else "Not understood"
    parts = [head, wants] if wants else [head]
    return ("；".join(parts) + "。" + said) if zh else ("; ".join(parts) + ". " + said)


def summarize_problem(u: Understanding, wanted: Wanted | None, problem_zh: str, problem_en: str) -> str:
    """A note for staff when the assistant could not finish what the customer asked
    ("助手未能完成：没有空位；想要：…")."""
    zh = u.language == "zh"
    wants = _wants(u, wanted)
    head = f"助手未能完成：{problem_zh}" if zh else f"The assistant could not finish: {problem_en}"
    parts = [head, wants] if wants else [head]
    said = f"原话：{_quote(u.text)}" if zh else f"Message: {_quote(u.text)}"
    return ("；".join(parts) + "。" + said) if zh else ("; ".join(parts) + ". " + said)


def _wants(u: Understanding, wanted: Wanted | None) -> str:
    service = u.service or (wanted.service if wanted else None)
    pet = u.pet or (wanted.pet if wanted else None)
    when = u.when or (wanted.when if wanted else None)
    if not (service or pet or when):
        return ""
    zh = u.language == "zh"
    what = service.label(u.language) if service else ""
    if pet:
        what = f"{what}（{pet.label()}）" if zh else f"{what} for {pet.label()}".strip()
    if when:
        said = when_text(when, u.language)
        what = f"{what}，{said}" if zh and what else f"{what}, {said}" if what else said
    return f"想要：{what}" if zh else f"Wants: {what}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:QUOTE_LENGTH]}…”" if len(text) > QUOTE_LENGTH else f"“{text}”"
