"""Customer segments a shop can send a campaign to, and the rule each one stands for.

A segment arrives as a small JSON spec, {"kind": "frequent", "min_bookings": 3, "days": 90};
`parse` turns it into one of the segment types below or says clearly what is wrong.
`includes` is the rule itself, on what notify knows of one customer; the projection
evaluates the same rule in SQL for a whole shop (and a test holds the two together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

# A booking that was made and kept (or missed): held, expired and cancelled ones were
# never a visit, so they neither make a customer dormant nor keep them active.
BOOKED = ("confirmed", "checked_in", "in_service", "completed", "no_show")
MAX_DAYS = 3650
MAX_NAME = 50


class InvalidSegment(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    status: str
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Customer:
    """What notify knows of one customer of a shop, from the events it consumed."""

    customer_id: UUID
    joined_at: datetime | None = None
    bookings: tuple[Booking, ...] = ()
    labels: frozenset[str] = field(default_factory=frozenset)
    species: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class NewCustomers:
    """Signed up with the shop within the last `days`."""

    days: int = 30

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)

    def includes(self, customer: Customer, now: datetime) -> bool:
        joined = customer.joined_at
        return joined is not None and self.since(now) <= joined <= now


@dataclass(frozen=True)
class Frequent:
    """At least `min_bookings` bookings completed within the last `days`."""

    min_bookings: int = 3
    days: int = 90

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)

    def includes(self, customer: Customer, now: datetime) -> bool:
        since = self.since(now)
        done = [
            b
            for b in customer.bookings
            if b.status == "completed" and b.completed_at is not None and since <= b.completed_at <= now
        ]
        return len(done) >= self.min_bookings


@dataclass(frozen=True)
class Dormant:
    """Booked before, but no booking starting within the last `days` (nor one to come)."""

    days: int = 60

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)

    def includes(self, customer: Customer, now: datetime) -> bool:
        starts = [b.starts_at for b in customer.bookings if b.status in BOOKED]
        return bool(starts) and max(starts) < self.since(now)


@dataclass(frozen=True)
class Labelled:
    """One of the customer's conversations carries the label."""

    label: str

    def includes(self, customer: Customer, now: datetime) -> bool:
        return self.label in customer.labels


@dataclass(frozen=True)
class PetType:
    """The customer has a pet (or child) of this species."""

    species: str

    def includes(self, customer: Customer, now: datetime) -> bool:
        return self.species in customer.species


Segment = NewCustomers | Frequent | Dormant | Labelled | PetType

_KINDS: dict[str, type[Segment]] = {
    "new": NewCustomers,
    "frequent": Frequent,
    "dormant": Dormant,
    "label": Labelled,
    "pet_type": PetType,
}
_NUMBERS = {"days": (1, MAX_DAYS), "min_bookings": (1, 1000)}
_NAMES = ("label", "species")


def normalized(name: str) -> str:
    """Labels and species match whatever their case or surrounding spaces ("Dog " is "dog")."""
    return " ".join(name.split()).casefold()


def parse(spec: Any) -> Segment:
    if not isinstance(spec, Mapping):
        raise InvalidSegment("invalid_segment", "A segment is an object with a kind.")
    kind = spec.get("kind")
    if kind not in _KINDS:
        raise InvalidSegment(
            "unknown_segment_kind",
            f"Unknown segment kind {kind!r}; one of: {', '.join(_KINDS)}.",
        )
    segment_type = _KINDS[kind]
    allowed = {f.name for f in fields(segment_type)}
    params = {k: v for k, v in spec.items() if k != "kind"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidSegment(
            "invalid_segment",
            f"A {kind} segment takes {', '.join(sorted(allowed))}; not {', '.join(unknown)}.",
        )
    for name in allowed - set(params):
        if name in _NAMES:
            raise InvalidSegment("invalid_segment", f"A {kind} segment needs a {name}.")
    return segment_type(**{name: _checked(name, value) for name, value in params.items()})


def _checked(name: str, value: Any) -> Any:
    if name in _NUMBERS:
        low, high = _NUMBERS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidSegment("invalid_segment", f"{name} is a whole number from {low} to {high}.")
        return value
    if not isinstance(value, str) or not normalized(value) or len(value) > MAX_NAME:
        raise InvalidSegment("invalid_segment", f"{name} is a text of 1 to {MAX_NAME} characters.")
    return normalized(value)


def spec(segment: Segment) -> dict[str, Any]:
    """The segment as JSON, with every parameter spelled out (defaults included)."""
    kind = next(k for k, t in _KINDS.items() if isinstance(segment, t))
    return {"kind": kind, **{f.name: getattr(segment, f.name) for f in fields(segment)}}
