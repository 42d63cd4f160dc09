"""Which free times the assistant offers."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from frontdesk_ai_assist.domain import When
from frontdesk_ai_assist.domain.slot_choice import choose

SHANGHAI = ZoneInfo("Asia/Shanghai")
SATURDAY = date(2026, 11, 21)


def at(hour, minute=0, day=SATURDAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def hours(chosen):
    return [c.astimezone(SHANGHAI).strftime("%H:%M") for c in chosen]


FREE = [at(h, m) for h in range(9, 17) for m in (0, 30)] + [at(10)]  # two groomers free at 10:00


def test_a_free_exact_time_is_offered_alone():
    assert hours(choose(FREE, When(SATURDAY, time(10)), "Asia/Shanghai")) == ["10:00"]


def test_a_taken_exact_time_offers_the_three_nearest_that_day():
    free = [s for s in FREE if s != at(10)]
    assert hours(choose(free, When(SATURDAY, time(10)), "Asia/Shanghai")) == ["09:00", "09:30", "10:30"]


def test_a_part_of_the_day_is_spread_over_it():
    assert hours(choose(FREE, When(SATURDAY, part="morning"), "Asia/Shanghai")) == ["09:00", "10:00", "11:30"]


def test_a_full_morning_offers_the_nearest_afterwards():
    afternoon = [s for s in FREE if s.hour >= 14]
    assert hours(choose(afternoon, When(SATURDAY, part="morning"), "Asia/Shanghai")) == [
        "14:00",
        "14:30",
        "15:00",
    ]


def test_a_whole_day_and_other_days():
    assert hours(choose(FREE, When(SATURDAY), "Asia/Shanghai")) == ["09:00", "13:00", "16:30"]
    assert choose([at(10, day=date(2026, 11, 22))], When(SATURDAY), "Asia/Shanghai") == []
