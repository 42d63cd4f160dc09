"""What a caller may do with the shop's assistant: its knowledge base and settings
(commands to ai-assist, answered on assistant.replies) and reads from ai-assist's
internal API (knowledge base, settings, suggested replies) scoped to the caller's shop."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract

from .commands import Commands
from .identity.tokens import Principal
from .internal import InternalApi


class ShopAssistant:
    def __init__(self, client: httpx.AsyncClient, commands: Commands) -> None:
        self._api = InternalApi(client, "The assistant", frozenset({404}))
        self._commands = commands

    async def run(self, caller: Principal, payload: Contract) -> None:
        """Send a command keyed by the caller's shop and wait for ai-assist's verdict."""
        await self._commands.verdict(
            caller, caller.shop_id, payload, unanswered="The assistant did not answer in time; retry."
        )

    async def get(self, caller: Principal, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self._api.of_shop(caller, path, params=params or {})

    async def entry(self, caller: Principal, entry_id: UUID) -> Any:
        return await self.get(caller, f"/faq/{entry_id}")
