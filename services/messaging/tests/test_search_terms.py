"""What a search finds, decided by words alone: no database, no Kafka."""

import random
import string

import jieba
import pytest
from frontdesk_messaging.projections import search_terms
from frontdesk_messaging.projections.search_terms import (
    index_terms,
    load,
    query_terms,
    snippet,
    to_tsquery,
)


@pytest.fixture(scope="module", autouse=True)
def dictionary():
    load()


def finds(query: str, message: str) -> bool:
    """What the database does: every query term is among the message's terms."""
    terms = query_terms(query)
    return bool(terms) and set(terms) <= set(index_terms(message))


def marked(query: str, message: str) -> list[str]:
    return [part.text for part in snippet(message, query_terms(query)) if part.match]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("售后", "请问你们的售后服务怎么联系?"),
        ("洗澡", "周六可以给金毛洗澡吗"),
        ("售后服务", "售后服务电话是多少"),
        ("金毛 洗澡", "给金毛洗澡要多久?"),
    ],
)
def test_chinese_words_are_found_inside_longer_text(query, message):
    assert finds(query, message)


def test_a_chinese_query_needs_all_its_words():
    assert not finds("洗澡 美甲", "给金毛洗澡")
    assert not finds("美甲", "给金毛洗澡")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("grooming", "Grooming at 3pm?"),
        ("GROOMING", "is grooming still on"),
        ("bath", "two baths this month"),
        ("baths", "one bath, please"),
        ("puppy", "Do you take puppies?"),
    ],
)
def test_english_ignores_case_and_word_endings(query, message):
    assert finds(query, message)


def test_english_words_are_whole_words():
    assert not finds("cat", "the catalogue is ready")


def test_mixed_chinese_and_english():
    message = "我家Golden Retriever下周要做grooming和洗澡, OK吗?"
    assert finds("retriever 洗澡", message)
    assert finds("Grooming", message)
    assert finds("ok", message)
    assert not finds("poodle 洗澡", message)


def test_full_width_letters_and_digits_match_their_ascii_forms():
    assert finds("ok 10点", "ＯＫ！明天１０点见")


def test_punctuation_never_counts():
    assert query_terms("?!,。、……") == []
    assert query_terms("   ") == []
    assert index_terms("👍!!") == []
    assert finds("洗澡?", "洗澡。")
    assert query_terms("“售后”、售后!") == ["售后"]


def test_terms_reach_the_database_verbatim_even_with_quotes():
    assert to_tsquery(["售后", "o'neil", "a\\b"]) == "'售后' & 'o''neil' & 'a\\\\b'"


def test_a_snippet_marks_the_words_found():
    assert marked("售后", "请问售后服务电话") == ["售后"]
    assert marked("grooming bath", "Grooming and two Baths") == ["Grooming", "Baths"]


def test_a_long_message_is_cut_around_the_first_match():
    message = "开头的话很长。" * 40 + "我想给金毛洗澡" + "后面还有很多。" * 40
    parts = snippet(message, query_terms("洗澡"))
    text = "".join(p.text for p in parts)
    assert "洗澡" in text and len(text) < 130
    assert text.startswith("…") and text.endswith("…")
    assert [p.text for p in parts if p.match] == ["洗澡"]


def test_text_in_ascii_gets_the_terms_jieba_would_give_it():
    """Such text skips jieba (it cost ~90 µs an English message): the terms are the same."""
    ascii_words = {w for w, freq in jieba.dt.FREQ.items() if freq and w.isascii() and len(w) > 1}
    assert all(set(word) & set("&+#") for word in ascii_words), ascii_words
    rng = random.Random(11)
    alphabet = string.ascii_letters + string.digits + " \t\n.,-_%?!'\"()/:;@=*$~|<>[]{}`^\\"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for search_mode in (True, False):
            cut = jieba.cut_for_search(text, HMM=False) if search_mode else jieba.cut(text, HMM=False)
            expected = [
                search_terms._normalized(word) for token in cut for word in search_terms._WORD.findall(token)
            ]
            assert list(search_terms._terms(text, search_mode=search_mode)) == expected, text
    # With a character of those words, jieba's dictionary decides ("AT&T" is a word), not `_WORD`.
    assert index_terms("AT&Tx") == ["at", "t", "x"]
