"""A shop as booking sees it: timezone and policy, the service catalog (see services),
staff profiles (skills, weekly hours, breaks, time off) and resources. One aggregate
per shop, so setup changes of one shop are applied one after the other.

Pure Python: handlers load it, ask it to decide, and store the events it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .common import Actor, Forbidden, InvalidRequest, NotFound, Refused
from .services import Service, WeeklyPeriod

UNIT_NAMESPACE = UUID("a4f7f0c2-3b8e-4d52-9a3c-6b1d2e7f8a90")
MAX_CHECK_IN_WINDOW_MINUTES = 7 * 24 * 60


class ShopNotSetUp(Refused):
    code = "shop_not_set_up"


class ServiceNotFound(NotFound):
    code = "service_not_found"


class StaffNotFound(NotFound):
    code = "staff_not_found"


@dataclass(frozen=True)
class Policy:
    hold_minutes: int = 10
    cancel_cutoff_hours: int = 2
    reschedule_cutoff_hours: int = 2
    max_days_ahead: int = 60
    waitlist_hold_minutes: int = 30
    slot_step_minutes: int = 15
    # How long before its start a booking may be checked in (and then started, completed).
    check_in_window_minutes: int = 60

    def check(self) -> None:
        if not 1 <= self.hold_minutes <= 24 * 60 or not 1 <= self.waitlist_hold_minutes <= 7 * 24 * 60:
            raise InvalidRequest("holds last between 1 minute and a day (a week for waitlist offers)")
        if self.cancel_cutoff_hours < 0 or self.reschedule_cutoff_hours < 0:
            raise InvalidRequest("cutoffs cannot be negative")
        if not 1 <= self.max_days_ahead <= 730:
            raise InvalidRequest("bookings can be taken 1 to 730 days ahead")
        if self.slot_step_minutes not in (5, 10, 15, 20, 30, 60):
            raise InvalidRequest("slots start every 5, 10, 15, 20, 30 or 60 minutes")
        if not 0 <= self.check_in_window_minutes <= MAX_CHECK_IN_WINDOW_MINUTES:
            raise InvalidRequest("check-in opens 0 minutes to 7 days before the start")


@dataclass(frozen=True)
class TimeOff:
    id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class StaffProfile:
    staff_id: UUID
    name: str
    skills: tuple[str, ...] = ()
    hours: tuple[WeeklyPeriod, ...] = ()
    breaks: tuple[WeeklyPeriod, ...] = ()
    time_off: tuple[TimeOff, ...] = ()
    active: bool = True

    def check(self) -> None:
        if not self.name.strip():
            raise InvalidRequest("a staff profile needs a name")
        for period in (*self.hours, *self.breaks):
            period.check()


@dataclass(frozen=True)
class Resource:
    """Bath stations, tables, kennels. Each unit of its capacity is booked on its own."""

    id: UUID
    name: str
    type: str
    capacity: int = 1
    active: bool = True

    @cached_property
    def units(self) -> tuple[UUID, ...]:  # computed once (uuid5 per unit is not free)
        return tuple(uuid5(UNIT_NAMESPACE, f"{self.id}/{n}") for n in range(self.capacity))

    def check(self) -> None:
        if not self.name.strip() or not self.type.strip():
            raise InvalidRequest("a resource needs a name and a type")
        if not 1 <= self.capacity <= 100:
            raise InvalidRequest("a resource has a capacity of 1 to 100")


@dataclass(frozen=True)
class ShopConfigured:
    shop_id: UUID
    timezone: str
    policy: Policy
    at: datetime


@dataclass(frozen=True)
class ServiceDefined:
    shop_id: UUID
    service: Service
    at: datetime


@dataclass(frozen=True)
class StaffProfileSet:
    shop_id: UUID
    profile: StaffProfile
    at: datetime


@dataclass(frozen=True)
class TimeOffAdded:
    shop_id: UUID
    staff_id: UUID
    time_off: TimeOff
    at: datetime


@dataclass(frozen=True)
class TimeOffRemoved:
    shop_id: UUID
    staff_id: UUID
    time_off_id: UUID
    at: datetime


@dataclass(frozen=True)
class ResourceDefined:
    shop_id: UUID
    resource: Resource
    at: datetime


ShopEvent = (
    ShopConfigured | ServiceDefined | StaffProfileSet | TimeOffAdded | TimeOffRemoved | ResourceDefined
)


@dataclass
class Shop:
    id: UUID
    timezone: str | None = None
    policy: Policy = field(default_factory=Policy)
    services: dict[UUID, Service] = field(default_factory=dict)
    staff: dict[UUID, StaffProfile] = field(default_factory=dict)
    resources: dict[UUID, Resource] = field(default_factory=dict)
    version: int = 0
    pending: list[ShopEvent] = field(default_factory=list)

    @property
    def is_set_up(self) -> bool:
        return self.timezone is not None

    @property
    def zone(self) -> ZoneInfo:
        if self.timezone is None:
            raise ShopNotSetUp("the shop has not set its timezone and booking policy yet")
        return ZoneInfo(self.timezone)

    def service(self, service_id: UUID) -> Service:
        found = self.services.get(service_id)
        if found is None or not found.active:
            raise ServiceNotFound("no such service")
        return found

    def units_of_type(self, resource_type: str) -> list[UUID]:
        return [
            unit
            for resource in sorted(self.resources.values(), key=lambda r: (r.name, r.id))
            if resource.active and resource.type == resource_type
            for unit in resource.units
        ]

    def staff_for(self, service: Service, staff_id: UUID | None = None) -> list[StaffProfile]:
        if not service.needs_staff:
            return []
        chosen = [
            p
            for p in sorted(self.staff.values(), key=lambda p: (p.name, p.staff_id))
            if p.active and (service.skill is None or service.skill in p.skills)
        ]
        return [p for p in chosen if p.staff_id == staff_id] if staff_id else chosen

    # decisions

    def configure(self, actor: Actor, timezone: str, policy: Policy, at: datetime) -> None:
        self._owner_only(actor)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidRequest(f"unknown timezone {timezone!r}") from exc
        policy.check()
        if (timezone, policy) != (self.timezone, self.policy):
            self._record(ShopConfigured(self.id, timezone, policy, at))

    def define_service(self, actor: Actor, service: Service, at: datetime) -> None:
        self._owner_only(actor)
        service.check()
        if self.services.get(service.id) != service:
            self._record(ServiceDefined(self.id, service, at))

    def set_staff_profile(self, actor: Actor, profile: StaffProfile, at: datetime) -> None:
        self._owner_or_self(actor, profile.staff_id)
        profile.check()
        known = self.staff.get(profile.staff_id)
        profile = replace(profile, time_off=known.time_off if known else ())
        if known != profile:
            self._record(StaffProfileSet(self.id, profile, at))

    def add_time_off(self, actor: Actor, staff_id: UUID, time_off: TimeOff, at: datetime) -> None:
        self._owner_or_self(actor, staff_id)
        profile = self._profile(staff_id)
        if time_off.ends_at <= time_off.starts_at:
            raise InvalidRequest("time off ends after it starts")
        if any(t.id == time_off.id for t in profile.time_off):
            return
        self._record(TimeOffAdded(self.id, staff_id, time_off, at))

    def remove_time_off(self, actor: Actor, staff_id: UUID, time_off_id: UUID, at: datetime) -> None:
        self._owner_or_self(actor, staff_id)
        if any(t.id == time_off_id for t in self._profile(staff_id).time_off):
            self._record(TimeOffRemoved(self.id, staff_id, time_off_id, at))

    def define_resource(self, actor: Actor, resource: Resource, at: datetime) -> None:
        self._owner_only(actor)
        resource.check()
        if self.resources.get(resource.id) != resource:
            self._record(ResourceDefined(self.id, resource, at))

    def apply(self, event: ShopEvent) -> None:
        match event:
            case ShopConfigured():
                self.timezone, self.policy = event.timezone, event.policy
            case ServiceDefined():
                self.services[event.service.id] = event.service
            case StaffProfileSet():
                self.staff[event.profile.staff_id] = event.profile
            case TimeOffAdded():
                profile = self.staff[event.staff_id]
                self.staff[event.staff_id] = replace(profile, time_off=(*profile.time_off, event.time_off))
            case TimeOffRemoved():
                profile = self.staff[event.staff_id]
                kept = tuple(t for t in profile.time_off if t.id != event.time_off_id)
                self.staff[event.staff_id] = replace(profile, time_off=kept)
            case ResourceDefined():
                self.resources[event.resource.id] = event.resource
        self.version += 1

    def _profile(self, staff_id: UUID) -> StaffProfile:
        profile = self.staff.get(staff_id)
        if profile is None:
            raise StaffNotFound("no such staff profile")
        return profile

    def _owner_only(self, actor: Actor) -> None:
        if actor.shop_id != self.id or not actor.is_owner:
            raise Forbidden("only the shop's owner sets up its catalog, resources and policy")

    def _owner_or_self(self, actor: Actor, staff_id: UUID) -> None:
        if actor.shop_id != self.id or not (actor.is_owner or (actor.is_staff and actor.user_id == staff_id)):
            raise Forbidden("only the owner or the staff member themselves changes a staff profile")

    def _record(self, event: ShopEvent) -> None:
        self.apply(event)
        self.pending.append(event)
