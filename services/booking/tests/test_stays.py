"""Nightly stays (boarding): check-in and check-out on the shop's wall clock, one kennel
for the whole stay, clock changes inside a stay, and how many nights may be asked for."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from frontdesk_booking.domain.placement import Busy
from frontdesk_booking.domain.services import InvalidNights
from frontdesk_booking.domain.shop import Policy
from frontdesk_booking.domain.slots import nearest, placements_at, search

from .factories import NOW, boarding_shop, pet_shop

BERLIN = ZoneInfo("Europe/Berlin")
D = date(2026, 4, 10)


def local(day: date, hh: int, mm: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN, fold=fold).astimezone(UTC)


def night(n: int) -> tuple[datetime, datetime]:
    """The n-th night from D (1-based), from check-in to check-out."""
    return local(D + timedelta(days=n - 1), 15), local(D + timedelta(days=n), 11)


def test_a_stay_runs_from_check_in_to_check_out_the_day_after_the_last_night():
    shop, _, boarding, (kennel, _) = boarding_shop()
    (stay,) = search(shop, boarding, D, D, [], NOW, nights=3)
    assert (stay.starts_at, stay.ends_at) == (local(D, 15), local(date(2026, 4, 13), 11))
    assert (stay.staff_id, stay.resource_units, stay.nights) == (None, (kennel,), 3)
    assert stay.keys == (kennel,)  # no staff member is allocated
    assert boarding.price_for(3) == 45000


def test_search_offers_one_check_in_date_per_day_with_the_kennel_it_would_get():
    shop, _, boarding, (first, second) = boarding_shop()
    busy = [Busy(first, *night(1))]
    stays = search(shop, boarding, D, D + timedelta(days=6), busy, NOW, nights=2)
    assert [s.starts_at for s in stays] == [local(D + timedelta(days=n), 15) for n in range(7)]
    assert [s.resource_units for s in stays] == [(second,)] + [(first,)] * 6


def test_the_same_kennel_for_the_whole_stay_even_when_each_night_has_a_free_one():
    shop, _, boarding, (a, b) = boarding_shop()
    busy = [Busy(a, *night(3)), Busy(b, *night(1))]
    for n in range(3):  # every single night some kennel is free...
        assert search(shop, boarding, D + timedelta(days=n), D + timedelta(days=n), busy, NOW, nights=1)
    assert search(shop, boarding, D, D, busy, NOW, nights=3) == []  # ...but no kennel all along
    assert [s.resource_units for s in search(shop, boarding, D, D, busy, NOW, nights=2)] == [(a,)]
    day2 = D + timedelta(days=1)
    assert [s.resource_units for s in search(shop, boarding, day2, day2, busy, NOW, nights=2)] == [(b,)]


def test_a_kennel_checked_out_in_the_morning_takes_the_next_pet_that_afternoon():
    shop, _, boarding, (kennel,) = boarding_shop(kennels=1)
    busy = [Busy(kennel, local(D, 15), local(D + timedelta(days=2), 11))]
    after = D + timedelta(days=2)
    assert search(shop, boarding, D + timedelta(days=1), D + timedelta(days=1), busy, NOW, nights=1) == []
    assert [s.starts_at for s in search(shop, boarding, after, after, busy, NOW, nights=1)] == [
        local(after, 15)
    ]


def test_a_stay_over_the_march_clock_change_is_an_hour_shorter_on_the_same_wall_clock():
    shop, _, boarding, _ = boarding_shop()
    (stay,) = search(shop, boarding, date(2026, 3, 28), date(2026, 3, 28), [], NOW, nights=2)
    assert stay.starts_at == datetime(2026, 3, 28, 14, tzinfo=UTC)  # 15:00 CET
    assert stay.ends_at == datetime(2026, 3, 30, 9, tzinfo=UTC)  # 11:00 CEST
    assert stay.ends_at - stay.starts_at == timedelta(hours=43)
    # and another pet may check in at 15:00 on the day it leaves, though the clocks moved
    busy = [Busy(k, stay.starts_at, stay.occupied_until) for k in stay.keys]
    assert search(shop, boarding, date(2026, 3, 30), date(2026, 3, 30), busy, NOW, nights=1)


def test_a_stay_over_the_october_clock_change_is_an_hour_longer():
    shop, _, boarding, _ = boarding_shop()
    (stay,) = search(shop, boarding, date(2026, 10, 24), date(2026, 10, 24), [], NOW, nights=2)
    assert stay.starts_at.astimezone(BERLIN).time() == time(15)
    assert stay.ends_at.astimezone(BERLIN).time() == time(11)
    assert stay.ends_at - stay.starts_at == timedelta(hours=45)


def test_a_check_in_time_the_clocks_skip_is_not_offered_and_one_they_repeat_is_offered_once():
    shop, _, boarding, _ = boarding_shop(check_in=time(2, 30), check_out=time(1))
    march = search(shop, boarding, date(2026, 3, 28), date(2026, 3, 30), [], NOW, nights=1)
    assert [s.starts_at.astimezone(BERLIN).date() for s in march] == [date(2026, 3, 28), date(2026, 3, 30)]
    (october,) = search(shop, boarding, date(2026, 10, 25), date(2026, 10, 25), [], NOW, nights=1)
    assert october.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


def test_a_check_out_time_the_clocks_repeat_is_the_later_one():
    shop, _, boarding, _ = boarding_shop(check_out=time(2, 30))
    (stay,) = search(shop, boarding, date(2026, 10, 24), date(2026, 10, 24), [], NOW, nights=1)
    assert stay.ends_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second 02:30 (CET)


def test_holding_a_check_in_offers_every_free_kennel_so_a_lost_race_takes_the_next():
    shop, _, boarding, (a, b) = boarding_shop()
    at = local(D, 15)
    assert [p.resource_units for p in placements_at(shop, boarding, at, [], NOW, nights=4)] == [(a,), (b,)]
    busy = [Busy(a, *night(2))]
    assert [p.resource_units for p in placements_at(shop, boarding, at, busy, NOW, nights=4)] == [(b,)]
    assert placements_at(shop, boarding, local(D, 16), [], NOW, nights=4) == []  # not a check-in time


def test_the_nearest_other_check_in_dates_for_the_same_nights():
    shop, _, boarding, (kennel,) = boarding_shop(kennels=1)
    busy = [Busy(kennel, local(D, 15), local(D + timedelta(days=3), 11))]
    wanted = local(D + timedelta(days=1), 15)
    alternatives, settled = nearest(shop, boarding, wanted, busy, NOW, nights=2)
    assert settled
    assert [a.starts_at for a in alternatives] == [
        local(D - timedelta(days=2), 15),
        local(D + timedelta(days=3), 15),
        local(D + timedelta(days=4), 15),
    ]
    assert {a.nights for a in alternatives} == {2}


def test_no_check_in_beyond_the_booking_horizon():
    shop, _, boarding, _ = boarding_shop(policy=Policy(max_days_ahead=10))
    stays = search(shop, boarding, date(2026, 3, 28), date(2026, 4, 2), [], NOW, nights=5)
    assert [s.starts_at.astimezone(BERLIN).date() for s in stays] == [date(2026, 3, 28), date(2026, 3, 29)]


@pytest.mark.parametrize("nights", [None, 0, 31])
def test_a_stay_needs_1_to_30_nights(nights):
    shop, _, boarding, _ = boarding_shop()
    with pytest.raises(InvalidNights):
        search(shop, boarding, D, D, [], NOW, nights=nights)


def test_nights_are_refused_for_a_timed_service():
    shop, _, bath, _ = pet_shop()
    with pytest.raises(InvalidNights, match="nightly"):
        search(shop, bath, D, D, [], NOW, nights=2)
