"""Which of the shop's services a message asks for.

Shops name services their own way, often in both languages at once ("剪指甲 Nail trim"),
and names share words ("Dog bath" and "Cat bath"; "Trim" and "Nail trim"). A message
is held against each service's cues:
- a whole name in one language (美容, "Grooming", an alias): the strongest;
- one word of a longer name ("trim" of "Nail trim", 猫咪 of 猫咪洗澡): strong when no
  other service's name has that word, weak when one does;
- a synonym of what the service is (洗个澡 and wash for a service named 洗护): strong when
  the shop has one service of that kind, weak when it has several.
Where cues overlap in the message the longer counts ("gel removed" is a removal, not
the gel manicure). Services claiming the same words compete: the one whose cues cover
more of what was said wins, then the one with the stronger cues — so "a grooming" is
the Grooming, whatever else has "trim" in its name, and "trim his nails" is the Nail
trim. A runner-up that comes close is kept as the `rival`: the booking step names the
service back before holding a time. Services said in different words are different
requests, and the first said wins ("洗澡+剪指甲" is a bath).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from .lexicon import SERVICE_CONCEPTS, Found, find_words
from .shop import ServiceOffer, ShopContext
from .terms import segment

WHOLE_NAME, OWN_WORD, SHARED_WORD = 3, 2, 1
# The runner-up is close when it covers as much and its cues weigh this share of the winner's.
CLOSE = 0.7

_SEPARATORS = re.compile(r"[/|()（）\[\]【】,，、;；]+")
_SCRIPTS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[^\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z]{3,}")
_NOT_NAME_WORDS = frozenset({"and", "the", "for", "with", "per", "plus"})


@dataclass(frozen=True)
class ServiceMatch:
    service: ServiceOffer
    rival: ServiceOffer | None = None  # another service the message could mean about as well


@dataclass(frozen=True)
class _Cue:
    weight: int
    names_work: bool  # a whole name or a synonym of the work; not a word like "baby" or "dog"


@dataclass(frozen=True)
class _Claim:
    hit: Found
    cue: _Cue
    service: ServiceOffer

    @property
    def weight(self) -> int:
        return self.cue.weight

    @property
    def span(self) -> tuple[int, int]:
        return self.hit.at, self.hit.end


def match_service(folded: str, shop: ShopContext) -> ServiceMatch | None:
    # A word of a name alone ("宝宝" of 宝宝理发, "nail" of "Nail extensions") asks for nothing.
    requests = [g for g in _requests(_kept(_claims(folded, shop))) if any(c.cue.names_work for c in g)]
    if not requests:
        return None
    first_said = min(requests, key=lambda group: min(c.hit.at for c in group))
    best, *others = _ranked(first_said, shop)
    rival = others[0].service if others and others[0].close_to(best) else None
    return ServiceMatch(best.service, rival)


def _claims(folded: str, shop: ShopContext) -> Iterator[_Claim]:
    cues = _cues(shop)
    for hit in find_words(folded, cues):
        for service, cue in cues[hit.word].items():
            yield _Claim(hit, cue, service)


def _kept(claims: Iterator[_Claim]) -> list[_Claim]:
    """The claims on what was said, longest cue first: a cue overlapping a longer one
    is dropped, and services claiming the very same words all keep their claim."""
    kept: list[_Claim] = []
    for claim in sorted(claims, key=lambda c: (c.hit.at - c.hit.end, -c.weight, c.hit.at)):
        same = [k for k in kept if k.span == claim.span]
        if same:
            if all(k.service is not claim.service for k in same):
                kept.append(claim)
        elif not any(claim.hit.overlaps(k.hit) for k in kept):
            kept.append(claim)
    return kept


def _requests(claims: list[_Claim]) -> list[list[_Claim]]:
    """Claims grouped into what the customer asked for: services claiming the same
    words are one request, competing for it."""
    leader: dict[str, str] = {c.service.id: c.service.id for c in claims}

    def lead(service_id: str) -> str:
        while leader[service_id] != service_id:
            service_id = leader[service_id]
        return service_id

    for span_claims in _by_span(claims).values():
        first, *others = (lead(c.service.id) for c in span_claims)
        for other in others:
            leader[other] = first
    groups: dict[str, list[_Claim]] = defaultdict(list)
    for claim in claims:
        groups[lead(claim.service.id)].append(claim)
    return list(groups.values())


@dataclass(frozen=True)
class _Standing:
    service: ServiceOffer
    covered: int  # how many of the words said it claims
    weight: int

    def close_to(self, best: _Standing) -> bool:
        return self.covered == best.covered and self.weight >= CLOSE * best.weight


def _ranked(claims: list[_Claim], shop: ShopContext) -> list[_Standing]:
    """Best first: more words covered, then stronger cues; of two that tie, the plainer
    service (fewer kinds of work in its name), then the catalog's order."""
    covered: dict[ServiceOffer, set[tuple[int, int]]] = defaultdict(set)
    weight: Counter[ServiceOffer] = Counter()
    for claim in claims:
        covered[claim.service].add(claim.span)
        weight[claim.service] += claim.weight
    place = {service: i for i, service in enumerate(shop.services)}
    standings = [_Standing(service, len(spans), weight[service]) for service, spans in covered.items()]
    return sorted(standings, key=lambda s: (-s.covered, -s.weight, len(s.service.concepts), place[s.service]))


def _by_span(claims: list[_Claim]) -> dict[tuple[int, int], list[_Claim]]:
    spans: dict[tuple[int, int], list[_Claim]] = defaultdict(list)
    for claim in claims:
        spans[claim.span].append(claim)
    return spans


@functools.lru_cache(maxsize=1024)
def _cues(shop: ShopContext) -> dict[str, dict[ServiceOffer, _Cue]]:
    """word → the services it names, with how strongly. Built once per shop context."""
    words_of = {service: _name_words(service) for service in shop.services}
    word_count = Counter(word for words in words_of.values() for word in set(words))
    concept_count = Counter(concept for service in shop.services for concept in service.concepts)
    cues: dict[str, dict[ServiceOffer, _Cue]] = defaultdict(dict)

    def add(word: str, service: ServiceOffer, cue: _Cue) -> None:
        had = cues[word].get(service)
        if had is None or (had.weight, had.names_work) < (cue.weight, cue.names_work):
            cues[word][service] = cue

    for service in shop.services:
        for part in _name_parts(service):
            add(part, service, _Cue(WHOLE_NAME, True))
        for word in words_of[service]:
            add(word, service, _Cue(OWN_WORD if word_count[word] == 1 else SHARED_WORD, False))
        for concept in service.concepts:
            for word in SERVICE_CONCEPTS[concept]:
                add(word, service, _Cue(OWN_WORD if concept_count[concept] == 1 else SHARED_WORD, True))
    return dict(cues)


def _name_parts(service: ServiceOffer) -> list[str]:
    """Each name in each language: "剪指甲 Nail trim" → 剪指甲, nail trim."""
    parts: list[str] = []
    for name in service.names:
        for piece in _SEPARATORS.split(name.lower()):
            parts.extend(run.strip() for run in _SCRIPTS.findall(piece) if run.strip(" -&+.·"))
    return parts


def _name_words(service: ServiceOffer) -> list[str]:
    """The words of the longer names and parts: nail, trim; 猫咪, 洗澡; and the parts
    themselves, so another service's name can count them as shared."""
    words = []
    for part in _name_parts(service):
        words.append(part)
        if part.isascii():
            inner = [w for w in _LATIN_WORD.findall(part) if w not in _NOT_NAME_WORDS]
        else:
            inner = [w for w in segment(part) if len(w) >= 2]
        words.extend(w for w in inner if w != part)
    return words
