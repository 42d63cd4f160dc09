"""Shop setup on its own: who may change what, and what is recorded."""

from datetime import UTC, datetime, time
from uuid import uuid4

import pytest
from frontdesk_booking.domain.common import Actor, Forbidden, InvalidRequest
from frontdesk_booking.domain.services import WeeklyPeriod
from frontdesk_booking.domain.shop import (
    Policy,
    Resource,
    ServiceDefined,
    Shop,
    ShopConfigured,
    ShopNotSetUp,
    StaffProfile,
    TimeOff,
)

from .factories import NOW, pet_shop


def test_owner_sets_timezone_and_policy_once_and_repeats_record_nothing():
    shop = Shop(uuid4())
    owner = Actor(uuid4(), "owner", shop.id)
    shop.configure(owner, "Asia/Shanghai", Policy(hold_minutes=5), NOW)
    shop.configure(owner, "Asia/Shanghai", Policy(hold_minutes=5), NOW)
    assert [type(e) for e in shop.pending] == [ShopConfigured]
    assert shop.zone.key == "Asia/Shanghai"


def test_a_shop_without_a_timezone_cannot_offer_slots():
    with pytest.raises(ShopNotSetUp):
        _ = Shop(uuid4()).zone


@pytest.mark.parametrize(
    ("timezone", "policy"),
    [
        ("Mars/Olympus", Policy()),
        ("UTC", Policy(hold_minutes=0)),
        ("UTC", Policy(slot_step_minutes=7)),
        ("UTC", Policy(check_in_window_minutes=-1)),
    ],
)
def test_bad_settings_are_refused(timezone, policy):
    shop = Shop(uuid4())
    with pytest.raises(InvalidRequest):
        shop.configure(Actor(uuid4(), "owner", shop.id), timezone, policy, NOW)


def test_staff_and_other_shops_cannot_change_the_catalog():
    shop, _, bath, _ = pet_shop()
    for actor in (Actor(uuid4(), "staff", shop.id), Actor(uuid4(), "owner", uuid4())):
        with pytest.raises(Forbidden):
            shop.define_service(actor, bath, NOW)


def test_a_staff_member_keeps_their_own_hours_and_time_off():
    shop, owner, _, (groomer,) = pet_shop()
    me = Actor(groomer, "staff", shop.id)
    profile = StaffProfile(groomer, "Groomer 0", ("groom",), (WeeklyPeriod(0, time(8), time(12)),))
    shop.set_staff_profile(me, profile, NOW)
    off = TimeOff(uuid4(), datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 3, 24, tzinfo=UTC), "ill")
    shop.add_time_off(me, groomer, off, NOW)
    assert shop.staff[groomer].hours == profile.hours
    assert shop.staff[groomer].time_off == (off,)
    shop.set_staff_profile(me, profile, NOW)  # a profile change keeps the time off
    assert shop.staff[groomer].time_off == (off,)
    with pytest.raises(Forbidden):
        shop.add_time_off(Actor(uuid4(), "staff", shop.id), groomer, off, NOW)
    shop.remove_time_off(owner, groomer, off.id, NOW)
    assert shop.staff[groomer].time_off == ()


def test_each_unit_of_a_resource_has_its_own_stable_id():
    resource = Resource(uuid4(), "Bath stations", "bath", capacity=2)
    assert len(set(resource.units)) == 2
    assert resource.units == Resource(resource.id, "renamed", "bath", capacity=2).units


def test_replayed_events_give_the_same_shop():
    shop, owner, bath, _ = pet_shop()
    shop.define_service(owner, bath.__class__(**{**bath.__dict__, "price_cents": 15000}), NOW)
    assert isinstance(shop.pending[-1], ServiceDefined)
