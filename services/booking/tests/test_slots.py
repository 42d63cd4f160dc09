"""Slot search in the shop's timezone: hours, breaks, time off, buffers, resources,
existing bookings, and the two nights a year when Berlin's clocks change."""

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from frontdesk_booking.domain.placement import Busy, Timeline
from frontdesk_booking.domain.services import WeeklyPeriod
from frontdesk_booking.domain.shop import Policy, StaffProfile, TimeOff
from frontdesk_booking.domain.slots import _nearest_by_days, nearest, placements_at, search

from .factories import NOW, every_day, pet_shop

BERLIN = ZoneInfo("Europe/Berlin")


def local(day: date, hh: int, mm: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN, fold=fold).astimezone(UTC)


def wall(placements) -> list[str]:
    return [p.starts_at.astimezone(BERLIN).strftime("%H:%M") for p in placements]


def test_an_ordinary_day_offers_every_quarter_hour_that_ends_by_closing_time():
    shop, _, bath, _ = pet_shop()
    day = date(2026, 3, 24)
    slots = search(shop, bath, day, day, [], NOW)
    assert wall(slots)[0] == "09:00" and wall(slots)[-1] == "16:00"
    assert len(slots) == 29
    assert slots[0].starts_at == datetime(2026, 3, 24, 8, 0, tzinfo=UTC)  # CET is UTC+1
    assert slots[0].ends_at - slots[0].starts_at == timedelta(minutes=60)
    assert slots[0].occupied_until - slots[0].ends_at == timedelta(minutes=15)


def test_the_same_opening_hours_are_an_hour_earlier_in_utc_after_clocks_go_forward():
    shop, _, bath, _ = pet_shop()
    saturday, sunday = date(2026, 3, 28), date(2026, 3, 29)
    assert search(shop, bath, saturday, saturday, [], NOW)[0].starts_at == datetime(
        2026, 3, 28, 8, tzinfo=UTC
    )
    assert search(shop, bath, sunday, sunday, [], NOW)[0].starts_at == datetime(2026, 3, 29, 7, tzinfo=UTC)


def test_the_skipped_hour_in_march_is_never_offered_and_durations_are_real_time():
    shop, _, bath, _ = pet_shop(hours=(time(0), time(6)))
    day = date(2026, 3, 29)  # 02:00 CET jumps to 03:00 CEST
    slots = search(shop, bath, day, day, [], NOW)
    starts = wall(slots)
    assert not any(s.startswith("02:") for s in starts)
    assert starts[:9] == ["00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45", "03:00"]
    assert starts[-1] == "05:00"
    assert len(slots) == 17
    at_1_45 = slots[7]
    assert at_1_45.ends_at.astimezone(BERLIN).strftime("%H:%M") == "03:45"  # 60 real minutes
    assert all(b.starts_at > a.starts_at for a, b in itertools.pairwise(slots))


def test_the_repeated_hour_in_october_is_offered_twice_as_different_instants():
    shop, _, bath, _ = pet_shop(hours=(time(0), time(6)), policy=Policy(max_days_ahead=365))
    day = date(2026, 10, 25)  # 03:00 CEST falls back to 02:00 CET
    slots = search(shop, bath, day, day, [], NOW)
    starts = wall(slots)
    assert starts.count("02:15") == 2
    assert len(slots) == 25
    first, second = [
        p.starts_at for p in slots if p.starts_at.astimezone(BERLIN).strftime("%H:%M") == "02:15"
    ]
    assert second - first == timedelta(hours=1)
    assert first == datetime(2026, 10, 25, 0, 15, tzinfo=UTC)


def test_working_hours_that_span_the_change_last_one_hour_less_in_march():
    shop, _, bath, _ = pet_shop(hours=(time(1), time(4)))
    day = date(2026, 3, 29)
    slots = search(shop, bath, day, day, [], NOW)
    assert all(p.ends_at <= local(day, 4) for p in slots)
    assert wall(slots) == ["01:00", "01:15", "01:30", "01:45", "03:00"]  # 01:00-04:00 is 2 real hours


def test_an_existing_booking_and_its_buffer_block_overlapping_starts():
    shop, _, bath, (groomer,) = pet_shop()
    day = date(2026, 3, 24)
    busy = [Busy(groomer, local(day, 10), local(day, 11, 15))]
    starts = wall(search(shop, bath, day, day, busy, NOW))
    assert "08:45" not in starts and "09:00" not in starts and "11:00" not in starts
    assert "09:15" not in starts  # 09:15 + 60 + 15 min buffer runs into 10:00
    assert starts[0] == "11:15"


def test_breaks_and_time_off_are_respected():
    shop, owner, bath, (groomer,) = pet_shop()
    profile = shop.staff[groomer]
    shop.set_staff_profile(
        owner,
        StaffProfile(
            groomer, profile.name, profile.skills, profile.hours, (WeeklyPeriod(1, time(12), time(13)),)
        ),
        NOW,
    )
    tuesday, wednesday = date(2026, 3, 24), date(2026, 3, 25)
    starts = wall(search(shop, bath, tuesday, tuesday, [], NOW))
    assert "11:00" not in starts and "12:30" not in starts
    assert "10:45" in starts and "13:00" in starts
    shop.add_time_off(owner, groomer, TimeOff(uuid4(), local(wednesday, 0), local(wednesday, 23, 59)), NOW)
    assert search(shop, bath, wednesday, wednesday, [], NOW) == []


def test_two_bath_stations_serve_two_groomers_and_a_third_waits():
    shop, _, bath, _groomers = pet_shop(groomers=3, stations=2)
    day = date(2026, 3, 24)
    at_ten = local(day, 10)
    assert len(placements_at(shop, bath, at_ten, [], NOW)) == 3
    busy: list[Busy] = []
    booked = []
    for _ in range(2):
        placement = placements_at(shop, bath, at_ten, busy, NOW)[0]
        booked.append(placement)
        busy += [Busy(k, placement.starts_at, placement.occupied_until) for k in placement.keys]
    assert booked[0].resource_units != booked[1].resource_units
    assert booked[0].staff_id != booked[1].staff_id
    assert placements_at(shop, bath, at_ten, busy, NOW) == []
    assert len(placements_at(shop, bath, local(day, 11, 15), busy, NOW)) == 3


def test_a_chosen_staff_member_only():
    shop, _, bath, groomers = pet_shop(groomers=2)
    day = date(2026, 3, 24)
    slots = search(shop, bath, day, day, [], NOW, staff_id=groomers[1])
    assert {p.staff_id for p in slots} == {groomers[1]}


def test_nothing_in_the_past_or_beyond_the_booking_horizon():
    shop, _, bath, _ = pet_shop(policy=Policy(max_days_ahead=10))
    now = local(date(2026, 3, 24), 12)
    today = wall(search(shop, bath, date(2026, 3, 24), date(2026, 3, 24), [], now))
    assert today[0] == "12:00"
    assert search(shop, bath, date(2026, 4, 10), date(2026, 4, 10), [], now) == []


def test_staff_without_the_skill_are_not_offered():
    shop, owner, bath, _ = pet_shop(groomers=0)
    shop.set_staff_profile(
        owner, StaffProfile(uuid4(), "Cashier", ("till",), every_day(time(9), time(17))), NOW
    )
    assert search(shop, bath, date(2026, 3, 24), date(2026, 3, 24), [], NOW) == []


def test_nearest_alternatives_are_the_closest_free_times():
    shop, _, bath, (groomer,) = pet_shop()
    day = date(2026, 3, 24)
    busy = [Busy(groomer, local(day, 10), local(day, 11, 15))]
    alternatives, settled = nearest(shop, bath, local(day, 10), busy, NOW)
    assert settled
    assert wall(alternatives) == ["11:15", "11:30", "11:45"]  # nothing before 09:00 opens


def test_nearest_and_placements_at_find_what_a_search_of_every_day_finds():
    # the day-by-day search (still used for stays) is the reference
    rng = random.Random(5)
    shop, _, bath, groomers = pet_shop(groomers=3, stations=2)
    units = shop.units_of_type("bath")
    for case in range(60):
        first = date(2026, 3, 22)
        busy = []
        for _ in range(rng.randrange(0, 400)):
            start = local(
                first + timedelta(days=rng.randrange(0, 9)), rng.randrange(8, 17), 15 * rng.randrange(4)
            )
            key = rng.choice([*groomers, *units])
            busy.append(Busy(key, start, start + timedelta(minutes=rng.choice((45, 75, 150, 480)))))
        around = local(
            first + timedelta(days=rng.randrange(1, 8)), rng.randrange(6, 20), 15 * rng.randrange(4)
        )
        staff_id = rng.choice([None, None, groomers[0]])
        for max_days in (1, 3):
            expected = _nearest_by_days(shop, bath, around, busy, NOW, staff_id, 3, max_days, None)
            assert nearest(shop, bath, around, busy, NOW, staff_id, max_days=max_days) == expected, case
        day = around.astimezone(BERLIN).date()
        at_start = search(shop, bath, day, day, busy, NOW, staff_id, only_at=around)
        assert placements_at(shop, bath, around, busy, NOW, staff_id) == at_start, case


def test_timeline_merges_overlaps_and_touching_intervals_do_not_collide():
    key = uuid4()
    t = datetime(2026, 1, 1, tzinfo=UTC)
    timeline = Timeline(
        [Busy(key, t, t + timedelta(hours=1)), Busy(key, t + timedelta(minutes=30), t + timedelta(hours=2))]
    )
    assert not timeline.is_free(key, t + timedelta(minutes=90), t + timedelta(minutes=100))
    assert timeline.is_free(key, t + timedelta(hours=2), t + timedelta(hours=3))
    assert timeline.is_free(key, t - timedelta(hours=1), t)
