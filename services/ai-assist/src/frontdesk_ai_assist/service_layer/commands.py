"""The assistant's commands (knowledge base, settings): each carried out once (tracking
record) and answered on assistant.replies; a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from frontdesk_contracts import Envelope, type_name
from frontdesk_contracts import assistant as contracts
from frontdesk_contracts.messaging import Actor as MessagingActor
from frontdesk_contracts.messaging_shop import SetAssistant
from frontdesk_platform.pipeline import Answers, Pipeline, Route, Work
from frontdesk_platform.refusals import Refused

from ..projections import knowledge
from .deps import Dependencies

CONSUMER = "ai-assist.commands"
SOURCE = "frontdesk.ai-assist"
MAX_KEYWORDS = 30


async def handle_command(deps: Dependencies, command: Envelope) -> None:
    """One command on its own (tests); the consumer carries out batches with `pipeline`."""
    await pipeline(lambda: deps).carry_out_one(CONSUMER, deps.unit_of_work, command)


async def save_faq_entry(work: Work[Dependencies], cmd: contracts.SaveFaqEntry) -> None:
    _staff_of(cmd.actor, cmd)
    keywords = list(dict.fromkeys(k.strip() for k in cmd.keywords if k.strip()))
    if len(keywords) > MAX_KEYWORDS or any(len(k) > 50 for k in keywords):
        raise Refused("invalid_request", f"at most {MAX_KEYWORDS} keywords of at most 50 characters")
    languages = [lang for lang in (cmd.language, *(t.language for t in cmd.translations)) if lang]
    if len(set(languages)) != len(languages):
        raise Refused("invalid_request", "each translation is in another language than the entry")
    existing = await knowledge.entries(work.session, cmd.shop_id, cmd.entry_id)
    if not existing and await knowledge.entry_count(work.session, cmd.shop_id) >= knowledge.MAX_ENTRIES:
        raise Refused("too_many_entries", f"a knowledge base holds at most {knowledge.MAX_ENTRIES} entries")
    entry = knowledge.FaqRow(
        cmd.entry_id,
        cmd.question.strip(),
        cmd.answer.strip(),
        keywords,
        cmd.language,
        [t.model_dump() for t in cmd.translations],
        work.deps.clock(),
    )
    await knowledge.save_entry(work.session, cmd.shop_id, entry)


async def delete_faq_entry(work: Work[Dependencies], cmd: contracts.DeleteFaqEntry) -> None:
    _staff_of(cmd.actor, cmd)
    if not await knowledge.delete_entry(work.session, cmd.shop_id, cmd.entry_id):
        raise Refused("faq_entry_not_found", "no such entry in the knowledge base")


async def set_settings(work: Work[Dependencies], cmd: contracts.SetAssistantSettings) -> None:
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
        work.deps.clock(),
    )
    await knowledge.save_settings(work.session, cmd.shop_id, row)
    _tell_messaging(work, cmd)


def _tell_messaging(work: Work[Dependencies], cmd: contracts.SetAssistantSettings) -> None:
    """Messaging sends the shop's out-of-hours answer only where the assistant does not
    answer, so it learns the mode in the same transaction as the settings (outbox)."""
    told = SetAssistant(shop_id=cmd.shop_id, mode=cmd.mode, actor=MessagingActor(**cmd.actor.model_dump()))
    work.uow.publish(
        work.message.caused(
            type=type_name(SetAssistant),
            source=SOURCE,
            aggregate_id=str(cmd.shop_id),
            data=told.model_dump(mode="json"),
        )
    )


def _staff_of(actor: contracts.Actor, cmd: Any) -> None:
    if actor.role == "customer" or actor.shop_id != cmd.shop_id:
        raise Refused("forbidden", "only the shop's staff change its knowledge base")


COMMANDS: dict[str, Route[Work[Dependencies]]] = {
    "assistant.faq.save.v1": Route(save_faq_entry, contracts.SaveFaqEntry),
    "assistant.faq.delete.v1": Route(delete_faq_entry, contracts.DeleteFaqEntry),
    "assistant.settings.set.v1": Route(set_settings, contracts.SetAssistantSettings),
}
ANSWERS = Answers(SOURCE, "assistant.command.accepted.v1", "assistant.command.rejected.v1")


def pipeline(deps: Callable[[], Dependencies]) -> Pipeline[Work[Dependencies]]:
    """Its dependencies are known once the app has started, hence asked for each batch."""
    return Pipeline(COMMANDS, lambda uow, command: Work(deps(), uow, command), ANSWERS)
