"""When a customer wants to come, in the shop's own timezone.

`parse_when(text, now, timezone)` reads a day and a time of day from Chinese or English
(周六上午10点, 明天下午三点, 下周二, 后天, 今晚7点, 3月5号, next Tuesday at 3pm, tomorrow
morning, Saturday 10am, on the 5th at 14:30) and resolves them against `now` as the
shop's clock shows it. The result is a local date with either an exact local time or a
part of the day (morning, noon, afternoon, evening) when no time was given.

What people mean, not what they literally say:
- a bare weekday (周六, Saturday) is the coming one; today's weekday is today unless
  the time has passed, then a week on. 这周一 said on a Wednesday is next Monday.
- 下周X / next X is that weekday of next week (Monday-based, as 下周 means).
- a day of the month already past (12号 on the 18th) is next month's; a date already
  past this year is next year's. 下个月3号 is the 3rd of next month.
- a range ("12号到15号", "24th to 28th") starts on its first day.
- a holiday (平安夜, 元旦, "new year's eve") is its next date, unless a date is also
  said: "元旦回老家，12月30号送过来" comes on the 30th.
- an hour from 1 to 7 with no 上午/下午/am/pm is afternoon (shops are not open at 3am);
  an hour that already passed today with no am/pm is the evening one (8点 said at 9:00
  is 20:00) when that is still ahead.
- with a time or part of day but no day, it is today if still ahead, else tomorrow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .clock import Clock, PartOfDay, find_clock, find_part, without_greetings
from .language import fold, with_digits

PART_WINDOWS: dict[PartOfDay, tuple[time, time]] = {
    "morning": (time(9), time(12)),
    "noon": (time(11), time(14)),
    "afternoon": (time(12), time(18)),
    "evening": (time(18), time(21)),
}


@dataclass(frozen=True)
class When:
    """A local date, and an exact local time or a part of the day (never both)."""

    date: date
    time: time | None = None
    part: PartOfDay | None = None

    def window(self, timezone: str) -> tuple[datetime, datetime]:
        """The instants to look for slots between: one instant for an exact time."""
        zone = ZoneInfo(timezone)
        if self.time is not None:
            start = _instant(self.date, self.time, zone)
            return start, start
        if self.part is not None:
            first, last = PART_WINDOWS[self.part]
            return _instant(self.date, first, zone), _instant(self.date, last, zone)
        return _instant(self.date, time(0), zone), _instant(self.date + timedelta(days=1), time(0), zone)

    def starts_at(self, timezone: str) -> datetime | None:
        return _instant(self.date, self.time, ZoneInfo(timezone)) if self.time is not None else None


@dataclass(frozen=True)
class _Day:
    at: int  # where in the text it was said; the first one said wins
    date: date
    weekly: bool = False  # a bare weekday: a week on if today's time has passed


_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS_ZH |= {str(n): n - 1 for n in range(1, 8)}
_WEEKDAYS_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MONTHS_EN = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_EN_NUMBERS = {w: i + 1 for i, w in enumerate("one two three four five six seven".split())} | {"a": 1}

_ZH_RELATIVE = re.compile(r"大后天|后天|明天|明日|明儿|明早|明晚|明个|今天|今日|今儿|今早|今晚|今个|当天")
_ZH_OFFSETS = {"大后天": 3, "后天": 2}
_ZH_WEEKDAY = re.compile(
    r"(?P<pre>下下个?|下个?|这个?|本|)(?:周|星期|礼拜)(?:的?(?:周|星期|礼拜))?(?P<d>[一二三四五六日天]|[1-7](?![\d月号日点:]))"
)
_ZH_WEEKEND = re.compile(r"(?P<pre>下个?|这个?|本|)周末")
_ZH_MONTH_DAY = re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:份)?(?P<d>\d{1,2})(?:号|日)?")
_ZH_DAY = re.compile(r"(?<![\d月/\-.])(?P<d>\d{1,2})\s*(?:号|日)(?!元)")
_ZH_IN_DAYS = re.compile(r"(?P<n>\d{1,2})\s*天(?:后|以后|之后)")
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_SLASH = re.compile(r"(?<![\d/:])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/:]|\s*(?:点|am|pm))")
_EN_AFTER_TOMORROW = re.compile(r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmr|tmrw)\b")
_EN_TOMORROW = re.compile(
    r"\b(?:tomorrow|tomorow|tommorow|tommorrow|tomorro|tmr|tmrw|tmw|2morrow|2moro)(?:'?s)?\b"
)
_EN_TODAY = re.compile(r"\b(?:today|tonight|tonite|this\s+(?:morning|afternoon|evening))\b")
# Full names, short forms and the usual slips of a thumb (satuday, thurday).
_EN_WEEKDAY_NAMES = (
    "monday|mondy|mon|tuesday|tueday|tues|tue|wednesday|wednsday|wedensday|weds|wed|thursday|thurday|thurs|thur|thu|"
    "friday|fridy|fri|saturday|satuday|saturady|satruday|sat|sunday|sundy|sun"
)
_EN_WEEKDAY = re.compile(
    rf"\b(?:(?P<pre>this\s+coming|this|next|coming)\s+(?:week\s+)?)?(?P<d>{_EN_WEEKDAY_NAMES})\b"
)
_EN_NEXT_WEEK = re.compile(r"\bnext\s+week\b")
_EN_WEEKEND = re.compile(r"\b(?P<pre>this|next)?\s*weekend\b")
_MONTH = (
    r"(?P<mon>january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|"
    r"october|oct|november|nov|december|dec)\.?"
)
_EN_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b")
_EN_DAY_MONTH = re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![a-z])")
_EN_DAY = re.compile(
    r"\b(?:on\s+(?:the\s+)?|the\s+)(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
    rf"(?!\s*(?:one|option|slot|choice|time|of\s+(?:those|them|these|next\s+month)|(?:of\s+)?{_MONTH}(?![a-z])))"
    # or the first day of a range: "24th to 28th"
    r"|(?<![\d/])(?P<first>\d{1,2})(?:st|nd|rd|th)?\s*(?:to|till|until|through|-|–)\s*(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b"
)
_ZH_NEXT_MONTH = re.compile(
    r"下个?月(?:的)?(?P<d>\d{1,2})\s*(?:号|日)?|(?:这个?|本)月(?:的)?(?P<this>\d{1,2})\s*(?:号|日)"
)
_EN_NEXT_MONTH = re.compile(r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+of\s+next\s+month\b")
# (month, day) of the holidays people book around
_HOLIDAYS = (
    (re.compile(r"平安夜|christmas\s+eve|xmas\s+eve"), (12, 24)),
    (re.compile(r"圣诞(?!夜)|(?<!\w)(?:christmas|xmas)(?!\s+eve|\s+party)(?:\s+day)?\b"), (12, 25)),
    (re.compile(r"跨年|new\s+year'?s\s+eve|\bnye\b"), (12, 31)),
    (re.compile(r"元旦|new\s+year'?s(?:\s+day)?(?!\s+eve)"), (1, 1)),
    (re.compile(r"情人节|valentine'?s"), (2, 14)),
    (re.compile(r"劳动节|五一"), (5, 1)),
    (re.compile(r"儿童节|六一"), (6, 1)),
    (re.compile(r"国庆"), (10, 1)),
)
_EN_IN_DAYS = re.compile(r"\bin\s+(?P<n>\d{1,2}|a|one|two|three|four|five|six|seven)\s+days?\b")


def parse_when(text: str, now: datetime, timezone: str) -> When | None:
    """The day and time the text asks for, or None if it names neither."""
    local = now.astimezone(ZoneInfo(timezone))
    prepared = with_digits(without_greetings(fold(text)))
    day = _first_day(prepared, local.date())
    clock = find_clock(prepared)
    part = find_part(prepared)
    if day is None and clock is None and part is None:
        return None
    return _resolved(day, clock, part, local)


_CHANGE_TO = re.compile(r"改到|改成|改为|改在|换到|换成|换在|挪到|推到|推迟到|延到|延后到|调到|提前到|\bto\b")


def parse_change(text: str, now: datetime, timezone: str) -> When | None:
    """The new time of a move ("把周六的改到周日下午", "move Saturday to 3pm"): what is said
    after the last "改到"/"to" when that names a time, keeping the old day if only a time
    of day is given there."""
    markers = list(_CHANGE_TO.finditer(fold(text)))
    if markers:
        tail = text[markers[-1].end() :]
        target = parse_when(tail, now, timezone)
        if target is not None:
            prepared = with_digits(without_greetings(fold(tail)))
            if _first_day(prepared, now.astimezone(ZoneInfo(timezone)).date()) is None:
                before = parse_when(text[: markers[-1].start()], now, timezone)
                if before is not None:
                    return When(before.date, target.time, target.part)
            return target
    return parse_when(text, now, timezone)


def _resolved(day: _Day | None, clock: Clock | None, part: PartOfDay | None, local: datetime) -> When:
    today, now = local.date(), local.replace(tzinfo=None)
    at = clock.resolve(part) if clock is not None else None
    when = When(day.date if day else today, at, None if at else part)
    if at is not None and clock is not None and clock.may_be_evening(part) and when.date == today:
        later = When(today, time(at.hour + 12, at.minute))
        if _passed(when, now) and not _passed(later, now):
            return later
    at, part = when.time, when.part
    if day is None and _passed(when, now):
        return When(today + timedelta(days=1), at, part)
    if day is not None and day.weekly and _passed(when, now):
        return When(when.date + timedelta(days=7), at, part)
    return when


def _passed(when: When, now: datetime) -> bool:
    if when.time is not None:
        return datetime.combine(when.date, when.time) <= now
    if when.part is not None:
        return datetime.combine(when.date, PART_WINDOWS[when.part][1]) <= now
    return when.date < now.date()


def _first_day(text: str, today: date) -> _Day | None:
    found = [day for finder in _DAY_FINDERS for day in finder(text, today)] or _holidays(text, today)
    return min(found, key=lambda day: day.at) if found else None


def _holidays(text: str, today: date) -> list[_Day]:
    return [
        day
        for pattern, (month, dom) in _HOLIDAYS
        for m in pattern.finditer(text)
        for day in _month_day(m.start(), today, month, dom)
    ]


def _relative_zh(text: str, today: date) -> list[_Day]:
    return [
        _Day(
            m.start(), today + timedelta(days=_ZH_OFFSETS.get(m.group(), 0 if m.group()[0] in "今当" else 1))
        )
        for m in _ZH_RELATIVE.finditer(text)
    ]


def _relative_en(text: str, today: date) -> list[_Day]:
    days = [_Day(m.start(), today + timedelta(days=2)) for m in _EN_AFTER_TOMORROW.finditer(text)]
    if not days:
        days += [_Day(m.start(), today + timedelta(days=1)) for m in _EN_TOMORROW.finditer(text)]
    days += [_Day(m.start(), today) for m in _EN_TODAY.finditer(text)]
    return days


def _weekdays(text: str, today: date) -> list[_Day]:
    days = []
    for m in _ZH_WEEKDAY.finditer(text):
        days.append(_weekday(m.start(), today, _WEEKDAYS_ZH[m.group("d")], _zh_week(m.group("pre"))))
    next_week = _EN_NEXT_WEEK.search(text) is not None
    for m in _EN_WEEKDAY.finditer(text):
        pre = (m.group("pre") or "").split()
        week = (
            "next" if "next" in pre or next_week else "this" if "this" in pre and "coming" not in pre else ""
        )
        days.append(_weekday(m.start(), today, _WEEKDAYS_EN[m.group("d")[:3]], week))
    for m in _ZH_WEEKEND.finditer(text):
        days.append(_weekday(m.start(), today, 5, "next" if m["pre"].startswith("下") else "this"))
    for m in _EN_WEEKEND.finditer(text):
        days.append(_weekday(m.start(), today, 5, "next" if m["pre"] == "next" else "this"))
    return days


def _zh_week(prefix: str) -> str:
    return (
        "after_next"
        if prefix.startswith("下下")
        else "next"
        if prefix.startswith("下")
        else prefix and "this"
    )


def _weekday(at: int, today: date, weekday: int, week: str) -> _Day:
    monday = today - timedelta(days=today.weekday())
    if week == "next":
        return _Day(at, monday + timedelta(days=7 + weekday))
    if week == "after_next":
        return _Day(at, monday + timedelta(days=14 + weekday))
    ahead = (weekday - today.weekday()) % 7
    if week == "this" and weekday < today.weekday():
        return _Day(at, today + timedelta(days=ahead))
    return _Day(at, today + timedelta(days=ahead), weekly=True)


def _calendar(text: str, today: date) -> list[_Day]:
    days = []
    for m in _ISO.finditer(text):
        days += _dated(m.start(), int(m["y"]), int(m["m"]), int(m["d"]))
    for m in _ZH_MONTH_DAY.finditer(text):
        days += _month_day(m.start(), today, int(m["m"]), int(m["d"]), int(m["y"]) if m["y"] else None)
    for m in [*_EN_MONTH_DAY.finditer(text), *_EN_DAY_MONTH.finditer(text)]:
        days += _month_day(m.start(), today, _MONTHS_EN[m["mon"][:3]], int(m["d"]))
    for m in _SLASH.finditer(text):
        first, second = int(m["a"]), int(m["b"])
        month, day = (second, first) if first > 12 else (first, second)
        days += _month_day(m.start(), today, month, day)
    for m in _ZH_DAY.finditer(text):
        days += _day_of_month(m.start(), today, int(m["d"]))
    for m in _EN_DAY.finditer(text):
        days += _day_of_month(m.start(), today, int(m["d"] or m["first"]))
    for m in [*_ZH_NEXT_MONTH.finditer(text), *_EN_NEXT_MONTH.finditer(text)]:
        this_month = m.groupdict().get("this")
        month_start = today.replace(day=1) if this_month else _next_month(today)
        days += _dated(m.start(), month_start.year, month_start.month, int(this_month or m["d"]))
    for m in [*_ZH_IN_DAYS.finditer(text), *_EN_IN_DAYS.finditer(text)]:
        count = _EN_NUMBERS.get(m["n"]) or int(m["n"])
        days.append(_Day(m.start(), today + timedelta(days=count)))
    return days


def _dated(at: int, year: int, month: int, day: int) -> list[_Day]:
    try:
        return [_Day(at, date(year, month, day))]
    except ValueError:
        return []


def _month_day(at: int, today: date, month: int, day: int, year: int | None = None) -> list[_Day]:
    if year is not None:
        return _dated(at, year, month, day)
    for candidate in (today.year, today.year + 1):
        found = _dated(at, candidate, month, day)
        if found and found[0].date >= today:
            return found
    return []


def _next_month(today: date) -> date:
    return date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)


def _day_of_month(at: int, today: date, day: int) -> list[_Day]:
    year, month = today.year, today.month
    for _ in range(3):  # the 31st of a 30-day month is the next month that has one
        found = _dated(at, year, month, day)
        if found and found[0].date >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return []


_DAY_FINDERS: tuple[Callable[[str, date], list[_Day]], ...] = (
    _relative_zh,
    _relative_en,
    _weekdays,
    _calendar,
)


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The wall-clock time as a real instant; one the clocks skip (01:30 when they go
    forward) becomes the time it is then (02:30)."""
    return datetime.combine(day, at, zone).astimezone(UTC).astimezone(zone)
