"""The shop's calendar for staff apps (a range and a cursor) and per-staff iCalendar feeds."""
