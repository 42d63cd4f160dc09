from datetime import UTC, datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

from frontdesk_notify.domain.reminders import ReminderTimes, plan, still_applies

SHANGHAI = "Asia/Shanghai"


def test_reminders_come_the_day_before_and_on_the_morning_at_the_shops_local_times():
    booking = uuid4()
    starts = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo(SHANGHAI))
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    planned = plan(booking, 3, starts, SHANGHAI, ReminderTimes(time(18, 30), time(8, 0)), now)
    assert [(r.id, r.due_at) for r in planned] == [
        (f"booking:{booking}:v3:day_before", datetime(2026, 11, 19, 18, 30, tzinfo=ZoneInfo(SHANGHAI))),
        (f"booking:{booking}:v3:morning", datetime(2026, 11, 20, 8, 0, tzinfo=ZoneInfo(SHANGHAI))),
    ]


def test_no_reminder_after_its_time_or_after_the_service_starts():
    starts = datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo(SHANGHAI))  # before the 08:00 morning reminder
    now = datetime(2026, 11, 19, 19, 0, tzinfo=ZoneInfo(SHANGHAI))  # after the 18:00 day-before one
    assert plan(uuid4(), 2, starts, SHANGHAI, ReminderTimes(), now) == []


def test_the_day_before_is_a_local_day_across_a_clock_change():
    london = "Europe/London"  # clocks go back on 2026-10-25
    starts = datetime(2026, 10, 26, 9, 0, tzinfo=ZoneInfo(london))
    [day_before, _] = plan(uuid4(), 2, starts, london, ReminderTimes(), datetime(2026, 10, 1, tzinfo=UTC))
    assert day_before.due_at.astimezone(ZoneInfo(london)).replace(tzinfo=None) == datetime(
        2026, 10, 25, 18, 0
    )
    assert day_before.due_at.astimezone(UTC) == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)


def test_a_reminder_applies_only_to_a_booking_still_confirmed_for_the_same_time():
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert still_applies(at, "confirmed", at)
    assert not still_applies(at, "cancelled", at)
    assert not still_applies(at, "confirmed", datetime(2026, 11, 20, 4, 0, tzinfo=UTC))
