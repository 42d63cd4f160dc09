"""A staff member's bookings and time off as an iCalendar (RFC 5545) document, for
Apple or Google Calendar to subscribe to. Built with the `icalendar` library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

# A hold is not yet sure; a cancelled or expired booking is left out altogether.
_STATUS = {"held": "TENTATIVE"}
_LEFT_OUT = {"cancelled", "expired", "removed"}


def feed(name: str, entries: list[dict[str, Any]], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Frontdesk//Shop calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})  # RFC 7986
    for entry in entries:
        if entry.get("status") not in _LEFT_OUT:
            calendar.add_component(_event(entry, now))
    document: bytes = calendar.to_ical()
    return document


def _event(entry: dict[str, Any], now: datetime) -> Event:
    event = Event()
    booking = entry["kind"] == "booking"
    key = entry["booking_id"] if booking else entry["time_off_id"]
    event.add("uid", f"{entry['kind']}-{key}@frontdesk")
    event.add("dtstamp", now.astimezone(UTC))
    # In UTC ("Z"): a bare UTC offset has no TZID, and would be written as floating local time.
    event.add("dtstart", datetime.fromisoformat(entry["starts_at"]).astimezone(UTC))
    event.add("dtend", datetime.fromisoformat(entry["ends_at"]).astimezone(UTC))
    if booking:
        event.add("summary", entry.get("service_name") or "Booking")
        event.add("status", _STATUS.get(entry["status"], "CONFIRMED"))
        resources = ", ".join(r["name"] for r in entry.get("resources", []))
        if resources:
            event.add("location", resources)
    else:
        event.add("summary", "Time off" + (f": {entry['reason']}" if entry.get("reason") else ""))
        event.add("transp", "OPAQUE")
    return event
