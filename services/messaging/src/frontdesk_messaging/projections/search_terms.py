"""The words a message is found by, in Chinese and English alike.

Chinese has no spaces, so jieba segments it: messages are indexed with every word and
the dictionary words inside it (`cut_for_search`: 售后服务 → 售后, 服务, 售后服务), and a
query is cut into words that must all be there. Latin words are lowercased and
stemmed (Grooming → groom, baths → bath), and full-width letters and digits are
folded (ＯＫ１０ → ok10), so a query finds what a person would expect. Punctuation
never counts. jieba's guessing of words missing from its dictionary (HMM) is off: it
guesses differently inside a message than in a short query (明天10点见 → 点见, while the
query 10点 has 点), and a search must find what a person sees in the text.

The same `_lexemes` turns message text and query text into terms, so an index and a
query always agree. jieba's dictionary ships inside its package; `load()` reads it
once at service start, so no message waits for it.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
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
    return sorted({term for term, _, _ in _lexemes(text, search_mode=True)})


def query_terms(query: str) -> list[str]:
    """The terms a message must all contain to match; empty if the query has no words."""
    return list(dict.fromkeys(term for term, _, _ in _lexemes(query, search_mode=False)))


def to_tsquery(terms: list[str]) -> str:
    """A tsquery (input syntax, taken verbatim by a `::tsquery` cast) requiring every term."""
    return " & ".join("'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms)


def snippet(text: str, terms: list[str]) -> list[SnippetPart]:
    """A short stretch of the text around the first match, with the matches marked."""
    start = _snippet_start(text, terms)
    end = min(len(text), start + SNIPPET_BEFORE + SNIPPET_AFTER)
    window = text[start:end]
    wanted = set(terms)
    marks = sorted((s, e) for term, s, e in _lexemes(window, search_mode=True) if term in wanted)
    parts: list[SnippetPart] = [SnippetPart("…", False)] if start > 0 else []
    done = 0
    for s, e in marks:
        if e <= done:
            continue
        s = max(s, done)
        if s > done:
            parts.append(SnippetPart(window[done:s], False))
        parts.append(SnippetPart(window[s:e], True))
        done = e
    if done < len(window):
        parts.append(SnippetPart(window[done:], False))
    if end < len(text):
        parts.append(SnippetPart("…", False))
    return _merged(parts)


def _lexemes(text: str, *, search_mode: bool) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) for each word of the text, offsets into the text."""
    mode = "search" if search_mode else "default"
    for token, token_start, _ in jieba.tokenize(text.translate(_FOLD), mode=mode, HMM=False):
        for word in _WORD.finditer(token):
            term = _normalized(word.group())
            if term and len(term) <= MAX_TERM_LENGTH:
                yield term, token_start + word.start(), token_start + word.end()


def _normalized(word: str) -> str:
    word = word.lower()
    if word.isascii() and word.isalpha():
        stem: str = _stemmer.stemWord(word)
        return stem
    return word


def _snippet_start(text: str, terms: list[str]) -> int:
    """Where the snippet starts: a little before the earliest place a term may match."""
    lowered = text.translate(_FOLD).lower()
    # A stem can end differently from the word it came from (puppi ← puppy), so look
    # for all but its last letter; the window is tokenized properly afterwards.
    probes = [t[:-1] if t.isascii() and t.isalpha() and len(t) > 3 else t for t in terms]
    found = [i for i in (lowered.find(p) for p in probes) if i >= 0]
    if not found or len(text) <= SNIPPET_BEFORE + SNIPPET_AFTER:
        return 0
    start = max(0, min(found) - SNIPPET_BEFORE)
    while 0 < start < min(found) and _inside_latin_word(text, start):
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
