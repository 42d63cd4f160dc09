"""The segment rules and the campaign's per-recipient decision, without a database."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from frontdesk_notify.domain import campaigns, segments
from frontdesk_notify.domain.segments import Booking, Customer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def customer(**facts) -> Customer:
    return Customer(uuid4(), **facts)


def test_a_new_customer_signed_up_within_the_days():
    new = segments.parse({"kind": "new"})
    assert new == segments.NewCustomers(days=30)
    assert new.includes(customer(joined_at=days_ago(29)), NOW)
    assert not new.includes(customer(joined_at=days_ago(31)), NOW)
    assert not new.includes(customer(), NOW), "a customer known only from bookings never signed up here"
    assert segments.parse({"kind": "new", "days": 7}).includes(customer(joined_at=days_ago(6)), NOW)


def test_a_frequent_customer_completed_enough_bookings_within_the_days():
    frequent = segments.parse({"kind": "frequent", "min_bookings": 2, "days": 30})
    done = [Booking(days_ago(d), "completed", days_ago(d)) for d in (3, 20)]
    assert frequent.includes(customer(bookings=tuple(done)), NOW)
    assert not frequent.includes(
        customer(bookings=(done[0], Booking(days_ago(40), "completed", days_ago(40)))), NOW
    )
    assert not frequent.includes(customer(bookings=(done[0], Booking(days_ago(5), "confirmed"))), NOW)
    assert segments.parse({"kind": "frequent"}) == segments.Frequent(min_bookings=3, days=90)


def test_a_dormant_customer_booked_before_but_not_within_the_days():
    dormant = segments.parse({"kind": "dormant", "days": 60})
    assert dormant.includes(customer(bookings=(Booking(days_ago(90), "completed", days_ago(90)),)), NOW)
    assert not dormant.includes(customer(bookings=(Booking(days_ago(30), "completed", days_ago(30)),)), NOW)
    upcoming = Booking(NOW + timedelta(days=3), "confirmed")
    assert not dormant.includes(customer(bookings=(Booking(days_ago(90), "no_show"), upcoming)), NOW)
    assert not dormant.includes(customer(), NOW), "never booked is not dormant"
    only_cancelled = (Booking(days_ago(90), "cancelled"), Booking(days_ago(80), "expired"))
    assert not dormant.includes(customer(bookings=only_cancelled), NOW)
    recently_cancelled = (Booking(days_ago(90), "completed", days_ago(90)), Booking(days_ago(5), "cancelled"))
    assert dormant.includes(customer(bookings=recently_cancelled), NOW), "a cancelled booking is no visit"


def test_labels_and_species_match_whatever_their_case_and_spaces():
    vip = segments.parse({"kind": "label", "label": "  VIP "})
    assert vip == segments.Labelled("vip")
    assert vip.includes(customer(labels=frozenset({"vip", "new"})), NOW)
    dogs = segments.parse({"kind": "pet_type", "species": "Dog"})
    assert dogs.includes(customer(species=frozenset({"dog"})), NOW)
    assert not dogs.includes(customer(species=frozenset({"cat"})), NOW)
    assert segments.parse({"kind": "pet_type", "species": "柯基"}) == segments.PetType("柯基")


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"kind": "vip"}, "unknown_segment_kind"),
        ({}, "unknown_segment_kind"),
        ("new", "invalid_segment"),
        ({"kind": "new", "days": 0}, "invalid_segment"),
        ({"kind": "new", "days": "30"}, "invalid_segment"),
        ({"kind": "new", "days": True}, "invalid_segment"),
        ({"kind": "frequent", "min_bookings": -1}, "invalid_segment"),
        ({"kind": "dormant", "label": "vip"}, "invalid_segment"),
        ({"kind": "label"}, "invalid_segment"),
        ({"kind": "label", "label": "   "}, "invalid_segment"),
        ({"kind": "pet_type", "species": "x" * 51}, "invalid_segment"),
    ],
)
def test_a_bad_segment_is_refused_with_a_clear_code(spec, code):
    with pytest.raises(segments.InvalidSegment) as refused:
        segments.parse(spec)
    assert refused.value.code == code
    assert refused.value.message


def test_a_segment_is_spelled_out_with_its_defaults():
    assert segments.spec(segments.parse({"kind": "frequent", "days": 30})) == {
        "kind": "frequent",
        "min_bookings": 3,
        "days": 30,
    }
    assert segments.spec(segments.parse({"kind": "label", "label": "VIP"})) == {
        "kind": "label",
        "label": "vip",
    }


def test_opted_out_customers_and_those_reached_within_the_cap_are_skipped():
    cap = timedelta(days=7)
    assert campaigns.verdict([], None, NOW, cap) == "queued"
    assert campaigns.verdict(["marketing"], None, NOW, cap) == "skipped_opted_out"
    assert campaigns.verdict(["campaign"], days_ago(30), NOW, cap) == "skipped_opted_out"
    assert campaigns.verdict(["booking_confirmed"], days_ago(6), NOW, cap) == "skipped_frequency_cap"
    assert campaigns.verdict([], days_ago(7.01), NOW, cap) == "queued"


def test_a_campaign_speaks_the_recipients_language_when_it_has_that_text():
    message = campaigns.message(
        " Spring bath week ", "20% off", {"zh-CN": campaigns.Text("春季洗澡周", "洗澡八折")}
    )
    assert message.in_language("zh-CN") == campaigns.Text("春季洗澡周", "洗澡八折")
    assert message.in_language("en") == campaigns.Text("Spring bath week", "20% off")


@pytest.mark.parametrize(
    ("title", "body", "variants", "code"),
    [
        ("Hi", "   ", {}, "empty_message"),
        ("", "Body", {}, "empty_message"),
        ("Hi", "Body", {"en": campaigns.Text("Hi", "")}, "empty_message"),
        ("Hi", "x" * 1001, {}, "message_too_long"),
        ("Hi", "Body", {"fr": campaigns.Text("Salut", "Corps")}, "unknown_language"),
    ],
)
def test_a_bad_message_is_refused_with_a_clear_code(title, body, variants, code):
    with pytest.raises(campaigns.InvalidCampaign) as refused:
        campaigns.message(title, body, variants)
    assert refused.value.code == code
