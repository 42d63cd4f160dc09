"""The assistant's commands (knowledge base, settings): each carried out once (tracking
record) and answered on assistant.replies; a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from frontdesk_contracts import Envelope
from frontdesk_contracts import assistant as contracts
from frontdesk_platform.commands import CommandTable, Refused
from sqlalchemy.ext.asyncio import AsyncSession

from ..projections import knowledge
from .deps import Dependencies

CONSUMER = "ai-assist.commands"
SOURCE = "frontdesk.ai-assist"
MAX_KEYWORDS = 30


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    await COMMANDS.handle(deps.unit_of_work, deps, command)


async def save_faq_entry(session: AsyncSession, deps: Dependencies, cmd: contracts.SaveFaqEntry) -> None:
    _staff_of(cmd.actor, cmd)
    keywords = list(dict.fromkeys(k.strip() for k in cmd.keywords if k.strip()))
    if len(keywords) > MAX_KEYWORDS or any(len(k) > 50 for k in keywords):
        raise Refused("invalid_request", f"at most {MAX_KEYWORDS} keywords of at most 50 characters")
    languages = [lang for lang in (cmd.language, *(t.language for t in cmd.translations)) if lang]
    if len(set(languages)) != len(languages):
        raise Refused("invalid_request", "each translation is in another language than the entry")
    existing = await knowledge.entries(session, cmd.shop_id, cmd.entry_id)
    if not existing and await knowledge.entry_count(session, cmd.shop_id) >= knowledge.MAX_ENTRIES:
        raise Refused("too_many_entries", f"a knowledge base holds at most {knowledge.MAX_ENTRIES} entries")
    entry = knowledge.FaqRow(
        cmd.entry_id,
        cmd.question.strip(),
        cmd.answer.strip(),
        keywords,
        cmd.language,
        [t.model_dump() for t in cmd.translations],
        deps.clock(),
    )
    await knowledge.save_entry(session, cmd.shop_id, entry)


async def delete_faq_entry(session: AsyncSession, deps: Dependencies, cmd: contracts.DeleteFaqEntry) -> None:
    _staff_of(cmd.actor, cmd)
    if not await knowledge.delete_entry(session, cmd.shop_id, cmd.entry_id):
        raise Refused("faq_entry_not_found", "no such entry in the knowledge base")


async def set_settings(
    session: AsyncSession, deps: Dependencies, cmd: contracts.SetAssistantSettings
) -> None:
    if cmd.actor.role != "owner" or cmd.actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's owner sets how its assistant works")
    row = knowledge.SettingsRow(
        cmd.mode,
        cmd.reply_after_minutes,
        cmd.staff_quiet_minutes,
        cmd.shop_kind,
        cmd.name_en.strip(),
        cmd.address.strip(),
        cmd.address_en.strip(),
        cmd.phone.strip(),
        deps.clock(),
    )
    await knowledge.save_settings(session, cmd.shop_id, row)


def _staff_of(actor: contracts.Actor, cmd: Any) -> None:
    if actor.role == "customer" or actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's staff change its knowledge base")


COMMANDS = CommandTable[Dependencies](
    CONSUMER,
    SOURCE,
    "assistant.command.accepted.v1",
    "assistant.command.rejected.v1",
    {
        "assistant.faq.save.v1": (contracts.SaveFaqEntry, save_faq_entry),
        "assistant.faq.delete.v1": (contracts.DeleteFaqEntry, delete_faq_entry),
        "assistant.settings.set.v1": (contracts.SetAssistantSettings, set_settings),
    },
)
