"""Contracts of the ai-assist service: the shop's knowledge base and assistant settings
(commands keyed by shop id) and their replies.

The assistant itself takes part in conversations through messaging's and booking's
own commands, as a staff-role actor whose id is `assistant_id_for(shop_id)`; its
messages carry `sender_kind` "assistant".
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from .registry import Contract, contract
from .topics import ASSISTANT_COMMANDS, ASSISTANT_REPLIES

ASSISTANT_NAMESPACE = UUID("9c3f4a52-6a43-4f0e-8f0b-2f5d1b7c9e10")
Mode = Literal["off", "always", "outside_hours", "no_staff_reply"]
Language = Literal["zh", "en"]


def assistant_id_for(shop_id: UUID) -> UUID:
    """The shop's assistant as a participant: the same id every time, one per shop."""
    return uuid5(ASSISTANT_NAMESPACE, str(shop_id))


class Actor(BaseModel):
    user_id: UUID
    role: Literal["owner", "staff", "customer"]
    shop_id: UUID


class FaqTranslation(BaseModel):
    """The same question and answer in another language."""

    language: Language
    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(min_length=1, max_length=2000)


@contract("assistant.faq.save.v1", topic=ASSISTANT_COMMANDS, kind="command")
class SaveFaqEntry(Contract):
    """Create or replace one entry of the shop's knowledge base (staff)."""

    shop_id: UUID
    entry_id: UUID
    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(min_length=1, max_length=2000)
    keywords: list[str] = Field(default_factory=list, description="Other ways people ask, any language")
    language: Language | None = Field(default=None, description="None: the answer's own language")
    translations: list[FaqTranslation] = Field(default_factory=list)
    actor: Actor


@contract("assistant.faq.delete.v1", topic=ASSISTANT_COMMANDS, kind="command")
class DeleteFaqEntry(Contract):
    """Remove an entry of the shop's knowledge base (staff)."""

    shop_id: UUID
    entry_id: UUID
    actor: Actor


@contract("assistant.settings.set.v1", topic=ASSISTANT_COMMANDS, kind="command")
class SetAssistantSettings(Contract):
    """When the shop's assistant answers customers (owner).

    off: never; always; outside_hours: only while the shop is closed (its business
    hours); no_staff_reply: when no staff member has answered within
    reply_after_minutes. In every mode it stays quiet while a person handles the
    conversation: a staff member wrote within staff_quiet_minutes, it was assigned to
    one by hand, or it was handed off and not yet resolved."""

    shop_id: UUID
    mode: Mode
    reply_after_minutes: int = Field(default=5, ge=1, le=1440)
    staff_quiet_minutes: int = Field(default=30, ge=0, le=1440)
    shop_kind: Literal["pet", "baby", "nails"] = Field(
        default="pet", description="Whom a health worry is about: a vet, a paediatrician or a doctor"
    )
    name_en: str = Field(default="", max_length=100, description="The shop's name for English speakers")
    address: str = Field(default="", max_length=300)
    address_en: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    actor: Actor


@contract("assistant.command.accepted.v1", topic=ASSISTANT_REPLIES, kind="reply")
class CommandAccepted(Contract):
    """An assistant command took effect (or had: duplicate=true)."""

    command_id: UUID
    command_type: str
    aggregate_id: str
    duplicate: bool = False


@contract("assistant.command.rejected.v1", topic=ASSISTANT_REPLIES, kind="reply")
class CommandRejected(Contract):
    """An assistant command was refused with a code; nothing changed."""

    command_id: UUID
    command_type: str
    aggregate_id: str
    code: str
    message: str
