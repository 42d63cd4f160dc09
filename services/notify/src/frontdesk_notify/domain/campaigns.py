"""A campaign: one marketing message from a shop to a segment of its customers.

Who gets it is decided per customer, and the customer's wishes always win: an opt-out
of marketing, or a campaign from the same shop within the frequency cap, means they
are skipped (and the campaign records why).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from .templates import LANGUAGES

CATEGORY = "campaign"
# Either name in a user's opted-out categories stops campaigns to them.
OPT_OUT_NAMES = frozenset({"marketing", "campaign"})
MAX_NAME, MAX_TITLE, MAX_BODY = 100, 100, 1000

Verdict = Literal["queued", "skipped_opted_out", "skipped_frequency_cap"]


class InvalidCampaign(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Text:
    title: str
    body: str


@dataclass(frozen=True)
class Message:
    """The default text, and optional texts per language (zh-CN, en)."""

    default: Text
    variants: Mapping[str, Text] = field(default_factory=dict)

    def in_language(self, language: str) -> Text:
        return self.variants.get(language, self.default)


def message(title: str, body: str, variants: Mapping[str, Text] | None = None) -> Message:
    variants = dict(variants or {})
    unknown = sorted(set(variants) - set(LANGUAGES))
    if unknown:
        raise InvalidCampaign(
            "unknown_language", f"Texts can be given in {', '.join(LANGUAGES)}; not {', '.join(unknown)}."
        )
    return Message(_text(title, body), {lang: _text(t.title, t.body) for lang, t in variants.items()})


def _text(title: str, body: str) -> Text:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise InvalidCampaign("empty_message", "A campaign needs a title and a body.")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise InvalidCampaign(
            "message_too_long", f"A title has at most {MAX_TITLE} characters, a body at most {MAX_BODY}."
        )
    return Text(title, body)


def checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidCampaign("invalid_name", f"A campaign's name has 1 to {MAX_NAME} characters.")
    return name


def notification_id(campaign_id: UUID, user_id: UUID) -> str:
    return f"campaign:{campaign_id}:{user_id}"


def verdict(
    opted_out: Collection[str], last_reached_at: datetime | None, now: datetime, cap: timedelta
) -> Verdict:
    if OPT_OUT_NAMES & set(opted_out):
        return "skipped_opted_out"
    if last_reached_at is not None and last_reached_at > now - cap:
        return "skipped_frequency_cap"
    return "queued"
