"""The terms a question and a knowledge entry are compared by.

Chinese is segmented with jieba (its dictionary ships in the package; `load()` reads
it once at start so no customer waits a second for it). jieba's guessing of unknown
words (HMM) is off, so the same text always cuts the same way. Its dictionary misses
some everyday words (微信 comes out as 微 + 信), so every pair of neighbouring Chinese
characters is a term too: 微信 then still meets 微信. English words are lowercased,
stripped of filler words and stemmed (baths → bath, opening → open).

A topic word adds its topic as a term as well (多少钱, 价格 and "how much" all add
@price), and a service word its service (洗个澡 and wash add @bath), so a question
meets an answer written in other words or the other language.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from typing import Literal

import snowballstemmer

from .language import fold
from .lexicon import SERVICE_CONCEPTS, find_words

with warnings.catch_warnings():
    # jieba 0.42 has regexes with invalid escapes; the warning is about its source, not us.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import jieba

jieba.setLogLevel(logging.WARNING)  # it would announce loading its dictionary on stderr

# topic: @price, @hours…; service: @bath…; named: a word that names a topic or service
# (its @term stands for it); word; char: a lone Chinese character; pair: two neighbours.
TermKind = Literal["topic", "service", "named", "word", "char", "pair"]

TOPICS: dict[str, tuple[str, ...]] = {
    "price": ("多少钱", "价格", "价钱", "收费", "费用", "多钱", "贵不贵", "价目", "要钱", "收钱", "免费", "price", "cost", "how much", "fee", "charge", "expensive", "cheap", "free"),
    "hours": ("几点", "营业", "开门", "关门", "下班", "打烊", "开到", "上班时间", "休息", "hours", "open", "close", "what time"),
    "address": ("地址", "在哪", "哪里", "位置", "怎么走", "导航", "怎么去", "什么地方", "address", "where", "located", "location", "directions"),
    "duration": ("多久", "多长时间", "几个小时", "要多长", "how long", "take long", "duration"),
    "pay": ("支付", "付款", "微信", "支付宝", "刷卡", "现金", "信用卡", "付钱", "pay", "payment", "card", "cash", "alipay", "wechat", "credit"),
    "parking": ("停车", "车位", "停车场", "park", "parking"),
    "booking": ("预约", "预订", "怎么约", "book", "booking", "appointment", "reserve"),
    "cancel": ("取消", "改期", "改时间", "cancel", "reschedule", "cancellation"),
    "late": ("迟到", "晚到", "来晚", "晚点到", "late"),
    "vaccine": ("疫苗", "打针", "vaccine", "vaccinated", "vaccination", "shots", "jab"),
    "delivery": ("送货", "配送", "快递", "上门", "送到", "delivery", "deliver", "shipping", "ship"),
    "return": ("退货", "退换", "换货", "退款", "return", "exchange", "refund"),
    "member": ("会员", "充值", "办卡", "积分", "折扣", "优惠", "打折", "member", "membership", "discount", "loyalty", "points", "package deal"),
    "walkin": ("直接来", "直接过来", "不预约", "现场", "walk in", "walk-in", "walkin", "without booking", "without an appointment"),
    "bring": ("带什么", "准备什么", "要带", "需要准备", "what to bring", "bring", "pack"),
    "last": ("保持多久", "能维持", "持久", "掉色", "last", "lasts", "chip"),
    "age": ("多大", "几个月", "年龄", "月龄", "how old", "age", "months old"),
    "clean": ("消毒", "卫生", "干净", "sterilize", "sterilise", "sanitize", "sanitise", "hygiene", "clean"),
}  # fmt: skip

_EN_STOP = frozenset(
    """a an the is are was were be been am do does did doing have has had i me my mine we our us you your
    yours he him his she her it its they them their this that these those and or but if then so than too
    very of at by for with about to from in on up out off over into can could would should will shall may
    might must just also please pls plz hi hello hey thanks thank what which who whom how there here any
    some get got need want like know tell let much many more most ok okay yes no not dont don't im i'm
    one still be being been he's she's it's that's there's here just really per guys guy u ur usually
    normally generally""".split()
)
_ZH_STOP = frozenset(
    """的 了 吗 呢 啊 吧 呀 哦 哈 嘛 么 我 你 您 他 她 它 我们 你们 是 在 有 请问 问 一下 想 要 可以 能 能不能
    可不可以 不 这 那 个 和 跟 与 都 也 就 还 又 给 把 被 让 对 去 来 到 上 下 请 谢谢 麻烦 一个 什么 怎么 多
    会 吗 嗯 呃 好 家 么 得 地 着 过 问问 想问 多少 有没有 需要 的话 自己 大概 一般 通常 一次 服务 请 帮 帮忙""".split()
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_stemmer = snowballstemmer.stemmer("english")
_TOPICS = {f"@{name}": words for name, words in TOPICS.items()}
_SERVICES = {f"@{name}": words for name, words in SERVICE_CONCEPTS.items()}
_LATIN = re.compile(r"[a-z0-9']+")


def load() -> None:
    """Read jieba's dictionary now (about a second) rather than while a customer waits."""
    jieba.initialize()


def segment(chinese: str) -> list[str]:
    """jieba's words of a Chinese text, cut the same way every time (no guessing)."""
    return list(jieba.cut(chinese, HMM=False))


def terms_of(text: str) -> dict[str, TermKind]:
    """Each distinct term of the text, with what kind of term it is."""
    folded = fold(text)
    found: dict[str, TermKind] = {}
    for topic, words in _TOPICS.items():
        if any(find_words(folded, words)):
            found[topic] = "topic"
    for service, words in _SERVICES.items():
        if any(find_words(folded, [w for w in words if len(w) > 1])):
            found[service] = "service"
    for run in _CJK_RUN.findall(folded):
        for word in jieba.cut(run, HMM=False):
            if word not in _ZH_STOP:
                found.setdefault(
                    word, "named" if word in _named_words() else "char" if len(word) == 1 else "word"
                )
        for i in range(len(run) - 1):
            found.setdefault(run[i : i + 2], "pair")
    for word in _LATIN.findall(folded):
        word = word.strip("'")
        if word and word not in _EN_STOP:
            stem = _stem(word)
            found.setdefault(stem, "named" if stem in _named_words() else "word")
    return found


@functools.cache
def _named_words() -> frozenset[str]:
    """Words that name a topic or a service. Their @term already counts for them, and a
    question's subject is rarely the service it mentions ("can you send photos while
    he's groomed"), so they count for little by themselves."""
    groups = (*TOPICS.values(), *SERVICE_CONCEPTS.values())
    words = [w for group in groups for phrase in group for w in phrase.split() if len(w) > 1]
    return frozenset(_stem(w) if w.isascii() else w for w in words)


@functools.lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    if not word.isalpha():
        return word
    stem: str = _stemmer.stemWord(word)
    return stem
