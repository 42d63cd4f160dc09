"""What ops watch on booking's /metrics beside the command verdicts: places lost to a
concurrent booking."""

from prometheus_client import Counter

CONFLICTS = Counter(
    "frontdesk_booking_conflicts_total",
    "Attempts to place a booking that found the slot's resources already held by another.",
)
