"""What a caller may do with the shop's assistant: its knowledge base and settings
(commands to ai-assist, answered on assistant.replies) and reads from ai-assist's
internal API (knowledge base, settings, suggested replies) scoped to the caller's shop."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract
from frontdesk_platform.errors import ApiError

from .commands import CommandSender
from .identity.tokens import Principal


class ShopAssistant:
    def __init__(self, client: httpx.AsyncClient, commands: CommandSender) -> None:
        self._client = client
        self._commands = commands

    async def run(self, caller: Principal, payload: Contract) -> None:
        """Send a command keyed by the caller's shop and wait for ai-assist's verdict."""
        commands = self._commands
        envelope = commands.envelope(caller, caller.shop_id, payload)
        reply = await commands.outcome(await commands.submit(envelope))
        if reply is None:
            raise ApiError(503, "not_confirmed", "The assistant did not answer in time; retry.")
        if reply.type == "assistant.command.rejected.v1":
            code = reply.data["code"]
            status = 403 if code == "forbidden" else 404 if code.endswith("not_found") else 422
            raise ApiError(status, code, reply.data["message"])

    async def get(self, caller: Principal, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._client.get(f"/internal/shops/{caller.shop_id}{path}", params=params or {})
        except httpx.HTTPError as exc:
            raise ApiError(503, "service_unavailable", "The assistant is unavailable; retry.") from exc
        if response.status_code == 404:
            error = response.json().get("error", {})
            raise ApiError(404, error.get("code", "not_found"), error.get("message", "Not found."))
        if response.status_code >= 400:
            raise ApiError(502, "upstream_error", "The assistant refused the request.")
        return response.json()

    async def entry(self, caller: Principal, entry_id: UUID) -> Any:
        return await self.get(caller, f"/faq/{entry_id}")
