"""The services a shop sells: timed ones done by a staff member in their hours, timed
ones that need no staff member (a self-service wash station, a play room) in the
service's own hours, and nightly stays (boarding) from check-in to check-out.

Hours, check-in and check-out are local wall-clock times in the shop's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from uuid import UUID

from .common import InvalidRequest

MAX_DURATION_MINUTES = 7 * 24 * 60
MAX_NIGHTS = 30


class InvalidService(InvalidRequest):
    code = "invalid_service"


class InvalidNights(InvalidRequest):
    code = "invalid_nights"


@dataclass(frozen=True)
class WeeklyPeriod:
    """A stretch of local wall-clock time on one weekday (0 = Monday)."""

    weekday: int
    start: time
    end: time

    def check(self) -> None:
        if not 0 <= self.weekday <= 6 or self.start >= self.end:
            raise InvalidRequest("a period is on weekday 0-6 and ends after it starts")


@dataclass(frozen=True)
class Service:
    """Something the shop sells. By default a staff member with `skill` does it in their
    hours. One that needs no staff member (a self-service wash station) starts in its own
    weekly `hours`; a nightly one (boarding) is booked per night from `check_in` on the
    first date to `check_out` on the date after the last night, and `price_cents` is per
    night. Either needs at least one resource type (a station, a kennel)."""

    id: UUID
    name: str
    duration_minutes: int
    buffer_minutes: int = 0
    price_cents: int = 0
    currency: str = "CNY"
    skill: str | None = None
    resource_types: tuple[str, ...] = ()
    active: bool = True
    needs_staff: bool = True
    hours: tuple[WeeklyPeriod, ...] = ()
    per_night: bool = False
    check_in: time | None = None
    check_out: time | None = None

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    def reach(self, nights: int | None = None) -> timedelta:
        """At most how long after its start a booking occupies anything (a stay's real
        length depends on the clock changes it spans)."""
        if self.per_night:
            return timedelta(days=(nights or 1) + 1, hours=1) + self.buffer
        return self.duration + self.buffer

    def price_for(self, nights: int | None) -> int:
        return self.price_cents * (nights or 1)

    def check_booking(self, staff_id: UUID | None, nights: int | None) -> None:
        """Whether a booking may choose this staff member and ask for these nights."""
        if staff_id is not None and not self.needs_staff:
            raise InvalidRequest("this service needs no staff member; do not choose one")
        if self.per_night:
            if nights is None:
                raise InvalidNights("this service is booked per night: say how many nights")
            if not 1 <= nights <= MAX_NIGHTS:
                raise InvalidNights(f"a stay is 1 to {MAX_NIGHTS} nights")
        elif nights is not None:
            raise InvalidNights("nights are for nightly services (boarding); this one is booked by time")

    def check(self) -> None:
        if not self.name.strip():
            raise InvalidService("a service needs a name")
        if not 5 <= self.duration_minutes <= MAX_DURATION_MINUTES:
            raise InvalidService("a service lasts between 5 minutes and a week")
        if not 0 <= self.buffer_minutes <= 24 * 60 or self.price_cents < 0:
            raise InvalidService("buffers are 0 to 1440 minutes and prices are not negative")
        if self.needs_staff:
            if self.per_night:
                raise InvalidService("a nightly service (boarding) needs no staff member")
            if self.hours:
                raise InvalidService(
                    "a service done by staff follows their hours; it has no hours of its own"
                )
        else:
            if self.skill is not None:
                raise InvalidService("a service without staff needs no skill")
            if not self.resource_types:
                raise InvalidService("a service without staff needs a resource type (a station, a kennel)")
        if self.per_night:
            if self.check_in is None or self.check_out is None:
                raise InvalidService("a nightly service needs check_in and check_out times")
            if self.hours:
                raise InvalidService("a nightly service starts at check_in; it has no weekly hours")
        else:
            if self.check_in is not None or self.check_out is not None:
                raise InvalidService("check_in and check_out are for nightly services")
            if not self.needs_staff and not self.hours:
                raise InvalidService("a timed service without staff needs its own weekly hours")
        for period in self.hours:
            period.check()
