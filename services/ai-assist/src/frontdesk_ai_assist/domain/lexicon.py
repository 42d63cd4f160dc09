"""The words customers use for services, animals and children, in Chinese and English.

A shop names its services its own way (洗护套餐, "Full groom"); the synonyms here let
a customer say it theirs (洗个澡, wash, haircut). A service carries every concept one
of whose words appears in its name or aliases, and a message that says any word of
that concept asks for it. Chinese words match anywhere in the text, a two-character
one also with a measure word inside (洗澡 in 洗个澡, 洗完澡; 做脚 in 做个脚); English words
match as whole words with an optional plural or -ing/-ed ending, and a word of five
letters or more also with a letter doubled or undoubled by a slip (gromming, masage,
manicurre). The lists carry the commonest slips of a Chinese keyboard too (洗藻, 美夹),
as the weekdays do (satuday).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SERVICE_CONCEPTS: dict[str, tuple[str, ...]] = {
    "bath": ("洗澡", "洗藻", "洗", "洗护", "洗白白", "洗香香", "药浴", "bath", "bathe", "wash", "shower", "shampoo"),
    "groom": ("美容", "剪毛", "修毛", "理毛", "造型", "剃毛", "修剪", "精修", "美毛", "groom", "haircut", "hair cut", "trim", "shave", "styling"),
    "boarding": ("寄养", "托管", "寄宿", "住店", "代养", "boarding", "board", "pet hotel", "kennel", "pet sitting", "daycare"),
    "nail_trim": ("剪指甲", "剪只甲", "剪指夹", "修指甲", "剪爪子", "剪趾甲", "nail trim", "nail clipping", "clip nails", "trim nails"),
    "manicure": ("美甲", "美夹", "做指甲", "做指夹", "光疗", "甲油胶", "手部护理", "涂指甲", "manicure", "mani", "gel nails", "gel manicure", "nail art", "nails done"),
    "pedicure": ("美足", "做脚", "足部护理", "脚部护理", "脚部", "脚指甲", "脚趾甲", "修脚", "pedicure", "pedi", "toenails", "toes"),
    "removal": ("卸甲", "卸指甲", "卸掉", "removal", "remove", "removing", "soak off", "soaked off", "take off", "take off my gel", "remove my gel", "remove gel", "gel removed", "nails removed", "gel off"),
    "lashes": ("美睫", "美捷", "睫毛", "嫁接睫毛", "lash", "lashes", "eyelash", "eyelashes", "lash extension"),
    "extension": ("延长甲", "做延长", "甲片", "nail extension", "extensions", "acrylic", "acrylics"),
    "swim": ("游泳", "游永", "泳池", "swim", "swimming", "pool"),
    "baby_haircut": ("理发", "剪头发", "剪头", "剃头", "胎毛", "haircut", "hair cut", "trim"),
    "massage": ("抚触", "按摩", "推拿", "massage"),
    "feeding": ("喂养", "母乳", "辅食", "喂奶", "feeding", "breastfeeding", "lactation", "weaning", "formula advice"),
}  # fmt: skip

SPECIES_WORDS: dict[str, tuple[str, ...]] = {
    "dog": ("狗狗", "狗子", "小狗", "狗", "汪星人", "犬", "dog", "doggy", "doggie", "doggo", "puppy", "pup"),
    "cat": ("猫咪", "小猫", "猫猫", "猫", "喵星人", "主子", "cat", "kitty", "kitten"),
    "rabbit": ("兔子", "兔兔", "rabbit", "bunny"),
    "child": (
        "宝宝", "孩子", "小孩", "儿子", "女儿", "闺女", "娃", "新生儿", "婴儿", "幼儿", "小朋友",
        "baby", "son", "daughter", "kid", "toddler", "newborn", "infant", "little one",
    ),
}  # fmt: skip

# breed word -> (species, breed as staff write it)
BREEDS: dict[str, tuple[str, str]] = {
    "金毛": ("dog", "golden retriever"), "泰迪": ("dog", "poodle"), "贵宾": ("dog", "poodle"),
    "柯基": ("dog", "corgi"), "比熊": ("dog", "bichon"), "博美": ("dog", "pomeranian"),
    "哈士奇": ("dog", "husky"), "二哈": ("dog", "husky"), "拉布拉多": ("dog", "labrador"),
    "柴犬": ("dog", "shiba inu"), "边牧": ("dog", "border collie"), "萨摩": ("dog", "samoyed"),
    "法斗": ("dog", "french bulldog"), "雪纳瑞": ("dog", "schnauzer"), "吉娃娃": ("dog", "chihuahua"),
    "约克夏": ("dog", "yorkshire terrier"), "西施": ("dog", "shih tzu"), "马尔济斯": ("dog", "maltese"),
    "巴哥": ("dog", "pug"), "腊肠": ("dog", "dachshund"), "比格": ("dog", "beagle"),
    "阿拉斯加": ("dog", "alaskan malamute"), "德牧": ("dog", "german shepherd"), "松狮": ("dog", "chow chow"),
    "golden retriever": ("dog", "golden retriever"), "golden": ("dog", "golden retriever"),
    "retriever": ("dog", "golden retriever"), "poodle": ("dog", "poodle"), "teddy": ("dog", "poodle"),
    "corgi": ("dog", "corgi"), "bichon": ("dog", "bichon"), "pomeranian": ("dog", "pomeranian"), "pom": ("dog", "pomeranian"),
    "husky": ("dog", "husky"), "labrador": ("dog", "labrador"), "lab": ("dog", "labrador"),
    "shiba": ("dog", "shiba inu"), "border collie": ("dog", "border collie"), "samoyed": ("dog", "samoyed"),
    "french bulldog": ("dog", "french bulldog"), "frenchie": ("dog", "french bulldog"),
    "schnauzer": ("dog", "schnauzer"), "chihuahua": ("dog", "chihuahua"), "yorkie": ("dog", "yorkshire terrier"),
    "shih tzu": ("dog", "shih tzu"), "shihtzu": ("dog", "shih tzu"), "maltese": ("dog", "maltese"),
    "pug": ("dog", "pug"), "dachshund": ("dog", "dachshund"), "sausage dog": ("dog", "dachshund"),
    "beagle": ("dog", "beagle"), "cockapoo": ("dog", "cockapoo"), "labradoodle": ("dog", "labradoodle"),
    "spaniel": ("dog", "spaniel"), "german shepherd": ("dog", "german shepherd"),
    "英短": ("cat", "british shorthair"), "蓝猫": ("cat", "british shorthair"), "美短": ("cat", "american shorthair"),
    "布偶": ("cat", "ragdoll"), "暹罗": ("cat", "siamese"), "加菲": ("cat", "exotic shorthair"),
    "波斯猫": ("cat", "persian"), "缅因": ("cat", "maine coon"), "金渐层": ("cat", "british shorthair"),
    "银渐层": ("cat", "british shorthair"), "橘猫": ("cat", "orange tabby"),
    "ragdoll": ("cat", "ragdoll"), "persian": ("cat", "persian"), "siamese": ("cat", "siamese"),
    "maine coon": ("cat", "maine coon"), "british shorthair": ("cat", "british shorthair"),
    "sphynx": ("cat", "sphynx"), "bengal": ("cat", "bengal"),
}  # fmt: skip


@dataclass(frozen=True)
class Found:
    at: int
    word: str
    end: int  # where the match ends in the text: "groom" in "grooming" ends after the "ing"

    def inside(self, other: Found) -> bool:
        """Said as part of a longer match (trim in "nail trim")."""
        return other.at <= self.at and self.end <= other.end and other.end - other.at > self.end - self.at

    def overlaps(self, other: Found) -> bool:
        return self.at < other.end and other.at < self.end


def find_words(folded: str, words: Iterable[str]) -> Iterator[Found]:
    """Where any of the words occurs: Chinese anywhere, English as a whole word."""
    for word in words:
        word = word.lower()
        if not word:
            continue
        if word.isascii():
            for match in _english_word(word).finditer(folded):
                yield Found(match.start(), word, match.end())
        elif len(word) == 2:
            for match in _chinese_pair(word).finditer(folded):
                yield Found(match.start(), word, match.end())
        else:
            at = folded.find(word)
            while at >= 0:
                yield Found(at, word, at + len(word))
                at = folded.find(word, at + len(word))


_ENGLISH_WORDS: dict[str, re.Pattern[str]] = {}
_CHINESE_PAIRS: dict[str, re.Pattern[str]] = {}


def _chinese_pair(word: str) -> re.Pattern[str]:
    pattern = _CHINESE_PAIRS.get(word)
    if pattern is None:
        pattern = re.compile(re.escape(word[0]) + "(?:个|一个|下|一下|了|完|完了)?" + re.escape(word[1]))
        _CHINESE_PAIRS[word] = pattern
    return pattern


def _english_word(word: str) -> re.Pattern[str]:
    """bath → baths, bathing; trim → trimmed; bathe → bathing; words may be spaced freely;
    grooming → gromming, groooming."""
    pattern = _ENGLISH_WORDS.get(word)
    if pattern is None:
        letters = _any_doubling if len(word) >= 5 and word.isalpha() else re.escape
        body = letters(word).replace(r"\ ", r"\s+")
        stem = rf"|{letters(word[:-1])}ing" if word.endswith("e") else ""
        if word.endswith("y"):
            stem = rf"|{letters(word[:-1])}ies"
        doubled = re.escape(word[-1]) + "?"
        pattern = re.compile(rf"(?<![a-z])(?:{body}{doubled}(?:s|es|ed|d|ing|'s)?{stem})(?![a-z])")
        _ENGLISH_WORDS[word] = pattern
    return pattern


def _any_doubling(word: str) -> str:
    """massage → m+a+s+a+g+e+: a letter typed once or twice is the same word (masage),
    and a different letter is not (message)."""
    return "".join(re.escape(letter) + "+" for letter, _ in itertools.groupby(word))


def concepts_of(*names: str) -> frozenset[str]:
    """The service concepts whose words appear in a service's names — except a word said
    only as part of a longer word of another concept: "Nail trim" is a nail trim, and not
    also a haircut for its "trim"."""
    folded = " | ".join(names).lower()
    hits = [
        (concept, hit) for concept, words in SERVICE_CONCEPTS.items() for hit in find_words(folded, words)
    ]
    return frozenset(
        concept
        for concept, hit in hits
        if not any(other != concept and hit.inside(longer) for other, longer in hits)
    )
