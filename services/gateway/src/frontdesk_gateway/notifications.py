"""What a caller may do with notifications: shop reminder times (a command to notify,
answered on notify.replies), and reads from notify's internal API scoped to the caller's
shop and, for a customer, to themselves."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract
from frontdesk_platform.errors import ApiError

from .commands import Commands
from .identity.tokens import Principal
from .internal import InternalApi


class Notifications:
    def __init__(self, client: httpx.AsyncClient, commands: Commands) -> None:
        self._client = client
        self.api = InternalApi(client, "Notify")
        self._commands = commands

    async def run(self, caller: Principal, key: UUID, payload: Contract) -> None:
        await self._commands.verdict(caller, key, payload, unanswered="Notify did not answer in time; retry.")

    async def read(self, caller: Principal, path: str, user_id: UUID | None, limit: int) -> Any:
        if not caller.is_staff:
            user_id = caller.user_id
        params: dict[str, Any] = {"limit": limit}
        if user_id is not None:
            params["user_id"] = str(user_id)
        return await self.get(caller, path, params)

    async def get(self, caller: Principal, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.api.of_shop(caller, path, params=params or {})

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
