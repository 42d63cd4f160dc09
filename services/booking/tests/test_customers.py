"""Pets (and children) and waitlist entries on their own."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from frontdesk_booking.domain.common import Actor, Forbidden, InvalidRequest
from frontdesk_booking.domain.pets import Pet, PetNotFound, Profile
from frontdesk_booking.domain.waitlist import Offer, WaitlistEntry, WaitlistEntryNotFound, Wish

from .factories import NOW

OFFER = Offer(NOW, NOW + timedelta(minutes=30), "Bath", "Asia/Shanghai")
MOCHI = Profile("pet", "Mochi", "dog", "Golden Retriever", date(2022, 5, 1), ("chicken",), "shy", "")


@pytest.fixture
def shop_id():
    return uuid4()


def test_a_customer_registers_their_pet_and_the_shops_staff_update_it(shop_id):
    customer, staff = Actor(uuid4(), "customer", shop_id), Actor(uuid4(), "staff", shop_id)
    pet = Pet(uuid4())
    pet.register(customer, customer.user_id, MOCHI, NOW)
    pet.update(staff, Profile(**{**MOCHI.__dict__, "notes": "likes warm water"}), NOW)
    assert pet.profile.notes == "likes warm water" and len(pet.pending) == 2


def test_nobody_else_sees_or_changes_a_pet(shop_id):
    customer = Actor(uuid4(), "customer", shop_id)
    pet = Pet(uuid4())
    pet.register(customer, customer.user_id, MOCHI, NOW)
    for stranger in (Actor(uuid4(), "customer", shop_id), Actor(uuid4(), "owner", uuid4())):
        with pytest.raises(PetNotFound):
            pet.update(stranger, MOCHI, NOW)
    with pytest.raises(Forbidden):
        Pet(uuid4()).register(customer, uuid4(), MOCHI, NOW)


def test_a_pet_needs_a_name_and_a_past_birth_date(shop_id):
    customer = Actor(uuid4(), "customer", shop_id)
    for profile in (Profile("pet", " "), Profile("child", "Lele", birth_date=NOW.date() + timedelta(days=1))):
        with pytest.raises(InvalidRequest):
            Pet(uuid4()).register(customer, customer.user_id, profile, NOW)


def test_a_waiting_customer_is_offered_once_and_can_leave_before(shop_id):
    customer = Actor(uuid4(), "customer", shop_id)
    wish = Wish(uuid4(), NOW, NOW + timedelta(hours=1))
    entry = WaitlistEntry(uuid4())
    entry.join(customer, customer.user_id, wish, NOW)
    booking_id = uuid4()
    entry.offer(booking_id, OFFER, NOW)
    entry.offer(uuid4(), OFFER, NOW)
    assert (entry.status, entry.booking_id, len(entry.pending)) == ("offered", booking_id, 2)
    other = WaitlistEntry(uuid4())
    other.join(customer, customer.user_id, wish, NOW)
    with pytest.raises(WaitlistEntryNotFound):
        other.leave(Actor(uuid4(), "customer", shop_id), NOW)
    other.leave(customer, NOW)
    other.offer(uuid4(), OFFER, NOW)
    assert other.status == "left"


def test_an_offer_turned_down_or_run_out_ends_the_entry_and_only_that_offer(shop_id):
    customer = Actor(uuid4(), "customer", shop_id)
    wish = Wish(uuid4(), NOW, NOW + timedelta(hours=1))
    for outcome in ("declined", "expired"):
        entry = WaitlistEntry(uuid4())
        entry.join(customer, customer.user_id, wish, NOW)
        booking_id = uuid4()
        entry.offer(booking_id, OFFER, NOW)
        entry.end_offer(uuid4(), outcome, NOW)
        assert entry.status == "offered", "another booking's end is not this offer's"
        entry.end_offer(booking_id, outcome, NOW)
        entry.book(booking_id, NOW)
        assert entry.status == outcome
