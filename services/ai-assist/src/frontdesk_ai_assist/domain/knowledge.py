"""A shop's knowledge base: the FAQ its staff wrote and the facts its catalog and
settings answer, searched with BM25 over Chinese and English terms (see `terms`).

`KnowledgeBase(entries).answer(question, language)` returns the best entry's answer
with a confidence from 0 to 1, or None when it is below the threshold or another
entry fits about as well: a wrong answer costs a shop more than a handoff does. The confidence is how much of what the
question asks the entry covers: the share of the question's term weight (rarer terms
weigh more, topic terms like @price most, neighbouring-character pairs least) found in
the entry; entries are ranked by it, and by BM25 between equals. "几点开门" fully
covered by the opening-hours entry is 1.0; "can you groom a guinea pig" meeting the
grooming entry covers under half.

Entries sharing an id are one entry in several languages: they are searched together
and the answer is given in the asker's language when one was written in it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .language import Language, detect_language
from .terms import TermKind, terms_of

DEFAULT_THRESHOLD = 0.5
# Two entries that fit almost equally well mean the question is not really about either.
MIN_MARGIN = 0.05
_K1 = 1.2
_B = 0.75
_BOOST: dict[TermKind, float] = {
    "topic": 2.0,
    "word": 1.0,
    "service": 0.5,
    "named": 0.5,
    "char": 0.4,
    "pair": 0.4,
}
# A word no entry has counts, but only half as much as the rarest word an entry has:
# "迟到了十几分钟" is still about being late.
_UNSEEN_SHARE = 0.5
# An entry about another service than the one asked about ("美睫能保持多久" meeting
# "美甲能保持多久") is no answer, however alike the words; it stays a weak suggestion.
_OTHER_SERVICE = 0.45


@dataclass(frozen=True)
class FaqEntry:
    """A question and its answer. `keywords` are other ways people ask (either language)."""

    id: str
    question: str
    answer: str
    keywords: tuple[str, ...] = ()
    language: Language | None = None  # None: the answer's own language

    @property
    def answer_language(self) -> Language:
        return self.language or detect_language(self.answer)


@dataclass(frozen=True)
class Answer:
    entry_id: str
    text: str
    question: str
    confidence: float


@dataclass(frozen=True)
class _Document:
    id: str
    variants: tuple[FaqEntry, ...]
    terms: Counter[str]
    services: frozenset[str]  # the @service terms its questions name


class KnowledgeBase:
    def __init__(self, entries: Iterable[FaqEntry], threshold: float = DEFAULT_THRESHOLD) -> None:
        grouped: dict[str, list[FaqEntry]] = {}
        for entry in entries:
            grouped.setdefault(entry.id, []).append(entry)
        self.threshold = threshold
        self._documents = [_document(entry_id, variants) for entry_id, variants in grouped.items()]
        self._frequency: Counter[str] = Counter(t for d in self._documents for t in d.terms)
        count = max(len(self._documents), 1)
        self._average_length = sum(sum(d.terms.values()) for d in self._documents) / count or 1.0
        self._unseen_idf = math.log(1 + (count + 0.5) / 0.5)

    def __len__(self) -> int:
        return len(self._documents)

    def answer(self, question: str, language: Language | None = None) -> Answer | None:
        """The best answer if its confidence reaches the threshold and no other entry fits
        about as well, else None."""
        found = self.search(question, language, limit=2)
        if not found or found[0].confidence < self.threshold:
            return None
        if len(found) > 1 and found[0].confidence - found[1].confidence < MIN_MARGIN:
            return None
        return found[0]

    def search(self, question: str, language: Language | None = None, limit: int = 3) -> list[Answer]:
        """The best-matching entries, best first, whatever their confidence."""
        query = terms_of(question)
        weights = {term: _BOOST[kind] * self._idf(term, kind) for term, kind in query.items()}
        total = sum(weights.values())
        if not total:
            return []
        language = language or detect_language(question)
        asked = {term for term, kind in query.items() if kind == "service"}
        scored = [
            (self._coverage(doc, weights, asked) / total, self._bm25(doc, weights), doc)
            for doc in self._documents
        ]
        ranked = sorted((s for s in scored if s[1] > 0), key=lambda s: (s[0], s[1]), reverse=True)
        answers = []
        for coverage, _, doc in ranked[:limit]:
            entry = _in_language(doc.variants, language)
            answers.append(Answer(doc.id, entry.answer, entry.question, round(coverage, 3)))
        return answers

    def _coverage(self, doc: _Document, weights: dict[str, float], asked: set[str]) -> float:
        covered = sum(w for term, w in weights.items() if term in doc.terms)
        if asked and doc.services and not asked & doc.services:
            return covered * _OTHER_SERVICE
        return covered

    def _idf(self, term: str, kind: TermKind) -> float:
        seen = self._frequency.get(term, 0)
        if not seen:
            return self._unseen_idf * _UNSEEN_SHARE if kind in ("word", "topic") else 0.0
        return math.log(1 + (len(self._documents) - seen + 0.5) / (seen + 0.5))

    def _bm25(self, doc: _Document, weights: dict[str, float]) -> float:
        length = sum(doc.terms.values())
        score = 0.0
        for term, weight in weights.items():
            tf = doc.terms.get(term, 0)
            if tf:
                score += weight * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / self._average_length))
        return score


def _document(entry_id: str, variants: list[FaqEntry]) -> _Document:
    terms: Counter[str] = Counter()
    services: set[str] = set()
    for entry in variants:
        services.update(t for t, kind in terms_of(entry.question).items() if kind == "service")
        for text in (entry.question, *entry.keywords):
            terms.update(terms_of(text).keys())
    return _Document(entry_id, tuple(variants), terms, frozenset(services))


def _in_language(variants: tuple[FaqEntry, ...], language: Language) -> FaqEntry:
    return next((v for v in variants if v.answer_language == language), variants[0])
