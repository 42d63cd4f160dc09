"""The Booking aggregate on its own: states, policy and who may do what."""

from datetime import timedelta
from uuid import uuid4

import pytest
from frontdesk_booking.domain.booking import (
    Booking,
    BookingNotFound,
    HoldExpired,
    InvalidTransition,
    NoChangeProposed,
    OutsideCheckInWindow,
    OutsidePolicy,
)
from frontdesk_booking.domain.common import Actor, Forbidden
from frontdesk_booking.domain.placement import Placement
from frontdesk_booking.domain.shop import Policy

from .factories import NOW

POLICY = Policy(hold_minutes=10, cancel_cutoff_hours=2, reschedule_cutoff_hours=3)


def placement(hours_from_now: float, staff=None) -> Placement:
    start = NOW + timedelta(hours=hours_from_now)
    return Placement(start, start + timedelta(hours=1), start + timedelta(minutes=75), staff or uuid4())


@pytest.fixture
def shop_id():
    return uuid4()


@pytest.fixture
def customer(shop_id):
    return Actor(uuid4(), "customer", shop_id)


@pytest.fixture
def staff(shop_id):
    return Actor(uuid4(), "staff", shop_id)


@pytest.fixture
def held(customer):
    booking = Booking(uuid4())
    booking.hold(customer, customer.user_id, None, uuid4(), placement(24), POLICY, NOW)
    return booking


@pytest.fixture
def confirmed(held, customer):
    held.confirm(customer, NOW + timedelta(minutes=1))
    return held


def test_a_hold_lasts_the_policys_minutes_then_cannot_be_confirmed(held, customer):
    assert held.status == "held" and held.hold_expires_at == NOW + timedelta(minutes=10)
    with pytest.raises(HoldExpired):
        held.confirm(customer, NOW + timedelta(minutes=10))
    assert held.status == "expired"
    assert type(held.pending[-1]).__name__ == "HoldExpiredEvent"


def test_confirming_twice_records_once(confirmed, customer):
    count = len(confirmed.pending)
    confirmed.confirm(customer, NOW + timedelta(minutes=2))
    assert len(confirmed.pending) == count and confirmed.status == "confirmed"


def test_a_customer_cannot_hold_for_someone_else_or_in_the_past(customer):
    with pytest.raises(Forbidden):
        Booking(uuid4()).hold(customer, uuid4(), None, uuid4(), placement(24), POLICY, NOW)
    with pytest.raises(OutsidePolicy):
        Booking(uuid4()).hold(customer, customer.user_id, None, uuid4(), placement(-1), POLICY, NOW)
    with pytest.raises(OutsidePolicy):
        Booking(uuid4()).hold(customer, customer.user_id, None, uuid4(), placement(24 * 61), POLICY, NOW)


def test_other_customers_and_other_shops_see_nothing(confirmed, shop_id):
    for stranger in (Actor(uuid4(), "customer", shop_id), Actor(uuid4(), "owner", uuid4())):
        with pytest.raises(BookingNotFound):
            confirmed.cancel(stranger, "", POLICY, NOW)


def test_customer_cancels_before_the_cutoff_but_not_after(confirmed, customer):
    late = confirmed.placement.starts_at - timedelta(hours=1)
    with pytest.raises(OutsidePolicy):
        confirmed.cancel(customer, "", POLICY, late)
    confirmed.cancel(customer, "plans changed", POLICY, late - timedelta(hours=2))
    assert confirmed.status == "cancelled"


def test_the_shop_cancels_at_any_time(confirmed, staff):
    confirmed.cancel(staff, "groomer ill", POLICY, confirmed.placement.starts_at - timedelta(minutes=5))
    assert confirmed.status == "cancelled"


def test_reschedule_keeps_the_id_and_obeys_the_cutoff(confirmed, customer, staff):
    booking_id, target = confirmed.id, placement(48)
    with pytest.raises(OutsidePolicy):
        confirmed.reschedule(customer, target, POLICY, confirmed.placement.starts_at - timedelta(hours=2))
    confirmed.reschedule(customer, target, POLICY, NOW)
    assert confirmed.id == booking_id and confirmed.placement == target
    confirmed.reschedule(staff, placement(49), POLICY, confirmed.placement.starts_at - timedelta(minutes=1))


def test_a_proposal_accepted_moves_the_booking(confirmed, customer, staff):
    target = placement(30)
    confirmed.propose_change(staff, target, "groomer ill; 20% off", keep_if_declined=False, now=NOW)
    with pytest.raises(Forbidden):
        confirmed.accept_change(staff, NOW)
    confirmed.accept_change(customer, NOW)
    assert confirmed.placement == target and confirmed.proposal is None and confirmed.status == "confirmed"


def test_a_proposal_declined_cancels_unless_the_shop_keeps_it(confirmed, customer, staff):
    original = confirmed.placement
    confirmed.propose_change(staff, placement(30), "", keep_if_declined=True, now=NOW)
    confirmed.decline_change(customer, NOW)
    assert confirmed.status == "confirmed" and confirmed.placement == original
    with pytest.raises(NoChangeProposed):
        confirmed.decline_change(customer, NOW)
    confirmed.propose_change(staff, placement(30), "", keep_if_declined=False, now=NOW)
    confirmed.decline_change(customer, NOW)
    assert confirmed.status == "cancelled"


def test_customers_cannot_propose(confirmed, customer):
    with pytest.raises(Forbidden):
        confirmed.propose_change(customer, placement(30), "", False, NOW)


def test_the_day_of_service(confirmed, customer, staff):
    start = confirmed.placement.starts_at
    with pytest.raises(Forbidden):
        confirmed.check_in(customer, POLICY, start)
    confirmed.check_in(staff, POLICY, start - timedelta(minutes=5))
    confirmed.post_progress(staff, uuid4(), "已经开始洗澡了", None, start)
    confirmed.start_service(staff, POLICY, start)
    confirmed.post_progress(staff, uuid4(), "", "photos/done.jpg", start + timedelta(minutes=50))
    confirmed.complete(staff, POLICY, start + timedelta(minutes=60))
    assert confirmed.status == "completed"
    with pytest.raises(InvalidTransition):
        confirmed.cancel(staff, "", POLICY, start)


def test_check_in_start_and_complete_open_only_in_the_shops_window(confirmed, staff, customer):
    start = confirmed.placement.starts_at
    with pytest.raises(OutsideCheckInWindow, match="60 minutes before"):
        confirmed.check_in(staff, POLICY, start - timedelta(hours=68))
    with pytest.raises(OutsideCheckInWindow):
        confirmed.check_in(staff, POLICY, start - timedelta(minutes=61))
    with pytest.raises(BookingNotFound):  # a stranger learns nothing of when it opens
        confirmed.check_in(Actor(uuid4(), "staff", uuid4()), POLICY, start - timedelta(hours=68))
    assert confirmed.status == "confirmed"
    confirmed.check_in(staff, POLICY, start - timedelta(minutes=60))
    assert confirmed.status == "checked_in"

    early_riser = Policy(check_in_window_minutes=3 * 24 * 60)
    other = Booking(uuid4())
    other.hold(customer, customer.user_id, None, uuid4(), placement(72), POLICY, NOW)
    other.confirm(customer, NOW)
    with pytest.raises(OutsideCheckInWindow):
        other.check_in(staff, POLICY, NOW)
    other.check_in(staff, early_riser, NOW)
    with pytest.raises(OutsideCheckInWindow):  # the shop narrowed its window since
        other.start_service(staff, POLICY, NOW)
    other.start_service(staff, early_riser, NOW)
    other.complete(staff, early_riser, NOW + timedelta(hours=1))
    assert other.status == "completed"


def test_no_show_only_after_the_start(confirmed, staff):
    start = confirmed.placement.starts_at
    with pytest.raises(InvalidTransition):
        confirmed.mark_no_show(staff, start - timedelta(minutes=1))
    confirmed.mark_no_show(staff, start + timedelta(minutes=15))
    assert confirmed.status == "no_show" and not confirmed.is_live


def test_replaying_the_events_gives_the_same_booking(confirmed, staff):
    confirmed.propose_change(staff, placement(30), "note", True, NOW)
    replayed = Booking(confirmed.id)
    for event in confirmed.pending:
        replayed.apply(event)
    assert (replayed.status, replayed.placement, replayed.proposal, replayed.version) == (
        confirmed.status,
        confirmed.placement,
        confirmed.proposal,
        confirmed.version,
    )


def stay(days_from_now: int, nights: int) -> Placement:
    check_in = NOW + timedelta(days=days_from_now, hours=15)
    check_out = check_in + timedelta(days=nights, hours=-4)
    return Placement(check_in, check_out, check_out, None, (uuid4(),), nights)


def test_a_stay_keeps_its_price_and_the_cutoffs_count_from_check_in(customer, staff):
    booking = Booking(uuid4())
    booking.hold(customer, customer.user_id, None, uuid4(), stay(2, 3), POLICY, NOW, price_cents=45000)
    booking.confirm(customer, NOW)
    assert (booking.placement.staff_id, booking.placement.nights, booking.price_cents) == (None, 3, 45000)

    longer = stay(2, 5)
    booking.reschedule(customer, longer, POLICY, NOW, price_cents=75000)
    assert (booking.placement, booking.price_cents) == (longer, 75000)
    check_in = longer.starts_at
    with pytest.raises(OutsidePolicy):  # within the cutoff before check-in, though the stay lasts days
        booking.cancel(customer, "", POLICY, check_in - timedelta(hours=1))
    with pytest.raises(OutsidePolicy):
        booking.reschedule(customer, stay(3, 5), POLICY, check_in - timedelta(hours=2), 75000)
    booking.cancel(staff, "kennel flooded", POLICY, check_in + timedelta(days=1))
    replayed = Booking(booking.id)
    for event in booking.pending:
        replayed.apply(event)
    assert replayed.price_cents == 75000 and replayed.status == "cancelled"
