"""Timed services that need no staff member (a self-service wash station): they start in
the service's own weekly hours, take only resource units, and leave staff free."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from frontdesk_booking.domain.common import InvalidRequest
from frontdesk_booking.domain.placement import Busy
from frontdesk_booking.domain.shop import Policy
from frontdesk_booking.domain.slots import placements_at, search

from .factories import NOW, pet_shop, wash_station

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 24)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN).astimezone(UTC)


def wall(placements) -> list[str]:
    return [p.starts_at.astimezone(BERLIN).strftime("%H:%M") for p in placements]


def test_a_wash_station_starts_in_its_own_hours_with_no_staff_member():
    shop, owner, _, _ = pet_shop()  # the groomer works 09:00-17:00
    wash = wash_station(shop, owner, hours=(time(8), time(20)))
    slots = search(shop, wash, DAY, DAY, [], NOW)
    assert wall(slots)[0] == "08:00" and wall(slots)[-1] == "19:30"
    assert len(slots) == 47
    assert {p.staff_id for p in slots} == {None}
    assert all(p.keys == p.resource_units and len(p.keys) == 1 for p in slots)


def test_a_taken_wash_station_leaves_the_groomer_free():
    shop, owner, bath, (groomer,) = pet_shop()
    wash = wash_station(shop, owner)
    (washing,) = placements_at(shop, wash, local(DAY, 10), [], NOW)
    busy = [Busy(k, washing.starts_at, washing.occupied_until) for k in washing.keys]
    assert placements_at(shop, wash, local(DAY, 10, 15), busy, NOW) == []
    assert [p.staff_id for p in placements_at(shop, bath, local(DAY, 10), busy, NOW)] == [groomer]


def test_a_busy_groomer_does_not_stop_the_wash_station():
    shop, owner, _, (groomer,) = pet_shop()
    wash = wash_station(shop, owner)
    busy = [Busy(groomer, local(DAY, 0), local(DAY, 23))]
    assert len(search(shop, wash, DAY, DAY, busy, NOW)) == 47


def test_the_service_hours_follow_the_clock_changes_like_staff_hours():
    shop, owner, _, _ = pet_shop(policy=Policy(max_days_ahead=365))
    wash = wash_station(shop, owner, hours=(time(0), time(6)))
    march = wall(search(shop, wash, date(2026, 3, 29), date(2026, 3, 29), [], NOW))
    assert not any(s.startswith("02:") for s in march)
    assert march[:9] == ["00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45", "03:00"]
    october = search(shop, wash, date(2026, 10, 25), date(2026, 10, 25), [], NOW)
    twice = [p.starts_at for p in october if p.starts_at.astimezone(BERLIN).strftime("%H:%M") == "02:15"]
    assert len(twice) == 2 and twice[1] - twice[0] == timedelta(hours=1)


def test_choosing_a_staff_member_for_a_service_without_staff_is_refused():
    shop, owner, _, (groomer,) = pet_shop()
    wash = wash_station(shop, owner)
    with pytest.raises(InvalidRequest, match="no staff member"):
        search(shop, wash, DAY, DAY, [], NOW, staff_id=groomer)
