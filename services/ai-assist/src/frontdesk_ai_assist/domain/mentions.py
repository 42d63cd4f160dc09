"""Which pet or child a message is about (the service: `service_names`).

A pet is one of the customer's own when the message says its name, or says its kind
(狗狗, 猫咪, 宝宝) or breed and the customer has exactly one pet of that kind and, if a
breed was said, of that breed: staff would know whom "my dog" means. Otherwise it is
the kind and breed said (金毛 → dog, golden retriever), for a pet the shop does not know
yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import BREEDS, SPECIES_WORDS, Found, find_words
from .shop import Pet

# Words with an animal or a child in them that name neither: a cat-eye manicure, a
# rabies shot, a pram.
_NOT_A_PET = re.compile(r"猫眼|狂犬|婴儿[车床]|\bcat[\s-]?eyes?\b")


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


def find_pet(folded: str, pets: Sequence[Pet]) -> PetMention | None:
    folded = _NOT_A_PET.sub(lambda m: " " * len(m.group()), folded)
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


def _first(found: list[tuple[Found, tuple[str, str]]]) -> tuple[Found, tuple[str, str]] | None:
    """The kind said first; of two said at one place (狗狗 and 狗), the longer."""
    return min(found, key=lambda pair: (pair[0].at, -len(pair[0].word))) if found else None


def _breed_of(pet: Pet) -> str:
    said = pet.breed.lower()
    if not said:
        return ""
    hits = sorted(find_words(said, BREEDS), key=lambda hit: (hit.at, -len(hit.word)))
    return BREEDS[hits[0].word][1] if hits else said
