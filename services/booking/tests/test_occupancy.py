"""The batch's occupancy: what a slot search sees as its commands place, confirm and release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from frontdesk_booking.domain.occupancy import ANYONE, Allocation, Occupancy
from frontdesk_booking.domain.placement import Placement

T = datetime(2026, 3, 24, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)


def read(*rows: Allocation) -> Occupancy:
    occupancy = Occupancy()
    occupancy.extend(rows, [(T - 24 * HOUR, T + 24 * HOUR)])
    return occupancy


def test_a_search_avoids_live_rows_but_not_lapsed_holds_nor_the_booking_itself():
    groomer, held, lapsed, mine = uuid4(), uuid4(), uuid4(), uuid4()
    occupancy = read(
        Allocation(T, T + HOUR, groomer, held, "current", T + 2 * HOUR),
        Allocation(T + 2 * HOUR, T + 3 * HOUR, groomer, lapsed, "current", T),
        Allocation(T + 4 * HOUR, T + 5 * HOUR, groomer, mine, "current", None),
    )
    seen = occupancy.seen_at(T + HOUR, ignore=mine)
    assert not seen.is_free(groomer, T + HOUR / 2, T + 2 * HOUR)
    assert seen.is_free(groomer, T + HOUR, T + 2 * HOUR)  # back to back is free
    assert seen.is_free(groomer, T + 2 * HOUR, T + 3 * HOUR)  # that hold ran out
    assert seen.is_free(groomer, T + 4 * HOUR, T + 5 * HOUR)  # its own time
    assert not occupancy.seen_at(T + HOUR).is_free(groomer, T + 4 * HOUR, T + 5 * HOUR)
    assert occupancy.seen_at(T + 2 * HOUR).is_free(groomer, T, T + HOUR)  # it lapses at its expiry


def test_what_the_batch_places_confirms_and_releases_is_seen_by_the_next_search():
    groomer, station, booking = uuid4(), uuid4(), uuid4()
    occupancy = read()
    placement = Placement(T, T + HOUR, T + HOUR, groomer, (station,))
    occupancy.place(booking, (placement,), T + HOUR / 2, "current")
    assert not occupancy.seen_at(T).is_free(station, T, T + HOUR)
    assert occupancy.seen_at(T + HOUR).is_free(station, T, T + HOUR)  # the hold lapsed
    occupancy.confirm(booking)
    assert not occupancy.seen_at(T + HOUR).is_free(station, T, T + HOUR)  # confirmed: it does not lapse
    occupancy.release(booking)
    assert occupancy.seen_at(T).is_free(groomer, T, T + HOUR)
    assert occupancy.seen_at(T).is_free(station, T, T + HOUR)


def test_a_promoted_proposal_replaces_the_booking_s_placement():
    groomer, booking = uuid4(), uuid4()
    occupancy = read(
        Allocation(T, T + HOUR, groomer, booking, "current", None),
        Allocation(T + 3 * HOUR, T + 4 * HOUR, groomer, booking, "proposed", None),
    )
    occupancy.release(booking, "proposed")
    assert occupancy.seen_at(T).is_free(groomer, T + 3 * HOUR, T + 4 * HOUR)
    occupancy.place(
        booking, (Placement(T + 3 * HOUR, T + 4 * HOUR, T + 4 * HOUR, groomer),), None, "proposed"
    )
    occupancy.promote(booking)
    seen = occupancy.seen_at(T)
    assert seen.is_free(groomer, T, T + HOUR) and not seen.is_free(groomer, T + 3 * HOUR, T + 4 * HOUR)


def test_only_what_was_not_read_is_missing_and_a_row_read_twice_goes_with_both_copies():
    groomer, booking = uuid4(), uuid4()
    occupancy = read(Allocation(T + 23 * HOUR, T + 25 * HOUR, groomer, booking, "current", T))
    assert occupancy.covering(T, T + HOUR) and not occupancy.covering(T, T + 25 * HOUR)
    assert occupancy.missing([(T - 30 * HOUR, T), (T + 20 * HOUR, T + 30 * HOUR)]) == [
        (T - 30 * HOUR, T - 24 * HOUR),
        (T + 24 * HOUR, T + 30 * HOUR),
    ]
    # the same hold again, read with the next day; and a merged run of others' bookings
    occupancy.extend(
        [
            Allocation(T + 23 * HOUR, T + 25 * HOUR, groomer, booking, "current", T),
            Allocation(T + 26 * HOUR, T + 28 * HOUR, groomer, ANYONE, "current", None),
        ],
        [(T + 24 * HOUR, T + 30 * HOUR)],
    )
    assert occupancy.missing([(T, T + 30 * HOUR)]) == []
    occupancy.confirm(booking)
    assert not occupancy.seen_at(T + HOUR).is_free(groomer, T + 24 * HOUR, T + 25 * HOUR)
    occupancy.release(booking)
    seen = occupancy.seen_at(T)
    assert seen.is_free(groomer, T + 23 * HOUR, T + 26 * HOUR)
    assert not seen.is_free(groomer, T + 27 * HOUR, T + 28 * HOUR)


def test_a_search_within_a_stretch_still_sees_a_long_row_that_began_before_it():
    kennel, stay, bath = uuid4(), uuid4(), uuid4()
    occupancy = read(
        Allocation(T - 20 * HOUR, T + 20 * HOUR, kennel, stay, "current", None),
        Allocation(T - 2 * HOUR, T - HOUR, kennel, bath, "current", None),
    )
    within = (T, T + 2 * HOUR)
    assert not occupancy.seen_at(T, within=within).is_free(kennel, T, T + HOUR)
    assert occupancy.seen_at(T, ignore=stay, within=within).is_free(kennel, T, T + HOUR)
    # asked beyond the stretch, it looks at everything
    assert not occupancy.seen_at(T, ignore=stay, within=within).is_free(kennel, T - 2 * HOUR, T)
