"""Care cycles' due dates and notices, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from frontdesk_notify.domain import care

SHANGHAI = "Asia/Shanghai"


def test_monthly_and_yearly_cycles_count_from_since_and_keep_the_day_where_a_month_has_it():
    deworming = care.Cycle("deworming", 3, "month", date(2024, 11, 30))
    assert deworming.due_dates_after(date(2024, 12, 1)) == date(2025, 2, 28)
    assert deworming.due_dates_after(date(2025, 2, 28)) == date(2025, 5, 30)  # not drifting to the 28th
    birthday = care.Cycle("birthday", 1, "year", date(2020, 2, 29))
    assert birthday.due_dates_after(date(2023, 1, 1)) == date(2023, 2, 28)
    assert birthday.due_dates_after(date(2024, 1, 1)) == date(2024, 2, 29)


def test_a_bath_due_within_the_notice_days_is_noticed_now_and_a_past_one_never():
    now = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    bath = care.Cycle("bath", 4, "week", date(2025, 2, 16), notice_days_before=7)
    upcoming = care.next_notice(bath, None, now, SHANGHAI)
    assert (upcoming.due_on, upcoming.notice_at) == (date(2025, 3, 16), now)
    overdue = care.Cycle("bath", 4, "week", date(2025, 2, 1))  # due on 1 Mar, before the cycle was set
    later = care.next_notice(overdue, None, now, SHANGHAI)
    assert later.due_on == date(2025, 3, 29)
    assert later.notice_at == datetime(2025, 3, 22, 2, 0, tzinfo=UTC)


def test_a_due_date_already_noticed_is_not_noticed_again():
    now = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    bath = care.Cycle("bath", 4, "week", date(2025, 2, 16))
    assert care.next_notice(bath, date(2025, 3, 16), now, SHANGHAI).due_on == date(2025, 4, 13)


def test_opt_outs_and_the_frequency_cap_hold_a_notice_back_but_not_past_its_due_date():
    now, cap = datetime(2025, 3, 10, tzinfo=UTC), timedelta(days=7)
    due_end = care.day_end(date(2025, 3, 16), SHANGHAI)
    assert care.verdict({"care"}, None, cap, now, due_end) == ("skipped_opted_out", None)
    assert care.verdict({"marketing"}, None, cap, now, due_end) == ("skipped_opted_out", None)
    reached = now - timedelta(days=5)
    assert care.verdict(set(), reached, cap, now, due_end) == ("deferred", reached + cap)
    assert care.verdict(set(), now, cap, now, due_end) == ("skipped_frequency_cap", None)
    assert care.verdict(set(), None, cap, now, due_end) == ("queued", None)


def test_the_booking_link_opens_the_shops_booking_screen_for_the_pet():
    shop, pet, service = uuid4(), uuid4(), uuid4()
    link = care.booking_link("https://book.example/b", shop, pet, service)
    assert link == f"https://book.example/b?shop_id={shop}&pet_id={pet}&service_id={service}"
