"""What ops watch on booking's /metrics beside the command verdicts: bookings that found
their time taken."""

from prometheus_client import Counter

CONFLICTS = Counter(
    "frontdesk_booking_conflicts_total",
    "Bookings that found their time taken: refused with alternatives (slot_taken), or a "
    "place lost to a concurrent booking between reading and placing (lost_race, tried again).",
    ["reason"],
)
