"""How days, times, prices and opening hours read to a customer, in zh-CN and en."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from .clock import PartOfDay
from .language import Language

_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PARTS: dict[Language, dict[PartOfDay, str]] = {
    "zh": {"morning": "上午", "noon": "中午", "afternoon": "下午", "evening": "晚上"},
    "en": {"morning": "morning", "noon": "around noon", "afternoon": "afternoon", "evening": "evening"},
}
_SYMBOLS = {"CNY": "¥", "GBP": "£", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥"}


def weekday(day: date, language: Language) -> str:
    return (_WEEKDAYS_ZH if language == "zh" else _WEEKDAYS_EN)[day.weekday()]


def day_text(day: date, language: Language) -> str:
    """11月21日（周六） / Sat 21 Nov."""
    if language == "zh":
        return f"{day.month}月{day.day}日（{weekday(day, 'zh')}）"
    return f"{weekday(day, 'en')} {day.day} {_MONTHS_EN[day.month - 1]}"


def clock_text(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def part_text(part: PartOfDay, language: Language) -> str:
    return _PARTS[language][part]


def moment_text(at: datetime, language: Language) -> str:
    """A local date and time: 11月21日（周六）10:00 / Sat 21 Nov, 10:00."""
    separator = " " if language == "zh" else ", "
    return f"{day_text(at.date(), language)}{separator}{clock_text(at.time())}"


def money(cents: int, currency: str) -> str:
    symbol = _SYMBOLS.get(currency, currency + " ")
    amount = f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"
    return f"{symbol}{amount}"


def minutes_text(minutes: int, language: Language) -> str:
    hours, rest = divmod(minutes, 60)
    if language == "zh":
        if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
            return f"{minutes // (24 * 60)} 天"
        return f"{hours} 小时" + (f" {rest} 分钟" if rest else "") if hours else f"{minutes} 分钟"
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day" + ("s" if days > 1 else "")
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def hours_text(hours: Mapping[int, tuple[tuple[time, time], ...]], language: Language) -> str:
    """周一至周五 10:00-20:00；周六、周日 09:00-21:00 / Mon-Fri 10:00-20:00; Sat-Sun 09:00-21:00.
    Days with the same spans are joined into runs; days missing are said to be closed."""
    runs: list[tuple[int, int, str]] = []
    for day in range(7):
        spans = hours.get(day, ())
        said = ", ".join(f"{clock_text(a)}-{clock_text(b)}" for a, b in spans) or (
            "休息" if language == "zh" else "closed"
        )
        if runs and runs[-1][2] == said and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day, said)
        else:
            runs.append((day, day, said))
    names = _WEEKDAYS_ZH if language == "zh" else _WEEKDAYS_EN
    joiner = "至" if language == "zh" else "-"
    parts = [
        f"{names[first]}{joiner if last > first + 1 else ('、' if language == 'zh' else '-')}{names[last]} {said}"
        if last > first
        else f"{names[first]} {said}"
        for first, last, said in runs
    ]
    return ("；" if language == "zh" else "; ").join(parts)
