"""The words a message is found by, in Chinese and English alike.

Chinese has no spaces, so jieba segments it: messages are indexed with every word and
the dictionary words inside it (`cut_for_search`: 售后服务 → 售后, 服务, 售后服务), and a
query is cut into words that must all be there. Latin words are lowercased and
stemmed (Grooming → groom, baths → bath), and full-width letters and digits are
folded (ＯＫ１０ → ok10), so a query finds what a person would expect. Punctuation
never counts. jieba's guessing of words missing from its dictionary (HMM) is off: it
guesses differently inside a message than in a short query (明天10点见 → 点见, while the
query 10点 has 点), and a search must find what a person sees in the text.

The same `_terms` turns message text and query text into terms, so an index and a
query always agree. jieba's dictionary ships inside its package; `load()` reads it
once at service start, so no message waits for it.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import snowballstemmer

with warnings.catch_warnings():
    # jieba 0.42 has regexes with invalid escapes; the warning is about its source, not us.
    warnings.simplefilter("ignore", DeprecationWarning)
    import jieba

jieba.setLogLevel(logging.WARNING)  # it would announce loading its dictionary on stderr

MAX_TERM_LENGTH = 100
SNIPPET_BEFORE = 30
SNIPPET_AFTER = 90
_WORD = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[a-z0-9]+")
# Full-width ASCII (what Chinese keyboards type) and the ideographic space, one for one,
# so offsets into the folded text are offsets into the original.
_FOLD = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class SnippetPart:
    text: str
    match: bool


def load() -> None:
    """Read jieba's dictionary now (about a second) rather than while a message waits."""
    jieba.initialize()


def index_terms(text: str) -> list[str]:
    """Every term a message can be found by, each once."""
    return sorted(set(_terms(text, search_mode=True)))


def query_terms(query: str) -> list[str]:
    """The terms a message must all contain to match; empty if the query has no words."""
    return list(dict.fromkeys(_terms(query, search_mode=False)))


def to_tsquery(terms: list[str]) -> str:
    """A tsquery (input syntax, taken verbatim by a `::tsquery` cast) requiring every term."""
    return " & ".join("'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms)


def snippet(text: str, terms: list[str]) -> list[SnippetPart]:
    """A short stretch of the text around the first match, with every match in it marked."""
    marks = _merge_overlaps(sorted(_matches(text, set(terms))))
    start = _snippet_start(text, marks[0][0]) if marks else 0
    end = min(len(text), start + SNIPPET_BEFORE + SNIPPET_AFTER)
    marks = [(s, e) for s, e in marks if start <= s < end]
    end = max([end, *(e for _, e in marks)])
    parts = [SnippetPart("…", False)] if start > 0 else []
    done = start
    for s, e in marks:
        parts += [SnippetPart(text[done:s], False), SnippetPart(text[s:e], True)]
        done = e
    parts.append(SnippetPart(text[done:end], False))
    if end < len(text):
        parts.append(SnippetPart("…", False))
    return _merged([p for p in parts if p.text])


def _terms(text: str, *, search_mode: bool) -> Iterator[str]:
    folded = text.translate(_FOLD)
    for token in _tokens(folded, search_mode=search_mode):
        for word in _WORD.findall(token):
            term = _normalized(word)
            if len(term) <= MAX_TERM_LENGTH:
                yield term


def _tokens(folded: str, *, search_mode: bool) -> Iterable[str]:
    """jieba's words; text of ASCII alone as it is, unless it has one of the characters
    of the only ASCII words in jieba's dictionary ("C++", "C#", "AT&T"): jieba would cut
    it into runs of letters and digits and single other characters, which `_WORD` finds
    in it anyway, at twenty times the cost (test_search_terms checks both premises)."""
    if folded.isascii() and not _IN_ASCII_WORDS.intersection(folded):
        return (folded,)
    words: Iterable[str] = (
        jieba.cut_for_search(folded, HMM=False) if search_mode else jieba.cut(folded, HMM=False)
    )
    return words


_IN_ASCII_WORDS = frozenset("&+#")


def _normalized(word: str) -> str:
    word = word.lower()
    return _stem(word) if word.isascii() and word.isalpha() else word


@functools.lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """Snowball is pure Python (~50 µs a word), and chat repeats the same few words."""
    stem: str = _stemmer.stemWord(word)
    return stem


def _matches(text: str, terms: set[str]) -> Iterator[tuple[int, int]]:
    """Where the terms occur, found without segmenting again (a snippet must be cheap):
    Latin words and numbers whose term is wanted, and wanted Chinese terms anywhere."""
    folded = text.translate(_FOLD)
    lowered = folded.lower() if len(folded.lower()) == len(folded) else folded
    for word in _LATIN.finditer(lowered):
        if _normalized(word.group()) in terms:
            yield word.span()
    for term in terms:
        if not term.isascii():
            at = lowered.find(term)
            while at >= 0:
                yield at, at + len(term)
                at = lowered.find(term, at + len(term))


def _merge_overlaps(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in marks:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _snippet_start(text: str, first_match: int) -> int:
    """A little before the first match, not in the middle of a Latin word."""
    if len(text) <= SNIPPET_BEFORE + SNIPPET_AFTER:
        return 0
    start = max(0, first_match - SNIPPET_BEFORE)
    while 0 < start < first_match and _inside_latin_word(text, start):
        start += 1
    return start


def _inside_latin_word(text: str, at: int) -> bool:
    return text[at - 1].isalnum() and text[at].isascii() and text[at].isalnum()


def _merged(parts: list[SnippetPart]) -> list[SnippetPart]:
    merged: list[SnippetPart] = []
    for part in parts:
        if merged and merged[-1].match == part.match:
            merged[-1] = SnippetPart(merged[-1].text + part.text, part.match)
        else:
            merged.append(part)
    return merged
