"""What the assistant knows about a shop and a customer: the shop's services, hours,
address and FAQ (its `ShopContext`), and the customer's pets or children (`Pet`).

The caller builds these from the booking catalog and the shop's settings; nothing
here reads a database. A `ShopContext` builds its knowledge base once, on first use,
and keeps it, so a context is meant to be kept for as long as the shop's settings
stay the same.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

from .facts import shop_facts
from .knowledge import FaqEntry, KnowledgeBase
from .lexicon import SPECIES_WORDS, concepts_of, find_words

ShopKind = Literal["pet", "baby", "nails"]
# weekday (0 = Monday) -> opening spans in local time, end exclusive; a missing day is closed
Hours = Mapping[int, tuple[tuple[time, time], ...]]


@dataclass(frozen=True)
class ServiceOffer:
    """A service as the customer can book it. `aliases` are the shop's own other names."""

    id: str
    name: str
    duration_minutes: int
    price_cents: int = 0
    currency: str = "CNY"
    name_en: str = ""
    aliases: tuple[str, ...] = ()

    @functools.cached_property
    def concepts(self) -> frozenset[str]:
        return concepts_of(self.name, self.name_en, *self.aliases)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name in (self.name, self.name_en, *self.aliases) if name)

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Pet:
    """One of the customer's pets or children, as their profile has it."""

    id: str
    name: str
    kind: Literal["pet", "child"] = "pet"
    species: str = ""
    breed: str = ""

    @functools.cached_property
    def species_key(self) -> str:
        """dog / cat / rabbit / child, whatever language the profile was written in."""
        if self.kind == "child":
            return "child"
        folded = self.species.lower()
        for key, words in SPECIES_WORDS.items():
            if folded == key or any(find_words(folded, words)):
                return key
        return folded


@dataclass(frozen=True, eq=False)  # one shop, one knowledge base: compared by identity
class ShopContext:
    """A shop as the assistant sees it. `timezone` is an IANA name (Asia/Shanghai)."""

    name: str
    timezone: str
    services: tuple[ServiceOffer, ...]
    kind: ShopKind = "pet"
    hours: Hours = field(default_factory=dict)
    address: str = ""
    address_en: str = ""
    phone: str = ""
    faq: tuple[FaqEntry, ...] = ()
    name_en: str = ""

    @functools.cached_property
    def knowledge(self) -> KnowledgeBase:
        """The FAQ plus the facts the catalog and settings answer (hours, address, prices)."""
        return KnowledgeBase((*self.faq, *shop_facts(self)))

    def service(self, service_id: str) -> ServiceOffer | None:
        return next((s for s in self.services if s.id == service_id), None)

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name
