"""The time of day in a message: a clock time (三点, 十点半, 10:30, 3pm, half past two,
noon) and a part of the day (上午, 下午, 今晚, morning, after lunch, tonight).

Reads text already folded (and with Chinese numerals as digits, see `language`).
Greetings are taken out first: 早上好 and "good morning" say hello, not when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Literal

Meridiem = Literal["am", "pm"]
PartOfDay = Literal["morning", "noon", "afternoon", "evening"]

_GREETINGS = re.compile(
    r"早上好|早安|上午好|中午好|下午好|晚上好|晚安|"
    r"\bgood\s*(?:morning|afternoon|evening|night|day)\b|\bmorning\s*[!~,.]|^\s*morning\s*$|\bgood\s*nite\b"
)
_WORD_HOURS = {
    w: i + 1 for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split())
}
_WORD_HOUR = "|".join(_WORD_HOURS)
_WORDS_AS_DIGITS = re.compile(
    rf"\b(?P<w>{_WORD_HOUR})\b(?=\s*(?:am\b|pm\b|a\.m|p\.m|o'?clock|ish|thirty|fifteen|forty-?five))"
    rf"|(?<=\bat )(?P<a>{_WORD_HOUR})\b|(?<=past )(?P<p>{_WORD_HOUR})\b|(?<=to )(?P<t>{_WORD_HOUR})\b(?=\s*(?:am|pm|o'?clock)?\s*$)"
)
_MINUTE_WORDS = {"thirty": 30, "fifteen": 15, "forty-five": 45, "fortyfive": 45, "forty five": 45}

_ZH_CLOCK = re.compile(
    r"(?<![\d.])(?P<h>\d{1,2})\s*(?:点钟?|時|时(?!间|候))\s*(?:(?P<half>半)|(?P<q>[13])刻|(?P<m>\d{1,2})(?!\s*(?:号|日|月|天))(?:\s*分)?)?"
)
_COLON = re.compile(r"(?<![\d:.])(?P<h>\d{1,2})\s*[:：]\s*(?P<m>\d{2})(?!\d)\s*(?P<ap>[ap]\.?m\b\.?)?")
_EN_AMPM = re.compile(
    r"(?<![\d:.$¥])(?P<h>\d{1,2})(?:\s*(?P<mw>thirty|fifteen|forty-?five|forty five))?\s*(?P<ap>[ap]\.?m\b\.?)"
)
_EN_HALF = re.compile(r"\b(?P<kind>half|quarter)\s+(?P<rel>past|to)\s+(?P<h>\d{1,2})\b")
_EN_AT = re.compile(
    r"(?:\b(?:at|around|about|by|from|after|before|till|until|like)|@)\s*(?:like\s+)?(?P<h>\d{1,2})(?:\s*o'?clock)?(?![\d:/.])"
    r"(?!\s*(?:st|nd|rd|th|days?|dogs?|cats?|kids?|nights?|weeks?|months?|mins?|minutes?|hours?|hrs?|people|pets?|%|kg|yuan|rmb))"
)
_EN_OCLOCK = re.compile(r"\b(?P<h>\d{1,2})\s*(?:o'?clock|ish)\b")
_NOON = re.compile(r"\b(?:12\s*)?(?:noon|midday)\b|中午12点(?!半|\d)")

_ZH_PARTS: tuple[tuple[PartOfDay, str], ...] = (
    ("afternoon", r"下午|午后|午饭后|吃完午饭"),
    ("evening", r"晚上|今晚|明晚|傍晚|夜里|晚饭后|下班后|晚点的时候"),
    ("noon", r"中午|午饭时间|饭点"),
    ("morning", r"早上|早晨|上午|今早|明早|一早|大早|清早"),
)
_EN_PARTS: tuple[tuple[PartOfDay, str], ...] = (
    ("afternoon", r"\bafternoon\b|\bafter\s+lunch\b|\barvo\b|\bpm\b(?!\s*\d)"),
    ("evening", r"\bevening\b|\btonight\b|\btonite\b|(?<!per\s)(?<!a\s)(?<!/)\bnight\b|\bafter\s+work\b"),
    ("noon", r"\blunch\s*time\b|\blunchtime\b|\bat\s+lunch\b|\baround\s+lunch\b"),
    ("morning", r"\bmorning\b|\bin\s+the\s+am\b|\bam\s+slot\b"),
)
_PART_NAMES: tuple[PartOfDay, ...] = tuple(name for name, _ in (*_ZH_PARTS, *_EN_PARTS))
_PARTS = re.compile(
    "|".join(f"(?P<p{i}>{pattern})" for i, (_, pattern) in enumerate((*_ZH_PARTS, *_EN_PARTS)))
)


@dataclass(frozen=True)
class Clock:
    """A time as said: 3 with no am/pm may still be 15:00."""

    hour: int
    minute: int = 0
    meridiem: Meridiem | None = None

    def resolve(self, part: PartOfDay | None) -> time:
        """The 24-hour time, using the part of day said with it (下午3点 is 15:00)."""
        hour = self.hour
        if self.meridiem == "pm" and hour < 12:
            hour += 12
        elif self.meridiem == "am" and hour == 12:
            hour = 0
        elif self.meridiem is None:
            if (part in ("afternoon", "evening") and hour < 12) or (part == "noon" and hour <= 3):
                hour += 12
            elif part is None and 1 <= hour <= 7:
                hour += 12
        return time(hour % 24, self.minute)

    def may_be_evening(self, part: PartOfDay | None) -> bool:
        """Could 8 mean 20:00? Only if nothing said it is the morning one."""
        return self.meridiem is None and part is None and 8 <= self.hour <= 11


def without_greetings(folded: str) -> str:
    return _GREETINGS.sub(" ", folded)


def find_clock(text: str) -> Clock | None:
    """The first clock time in folded, digit-numeral text."""
    text = _WORDS_AS_DIGITS.sub(_word_to_digits, text)
    found: list[tuple[int, Clock]] = []
    for m in _ZH_CLOCK.finditer(text):
        minute = 30 if m["half"] else int(m["q"]) * 15 if m["q"] else int(m["m"] or 0)
        found += _clock(m.start(), int(m["h"]), minute, None)
    for m in _COLON.finditer(text):
        found += _clock(m.start(), int(m["h"]), int(m["m"]), _meridiem(m["ap"]))
    for m in _EN_AMPM.finditer(text):
        found += _clock(m.start(), int(m["h"]), _MINUTE_WORDS.get(m["mw"] or "", 0), _meridiem(m["ap"]))
    for m in _EN_HALF.finditer(text):
        hour, minute = int(m["h"]), 30 if m["kind"] == "half" else 15
        if m["rel"] == "to":
            hour, minute = hour - 1, 60 - minute
        found += _clock(m.start(), hour, minute, None)
    for pattern in (_EN_AT, _EN_OCLOCK):
        found += [c for m in pattern.finditer(text) for c in _clock(m.start(), int(m["h"]), 0, None)]
    found += [(m.start(), Clock(12, 0, None)) for m in _NOON.finditer(text)]
    return min(found, key=lambda item: item[0])[1] if found else None


def find_part(text: str) -> PartOfDay | None:
    match = _PARTS.search(text)
    if match is None or match.lastgroup is None:
        return None
    return _PART_NAMES[int(match.lastgroup[1:])]


def _clock(at: int, hour: int, minute: int, meridiem: Meridiem | None) -> list[tuple[int, Clock]]:
    if not 0 <= hour <= 23 or not 0 <= minute <= 59 or (meridiem and not 1 <= hour <= 12):
        return []
    return [(at, Clock(hour, minute, meridiem))]


def _meridiem(said: str | None) -> Meridiem | None:
    return None if not said else "am" if said.startswith("a") else "pm"


def _word_to_digits(match: re.Match[str]) -> str:
    word = match["w"] or match["a"] or match["p"] or match["t"]
    return str(_WORD_HOURS[word])
