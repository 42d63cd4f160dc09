"""What language a customer writes in, and the one folded form of their text every
rule reads.

Folding makes what people type on a phone look alike: full-width letters, digits and
punctuation (what Chinese keyboards produce: ＯＫ，１０：３０) become ASCII, curly
apostrophes become straight ones, and Latin letters are lowercased. It maps one
character to one character, so positions in the folded text are positions in the
original. Chinese numerals are turned into digits only where they count something a
booking needs (三点, 十点半, 十二月三号, 第二个), never in words like 一起 or 快一点.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en"]

# Full-width ASCII and the ideographic space, one for one; 。，：curly quotes likewise.
_FOLD = {0xFF01 + i: 0x21 + i for i in range(94)} | {
    0x3000: 0x20,
    0x2018: 0x27,
    0x2019: 0x27,
    0x201C: 0x22,
    0x201D: 0x22,
    0x3002: 0x2E,
    0x3001: 0x2C,
}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]{2,}")

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = "零〇一二两三四五六七八九十"
# A numeral counts hours, days, months or an ordinal when one of these follows it
# (or 第 / 点 comes before it). 一点 alone is also "a little" (快一点, 便宜一点), so it
# is a time only when nothing that makes it "a little" stands before it.
_COUNTED = re.compile(
    rf"(?P<pre>第|点|月)?(?P<num>[{_NUMERAL}]+)(?=(?P<post>点|時|时|月|号|號|日|分|刻|天|个?星期|个?礼拜|周|个|))"
)
_A_LITTLE = set("快早晚慢多少宜大小好近远高低轻重再有差松紧短长")


def fold(text: str) -> str:
    """Full-width to ASCII and lowercase, one character for one."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else folded


def detect_language(text: str) -> Language:
    """zh when the message has at least as many Chinese characters as Latin words:
    "我想book个bath" is Chinese, "Can I book a 洗澡 on Sat?" is English."""
    chinese = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(fold(text)))
    return "zh" if chinese and chinese >= latin else "en"


def has_words(text: str) -> bool:
    """Whether the text is in a language at all ("2", "👍", "10:30" are in none): a reply
    to such a message keeps the language the conversation was in."""
    return bool(_CJK.search(text) or _LATIN_WORD.search(fold(text)))


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def zh_number(numeral: str) -> int | None:
    """十 → 10, 十二 → 12, 二十五 → 25, 两 → 2, 三十一 → 31; None for nonsense."""
    if not numeral or any(ch not in _DIGITS and ch != "十" for ch in numeral):
        return None
    if "十" not in numeral:
        value = 0
        for ch in numeral:
            value = value * 10 + _DIGITS[ch]
        return value
    tens, _, ones = numeral.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def with_digits(folded: str) -> str:
    """Chinese numerals that count hours, minutes, days, months or ordinals as digits:
    下午三点半 → 下午3点半, 十二月三号 → 12月3号, 第二个 → 第2个, 三点一刻 → 3点1刻."""

    def replace(match: re.Match[str]) -> str:
        pre, num, post = match.group("pre") or "", match.group("num"), match.group("post") or ""
        if match.start() > 0 and folded[match.start() - 1] in "周期拜" and len(num) > 1 and not pre:
            # 周五三点: the weekday's numeral is not part of the hour
            rest = zh_number(num[1:])
            return num[0] + (str(rest) if rest is not None and post else num[1:])
        if not pre and not post:
            return match.group()
        if num == "一" and post == "点" and not pre and _a_little(folded, match.start()):
            return match.group()
        if post == "个" and pre != "第":
            return match.group()
        value = zh_number(num)
        return match.group() if value is None else f"{pre}{value}"

    return _COUNTED.sub(replace, folded)


def _a_little(text: str, at: int) -> bool:
    return (at > 0 and text[at - 1] in _A_LITTLE) or text.startswith("一点点", at)
