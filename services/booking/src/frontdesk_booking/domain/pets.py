"""A customer's pet (or child): what staff need to remember about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from .common import Actor, CustomersOwn, Forbidden, InvalidRequest, NotFound

Kind = Literal["pet", "child"]


class PetNotFound(NotFound):
    code = "pet_not_found"


@dataclass(frozen=True)
class Profile:
    kind: Kind
    name: str
    species: str = ""
    breed: str = ""
    birth_date: date | None = None
    allergies: tuple[str, ...] = ()
    temperament: str = ""
    notes: str = ""

    def check(self, today: date) -> None:
        if not self.name.strip() or len(self.name) > 100:
            raise InvalidRequest("a pet or child needs a name of at most 100 characters")
        if self.birth_date and self.birth_date > today:
            raise InvalidRequest("a birth date cannot be in the future")
        if len(self.notes) > 4000 or len(self.allergies) > 50:
            raise InvalidRequest("notes have at most 4000 characters and allergies at most 50 entries")


@dataclass(frozen=True)
class PetRegistered:
    pet_id: UUID
    shop_id: UUID
    customer_id: UUID
    profile: Profile
    by: UUID
    at: datetime


@dataclass(frozen=True)
class PetUpdated:
    pet_id: UUID
    profile: Profile
    by: UUID
    at: datetime


PetEvent = PetRegistered | PetUpdated


@dataclass
class Pet(CustomersOwn):
    id: UUID
    shop_id: UUID | None = None
    customer_id: UUID | None = None
    profile: Profile | None = None
    registered_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    pending: list[PetEvent] = field(default_factory=list)

    def register(self, actor: Actor, customer_id: UUID, profile: Profile, at: datetime) -> None:
        if self.exists:
            if self.customer_id != customer_id or self.shop_id != actor.shop_id:
                raise PetNotFound("this pet belongs to someone else")
            self.update(actor, profile, at)
            return
        if not actor.is_staff and actor.user_id != customer_id:
            raise Forbidden("customers register their own pets and children")
        profile.check(at.date())
        self._record(PetRegistered(self.id, actor.shop_id, customer_id, profile, actor.user_id, at))

    def update(self, actor: Actor, profile: Profile, at: datetime) -> None:
        if not self.may_see(actor):
            raise PetNotFound("no such pet")
        profile.check(at.date())
        if profile != self.profile:
            self._record(PetUpdated(self.id, profile, actor.user_id, at))

    def apply(self, event: PetEvent) -> None:
        match event:
            case PetRegistered():
                self.shop_id, self.customer_id = event.shop_id, event.customer_id
                self.profile, self.registered_at = event.profile, event.at
            case PetUpdated():
                self.profile = event.profile
        self.updated_at = event.at
        self.version += 1

    def _record(self, event: PetEvent) -> None:
        self.apply(event)
        self.pending.append(event)
