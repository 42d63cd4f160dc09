"""When a customer wants to come, as the shop's clock reads it."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from frontdesk_ai_assist.domain import When, parse_when

SHANGHAI = "Asia/Shanghai"
WEDNESDAY_9AM = datetime(2026, 11, 18, 9, 0, tzinfo=ZoneInfo(SHANGHAI))


def said(text: str, now: datetime = WEDNESDAY_9AM, timezone: str = SHANGHAI) -> When | None:
    return parse_when(text, now, timezone)


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("周六上午10点", date(2026, 11, 21), time(10)),
        ("明天下午三点", date(2026, 11, 19), time(15)),
        ("今晚7点", date(2026, 11, 18), time(19)),
        ("后天十点半", date(2026, 11, 20), time(10, 30)),
        ("下周二下午两点", date(2026, 11, 24), time(14)),
        ("下周五三点一刻", date(2026, 11, 27), time(15, 15)),
        ("十二月三号下午两点", date(2026, 12, 3), time(14)),
        ("25号上午十点", date(2026, 11, 25), time(10)),
        ("next Tuesday at 3pm", date(2026, 11, 24), time(15)),
        ("Saturday 10am", date(2026, 11, 21), time(10)),
        ("on the 5th at 14:30", date(2026, 12, 5), time(14, 30)),
        ("tmr at half past two", date(2026, 11, 19), time(14, 30)),
        ("Dec 3rd at 11", date(2026, 12, 3), time(11)),
        ("sunday at noon", date(2026, 11, 22), time(12)),
        ("周六１０：３０", date(2026, 11, 21), time(10, 30)),
    ],
)
def test_a_day_and_a_time_become_a_local_date_and_time(text, day, at):
    assert said(text) == When(day, at)


@pytest.mark.parametrize(
    ("text", "day", "part"),
    [
        ("tomorrow morning", date(2026, 11, 19), "morning"),
        ("明早", date(2026, 11, 19), "morning"),
        ("这周五晚上", date(2026, 11, 20), "evening"),
        ("星期天中午", date(2026, 11, 22), "noon"),
        ("this friday afternoon", date(2026, 11, 20), "afternoon"),
        ("tonight", date(2026, 11, 18), "evening"),
    ],
)
def test_without_an_exact_time_the_part_of_the_day_is_kept(text, day, part):
    assert said(text) == When(day, None, part)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("后天", date(2026, 11, 20)),
        ("大后天", date(2026, 11, 21)),
        ("下周二", date(2026, 11, 24)),
        ("下下周三", date(2026, 12, 2)),
        ("3月5号", date(2027, 3, 5)),
        ("12号", date(2026, 12, 12)),
        ("the day after tomorrow", date(2026, 11, 20)),
        ("in 3 days", date(2026, 11, 21)),
        ("this weekend", date(2026, 11, 21)),
        ("11/28", date(2026, 11, 28)),
    ],
)
def test_a_day_alone_is_a_whole_day(text, day):
    assert said(text) == When(day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三点", When(date(2026, 11, 18), time(15))),  # 3 with no am/pm is the afternoon
        ("两点", When(date(2026, 11, 18), time(14))),
        ("10点可以吗", When(date(2026, 11, 18), time(10))),  # still ahead today
        ("8点", When(date(2026, 11, 18), time(20))),  # 8:00 has passed; 20:00 has not
        ("上午8点", When(date(2026, 11, 19), time(8))),  # said to be the morning: tomorrow's
        ("周三上午8点", When(date(2026, 11, 25), time(8))),  # today is Wednesday, 8:00 is gone
        ("周三下午", When(date(2026, 11, 18), None, "afternoon")),  # today's is still ahead
        ("这周一", When(date(2026, 11, 23))),  # this Monday is past: the coming one
        ("周六", When(date(2026, 11, 21))),
    ],
)
def test_times_already_past_roll_forward_to_the_next_sensible_one(text, expected):
    assert said(text) == expected


def test_a_greeting_is_not_a_time():
    assert said("早上好") is None
    assert said("good morning!") is None
    assert said("早上好，想约明天") == When(date(2026, 11, 19))


def test_a_little_is_not_one_oclock():
    assert said("能便宜一点吗") is None
    assert said("早一点可以吗") is None


def test_a_pick_among_options_is_not_a_date():
    assert said("the 2nd one") is None


def test_the_day_is_the_shops_not_the_servers():
    # 20:00 UTC on the 17th is already 04:00 on the 18th in Shanghai.
    utc_evening = datetime(2026, 11, 17, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert said("明天", utc_evening) == When(date(2026, 11, 19))


class TestAcrossTheClockChange:
    """Europe/London leaves summer time at 02:00 on Sunday 25 October 2026."""

    LONDON = "Europe/London"
    SATURDAY_EVENING = datetime(2026, 10, 24, 18, 0, tzinfo=ZoneInfo("Europe/London"))

    def test_tomorrow_at_ten_is_ten_on_the_wall_clock_after_the_change(self):
        when = said("tomorrow at 10am", self.SATURDAY_EVENING, self.LONDON)
        assert when == When(date(2026, 10, 25), time(10))
        start = when.starts_at(self.LONDON)
        assert start is not None
        assert start.utcoffset() == timedelta(0)
        assert start.astimezone(ZoneInfo("UTC")).hour == 10
        # 17 real hours after Saturday 18:00 BST (a naive wall-clock sum says 16)
        utc = ZoneInfo("UTC")
        assert start.astimezone(utc) - self.SATURDAY_EVENING.astimezone(utc) == timedelta(hours=17)

    def test_after_midnight_utc_it_is_already_the_next_day_in_london(self):
        # 23:30 UTC on the 24th is 00:30 BST on the 25th.
        late = datetime(2026, 10, 24, 23, 30, tzinfo=ZoneInfo("UTC"))
        assert said("tomorrow", late, self.LONDON) == When(date(2026, 10, 26))

    def test_a_time_the_clocks_skip_becomes_the_time_it_then_is(self):
        # Clocks go forward at 01:00 on Sunday 28 March 2027: 01:30 does not exist.
        friday = datetime(2027, 3, 26, 12, 0, tzinfo=ZoneInfo("Europe/London"))
        when = said("Sunday at 1:30am", friday, self.LONDON)
        assert when == When(date(2027, 3, 28), time(1, 30))
        start = when.starts_at(self.LONDON)
        assert start is not None
        assert (start.hour, start.minute, start.utcoffset()) == (2, 30, timedelta(hours=1))

    def test_a_morning_window_on_the_change_day_is_three_hours(self):
        when = said("Sunday morning", self.SATURDAY_EVENING, self.LONDON)
        assert when is not None
        start, end = when.window(self.LONDON)
        assert end - start == timedelta(hours=3)
        assert start.utcoffset() == timedelta(0)


def test_shanghai_has_no_clock_change_and_a_whole_day_is_24_hours():
    start, end = When(date(2026, 3, 29)).window(SHANGHAI)
    assert end - start == timedelta(hours=24)
    assert start.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("下个月3号", date(2026, 12, 3)),
        ("下月1号上午", date(2026, 12, 1)),
        ("the 2nd of January", date(2027, 1, 2)),
        ("any time on the 2nd of January?", date(2027, 1, 2)),
        ("平安夜那天", date(2026, 12, 24)),
        ("new year's eve", date(2026, 12, 31)),
        ("元旦那天", date(2027, 1, 1)),
        ("元旦回老家，12月30号送过来", date(2026, 12, 30)),
        ("from the 23rd to the 27th", date(2026, 11, 23)),
        ("12号到15号", date(2026, 12, 12)),
        ("cancel tomorrows bath", date(2026, 11, 19)),
    ],
)
def test_next_month_holidays_ranges_and_the_year_end(text, day):
    when = said(text)
    assert when is not None and when.date == day
