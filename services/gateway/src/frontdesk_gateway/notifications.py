"""What a caller may do with notifications: shop reminder times (a command to notify,
answered on notify.replies), and reads from notify's internal API scoped to the caller's
shop and, for a customer, to themselves."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract
from frontdesk_platform.errors import ApiError

from .commands import CommandSender
from .identity.tokens import Principal


class Notifications:
    def __init__(self, client: httpx.AsyncClient, commands: CommandSender) -> None:
        self._client = client
        self._commands = commands

    async def run(self, caller: Principal, key: UUID, payload: Contract) -> None:
        commands = self._commands
        reply = await commands.outcome(await commands.submit(commands.envelope(caller, key, payload)))
        if reply is None:
            raise ApiError(503, "not_confirmed", "Notify did not answer in time; retry.")
        if reply.type == "notify.command.rejected.v1":
            code = reply.data["code"]
            status = 403 if code == "forbidden" else 404 if code.endswith("not_found") else 422
            raise ApiError(status, code, reply.data["message"])

    async def read(self, caller: Principal, path: str, user_id: UUID | None, limit: int) -> Any:
        if not caller.is_staff:
            user_id = caller.user_id
        params: dict[str, Any] = {"limit": limit}
        if user_id is not None:
            params["user_id"] = str(user_id)
        return await self.get(caller, path, params)

    async def get(self, caller: Principal, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._client.get(f"/internal/shops/{caller.shop_id}{path}", params=params or {})
        except httpx.HTTPError as exc:
            raise ApiError(503, "service_unavailable", "Notify is unavailable; retry.") from exc
        if response.status_code >= 400:
            raise ApiError(502, "upstream_error", "Notify refused the request.")
        return response.json()

    async def forward_receipt(self, body: bytes, content_type: str, signature: str) -> int:
        """A provider's delivery report, passed on unchanged for notify to verify."""
        try:
            response = await self._client.post(
                "/internal/providers/twilio/status",
                content=body,
                headers={"content-type": content_type, "x-twilio-signature": signature},
            )
        except httpx.HTTPError as exc:
            raise ApiError(503, "service_unavailable", "Notify is unavailable; retry.") from exc
        return response.status_code
