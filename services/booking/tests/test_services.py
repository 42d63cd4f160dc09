"""What a service may be: done by staff in their hours, timed without staff in its own
hours, or nightly (boarding); a booking's nights and price."""

from datetime import time
from uuid import uuid4

import pytest
from frontdesk_booking.domain.common import InvalidRequest
from frontdesk_booking.domain.services import InvalidNights, InvalidService, Service

from .factories import every_day

WASH = Service(
    uuid4(), "Wash", 30, resource_types=("wash",), needs_staff=False, hours=every_day(time(8), time(20))
)
BOARDING = Service(
    uuid4(),
    "Boarding",
    1440,
    price_cents=15000,
    resource_types=("kennel",),
    needs_staff=False,
    per_night=True,
    check_in=time(15),
    check_out=time(11),
)


def test_the_three_kinds_of_service_are_valid():
    for service in (Service(uuid4(), "Bath", 60, skill="groom"), WASH, BOARDING):
        service.check()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"resource_types": ()}, "needs a resource type"),
        ({"needs_staff": True}, "needs no staff member"),
        ({"check_in": None}, "needs check_in and check_out"),
        ({"skill": "groom"}, "needs no skill"),
        ({"hours": every_day(time(8), time(9))}, "no weekly hours"),
    ],
)
def test_a_nightly_service_needs_a_kennel_and_check_in_and_out_times_and_no_staff(changes, problem):
    with pytest.raises(InvalidService, match=problem):
        Service(**{**vars(BOARDING), **changes}).check()


@pytest.mark.parametrize(
    ("service", "problem"),
    [
        (Service(**{**vars(WASH), "hours": ()}), "needs its own weekly hours"),
        (Service(**{**vars(WASH), "resource_types": ()}), "needs a resource type"),
        (Service(uuid4(), "Bath", 60, hours=every_day(time(8), time(9))), "follows their hours"),
        (Service(uuid4(), "Bath", 60, check_in=time(15)), "for nightly services"),
    ],
)
def test_hours_are_for_services_without_staff_and_check_in_for_nightly_ones(service, problem):
    with pytest.raises(InvalidService, match=problem):
        service.check()
    assert InvalidService.code == "invalid_service" and issubclass(InvalidService, InvalidRequest)


def test_a_stay_is_priced_per_night_and_asks_for_1_to_30_nights():
    assert BOARDING.price_for(3) == 45000
    BOARDING.check_booking(None, 30)
    for nights in (None, 0, 31):
        with pytest.raises(InvalidNights):
            BOARDING.check_booking(None, nights)
    with pytest.raises(InvalidNights, match="nightly services"):
        WASH.check_booking(None, 2)
    with pytest.raises(InvalidRequest, match="no staff member"):
        WASH.check_booking(uuid4(), None)
