"""Which of the shop's services a message asks for, and which pet or child it is about.

A service is found by its own names and aliases, or by any synonym of a concept it
carries (洗个澡, wash and 洗澡 all find a service named 洗护). When a message names
several, the first said wins (至于美容的话…  is about 美容 if said before 洗澡).

A pet is one of the customer's own when the message says its name, or says its kind
(狗狗, 猫咪, 宝宝) or breed and the customer has exactly one pet of that kind and, if a
breed was said, of that breed: staff would know whom "my dog" means. Otherwise it is
the kind and breed said (金毛 → dog, golden retriever), for a pet the shop does not know
yet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .lexicon import BREEDS, SERVICE_CONCEPTS, SPECIES_WORDS, Found, find_words
from .shop import Pet, ServiceOffer, ShopContext


@dataclass(frozen=True)
class PetMention:
    """species is dog, cat, rabbit or child; known is the customer's own pet if it is one."""

    species: str | None = None
    breed: str | None = None
    known: Pet | None = None
    said: str = ""  # the word the customer used: 金毛, puppy, 豆豆

    def label(self) -> str:
        """What staff and customer read: the pet's name, or the word the customer used."""
        if self.known is not None:
            return self.known.name
        return self.said or self.breed or self.species or ""


def find_service(folded: str, shop: ShopContext) -> ServiceOffer | None:
    """The service said first. Where words overlap, the longer one counts, and of two as
    long, a service's own name before a synonym: "做延长甲" is 延长甲 (not 做延长, a word
    for extensions that a lash service named "Lash extensions" also carries), and
    "gel removed" is a removal, not the gel manicure."""
    hits = sorted(
        (
            (hit, direct, service)
            for service in shop.services
            for hit, direct in _service_hits(folded, service)
        ),
        key=lambda h: (-len(h[0].word), not h[1], h[0].at),
    )
    kept: list[tuple[Found, ServiceOffer]] = []
    for hit, _, service in hits:
        if not any(_overlap(hit, other) for other, _ in kept):
            kept.append((hit, service))
    return min(kept, key=lambda k: k[0].at)[1] if kept else None


def find_pet(folded: str, pets: Sequence[Pet]) -> PetMention | None:
    named = [(hit, pet) for pet in pets for hit in find_words(folded, [pet.name])]
    if named:
        pet = min(named, key=lambda pair: pair[0].at)[1]
        return PetMention(pet.species_key or None, _breed_of(pet) or None, pet, pet.name)
    said = _first(
        [(hit, BREEDS[hit.word]) for hit in find_words(folded, BREEDS)]
        or [
            (hit, (species, ""))
            for species, words in SPECIES_WORDS.items()
            for hit in find_words(folded, words)
        ]
    )
    if said is None:
        return None
    hit, (species, breed) = said
    alike = [p for p in pets if p.species_key == species and (not breed or _breed_of(p) in ("", breed))]
    if len(alike) == 1:
        return PetMention(species, breed or _breed_of(alike[0]) or None, alike[0], hit.word)
    return PetMention(species, breed or None, None, hit.word)


def _service_hits(folded: str, service: ServiceOffer) -> Iterator[tuple[Found, bool]]:
    for hit in find_words(folded, service.names):
        yield hit, True
    for concept in service.concepts:
        for hit in find_words(folded, SERVICE_CONCEPTS[concept]):
            yield hit, False


def _overlap(a: Found, b: Found) -> bool:
    return a.at < b.at + len(b.word) and b.at < a.at + len(a.word)


def _first(found: list[tuple[Found, tuple[str, str]]]) -> tuple[Found, tuple[str, str]] | None:
    """The kind said first; of two said at one place (狗狗 and 狗), the longer."""
    return min(found, key=lambda pair: (pair[0].at, -len(pair[0].word))) if found else None


def _breed_of(pet: Pet) -> str:
    said = pet.breed.lower()
    if not said:
        return ""
    hits = sorted(find_words(said, BREEDS), key=lambda hit: (hit.at, -len(hit.word)))
    return BREEDS[hits[0].word][1] if hits else said
